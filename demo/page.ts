/**
 * What both demo pages share: finding their elements, the header's adapter line and message box, and
 * noticing when the GPU device is lost (so the page offers a restart instead of going dead).
 */
import { DeviceError, workspace } from '../src/index.js';

/** The element with this id; a page without it is a build mistake, so say which id. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo: the page has no element #${id}`);
  return el as T;
}

/** The header's adapter line and the message box below it, with its (hidden) action button. */
export interface PageHeader {
  adapter: HTMLElement;
  message: HTMLElement;
  messageTitle: HTMLElement;
  messageText: HTMLElement;
  restart: HTMLButtonElement;
}

export function pageHeader(): PageHeader {
  return {
    adapter: byId('adapter'),
    message: byId('message'),
    messageTitle: byId('message-title'),
    messageText: byId('message-text'),
    restart: byId<HTMLButtonElement>('restart'),
  };
}

/** Shows the message box; `button` labels the restart button (focused), null hides it. */
export function showMessage(h: PageHeader, title: string, text: string, button: string | null): void {
  h.messageTitle.textContent = title;
  h.messageText.textContent = text;
  h.restart.hidden = button === null;
  if (button !== null) h.restart.textContent = button;
  h.message.hidden = false;
  if (button !== null) h.restart.focus();
}

export function hideMessage(h: PageHeader): void {
  h.message.hidden = true;
}

/**
 * Reports a failed action on the status line; a DeviceError (the GPU unusable until a restart) also
 * opens the message box with a restart button. Returns whether the device is unusable.
 */
export function reportError(h: PageHeader, e: unknown, what: string, setStatus: (text: string) => void): boolean {
  const err = e instanceof Error ? e : new Error(String(e));
  if (!(err instanceof DeviceError)) {
    setStatus(`${what} failed: ${err.message}`);
    return false;
  }
  setStatus(`${what} failed: the GPU is not usable.`);
  showMessage(h, 'The GPU stopped working', err.message, 'Restart the GPU');
  return true;
}

/** Bumped whenever the page drops a device itself, so its "lost" promise is not reported as a failure. */
let deviceGeneration = 0;

/** Calls `onLost` when the workspace's current device is lost, unless the page dropped it itself. */
export async function watchDevice(onLost: (info: GPUDeviceLostInfo) => void): Promise<void> {
  const generation = deviceGeneration;
  const ctx = await workspace.GetWorkspace().gpu();
  void ctx.device.lost.then((info) => {
    if (generation === deviceGeneration) onLost(info);
  });
}

/** Shuts the workspace down for a restart; the old device's loss is expected, not reported. */
export async function dropDevice(): Promise<void> {
  deviceGeneration++;
  try {
    await workspace.Shutdown();
  } catch {
    // The old device is gone either way; a fresh one is opened next.
  }
}

/** The message box's text for a lost device. */
export function deviceLostText(info: GPUDeviceLostInfo, what: string): string {
  return (
    `The browser reported: ${(info.message || info.reason).replace(/\.+$/, '')}. This happens when the GPU driver resets or the ` +
    `browser reclaims the GPU (for example after the tab sat in the background). ${what} lived ` +
    'on that device and is gone; restart to get a new device and train again.'
  );
}
