/**
 * The browser demo: Caffe2's Toy Regression trained in the page through WebGPU with the same library
 * code as Node. Training runs in chunks, one RunNetWithHistory per animation frame, so the page
 * keeps painting and answering input while the GPU works.
 */
import { DeviceError, workspace, type AdapterDescription } from '../src/index.js';
import { installKernelSources } from './kernels.js';
import { DEFAULTS, readSettings, sameSettings, writeSettings, type Settings } from './settings.js';
import { ToyTrainer, netStages, type ChunkTiming } from './trainer.js';
import { clearPlots, drawPlots, type PlotHosts } from './plots.js';
import { drawGraphs, wireZoom } from './graphs.js';

/** Iterations per animation frame: one submit and one readback each. */
const CHUNK = 10;

type State = 'starting' | 'no-webgpu' | 'idle' | 'busy' | 'ready' | 'training' | 'lost';

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo: the page has no element #${id}`);
  return el as T;
}

const ui = {
  adapter: byId('adapter'),
  message: byId('message'),
  messageTitle: byId('message-title'),
  messageText: byId('message-text'),
  restart: byId<HTMLButtonElement>('restart'),
  form: byId<HTMLFormElement>('settings'),
  formError: byId('form-error'),
  init: byId<HTMLButtonElement>('btn-init'),
  step: byId<HTMLButtonElement>('btn-step'),
  train: byId<HTMLButtonElement>('btn-train'),
  reset: byId<HTMLButtonElement>('btn-reset'),
  status: byId('status'),
  beforeW: byId('before-W'),
  beforeB: byId('before-B'),
  afterW: byId('after-W'),
  afterB: byId('after-B'),
  truthW: byId('truth-W'),
  truthB: byId('truth-B'),
  iteration: byId('iteration'),
  loss: byId('loss'),
  lr: byId('lr'),
  timing: byId('timing'),
  timingNote: byId('timing-note'),
};
const plotHosts: PlotHosts = { w: byId('plot-w-body'), b: byId('plot-b-body'), loss: byId('plot-loss-body') };
const graphHosts = { forward: byId('graph-forward-body'), gradients: byId('graph-gradients-body'), sgd: byId('graph-sgd-body') };

let state: State = 'starting';
let trainer: ToyTrainer | null = null;
let graphsFor: Settings | null = null;
let stopRequested = false;
/** Bumped whenever we drop a device ourselves, so its "lost" promise is not reported as a failure. */
let deviceGeneration = 0;

function setState(next: State): void {
  state = next;
  document.body.dataset.state = next;
  const usable = next === 'idle' || next === 'ready';
  ui.init.disabled = !usable;
  ui.step.disabled = !usable;
  ui.reset.disabled = !usable;
  ui.train.disabled = !(usable || next === 'training');
  ui.train.textContent = next === 'training' ? 'Stop' : 'Train 100';
  for (const el of ui.form.querySelectorAll('input')) el.disabled = next === 'no-webgpu' || next === 'lost';
}

function setStatus(text: string): void {
  ui.status.textContent = text;
}

function showMessage(title: string, text: string, restart: boolean): void {
  ui.messageTitle.textContent = title;
  ui.messageText.textContent = text;
  ui.restart.hidden = !restart;
  ui.message.hidden = false;
  if (restart) ui.restart.focus();
}

function hideMessage(): void {
  ui.message.hidden = true;
}

function describeAdapter(a: AdapterDescription): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
  const detail = a.description && a.description !== name ? ` (${a.description})` : '';
  return `Adapter: ${name}${detail}${a.software ? ' · software rasteriser: slow, but the results are the same' : ''}`;
}

/** Reads the form; shows what is wrong and returns null when something is. */
function settingsOrNull(): Settings | null {
  const read = readSettings(ui.form);
  if ('errors' in read) {
    ui.formError.textContent = `Fix the settings first: ${read.errors.join('; ')}.`;
    ui.formError.hidden = false;
    return null;
  }
  ui.formError.hidden = true;
  return read.settings;
}

async function redrawGraphs(settings: Settings): Promise<void> {
  if (graphsFor && sameSettings(graphsFor, settings)) return;
  graphsFor = settings;
  try {
    await drawGraphs(graphHosts, netStages(settings));
  } catch (e) {
    graphsFor = null;
    for (const host of Object.values(graphHosts)) host.textContent = `The net drawer failed: ${(e as Error).message}`;
  }
}

function showValues(): void {
  const t = trainer;
  if (!t) {
    for (const el of [ui.beforeW, ui.beforeB, ui.afterW, ui.afterB, ui.truthW, ui.truthB]) el.textContent = '…';
    ui.iteration.textContent = '0';
    ui.loss.textContent = ui.lr.textContent = ui.timing.textContent = '–';
    ui.timingNote.textContent = '';
    return;
  }
  ui.beforeW.textContent = String(t.before.W);
  ui.beforeB.textContent = String(t.before.B);
  ui.truthW.textContent = String(t.truth.W);
  ui.truthB.textContent = String(t.truth.B);
  const n = t.iteration;
  if (n === 0) {
    ui.afterW.textContent = ui.afterB.textContent = '(no iterations yet)';
    ui.timing.textContent = '–';
    ui.timingNote.textContent = '';
  } else {
    const now = t.current;
    ui.afterW.textContent = String(now.W);
    ui.afterB.textContent = String(now.B);
  }
  ui.iteration.textContent = String(n);
  ui.loss.textContent = n ? formatNumber(t.history.loss[n - 1]!) : '–';
  ui.lr.textContent = n ? formatNumber(t.history.lr[n - 1]!) : '–';
  drawPlots(plotHosts, t.history, [t.truth.W.data[0]!, t.truth.W.data[1]!, t.truth.B.data[0]!]);
}

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  return Number.isFinite(v) ? v.toPrecision(4) : v > 0 ? '∞' : '−∞';
}

function showTiming(last: ChunkTiming): void {
  const t = trainer!;
  const per = last.ms / last.iterations;
  const avg = t.totalMs / t.iteration;
  ui.timing.textContent = `${avg.toFixed(2)} ms`;
  ui.timingNote.textContent =
    `mean over ${t.iteration}; the last ${last.iterations} took ${per.toFixed(2)} ms each, in one submit and one readback`;
}

/** Watches the device so a loss shows a message and a restart button instead of a dead page. */
async function watchDevice(): Promise<void> {
  const generation = deviceGeneration;
  const ctx = await workspace.GetWorkspace().gpu();
  void ctx.device.lost.then((info) => {
    if (generation !== deviceGeneration) return;
    stopRequested = true;
    trainer = null;
    setState('lost');
    setStatus('The GPU device was lost.');
    showMessage(
      'The GPU device was lost',
      `The browser reported: ${(info.message || info.reason).replace(/\.+$/, '')}. This happens when the GPU driver resets or the ` +
        'browser reclaims the GPU (for example after the tab sat in the background). The training state lived ' +
        'on that device and is gone; restart to get a new device and train again.',
      true,
    );
  });
}

/** Reports an error: a device problem is fatal until restart, anything else leaves the page usable. */
function fail(e: unknown, what: string): void {
  const err = e instanceof Error ? e : new Error(String(e));
  if (state === 'lost') return;
  if (err instanceof DeviceError) {
    trainer = null;
    setState('lost');
    setStatus(`${what} failed: the GPU is not usable.`);
    showMessage('The GPU stopped working', err.message, true);
    return;
  }
  setState(trainer ? 'ready' : 'idle');
  setStatus(`${what} failed: ${err.message}`);
}

/** Builds the nets from the form, runs the init net and shows the starting point. */
async function initialise(): Promise<boolean> {
  const settings = settingsOrNull();
  if (!settings) return false;
  setState('busy');
  setStatus('Initialising: running the init net and planning the train net…');
  try {
    const graphs = redrawGraphs(settings);
    const created = await ToyTrainer.create(settings);
    await graphs;
    // The device may have been lost while the init net ran.
    if (state !== 'busy') return false;
    trainer = created;
    showValues();
    setState('ready');
    setStatus(`Initialised with seed ${settings.seed}: W and B hold their random starting values.`);
    return true;
  } catch (e) {
    trainer = null;
    fail(e, 'Initialise');
    return false;
  }
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

/** Trains `total` iterations, CHUNK per animation frame, updating the page after each chunk. */
async function train(total: number): Promise<void> {
  if (!trainer && !(await initialise())) return;
  const t = trainer!;
  stopRequested = false;
  setState('training');
  const start = performance.now();
  let done = 0;
  try {
    while (done < total && !stopRequested) {
      await nextFrame();
      if (stopRequested) break;
      const timing = await t.run(Math.min(CHUNK, total - done));
      if (state !== 'training') return;
      done += timing.iterations;
      showValues();
      showTiming(timing);
      setStatus(`Training: ${done} of ${total} iterations…`);
      if (!t.finite) break;
    }
  } catch (e) {
    fail(e, 'Training');
    return;
  }
  // A lost device ends the loop too, and has already put the page in its own state.
  if (state !== 'training') return;
  setState('ready');
  const wall = (performance.now() - start).toFixed(0);
  if (!t.finite) {
    setStatus(`The values blew up after ${t.iteration} iterations (NaN or ∞): make |base_lr| smaller and Initialise again.`);
  } else {
    const stopped = done < total ? `Stopped after ${done} of ${total}` : `Trained ${done} iteration${done === 1 ? '' : 's'}`;
    setStatus(`${stopped} in ${wall} ms (page updates included); ${t.iteration} in all.${settingsNote()}`);
  }
}

function settingsNote(): string {
  const read = readSettings(ui.form);
  return trainer && 'settings' in read && !sameSettings(read.settings, trainer.settings) ? ' The settings changed: Initialise applies them and starts over.' : '';
}

function reset(): void {
  trainer = null;
  workspace.ResetWorkspace();
  writeSettings(ui.form, DEFAULTS);
  ui.formError.hidden = true;
  showValues();
  clearPlots(plotHosts, 'Press Initialise, Step 1 or Train 100.');
  void redrawGraphs({ ...DEFAULTS });
  setState('idle');
  setStatus("Workspace cleared and the tutorial's settings restored.");
}

function noWebGpuMessage(): string {
  if (!window.isSecureContext) {
    return 'Browsers offer WebGPU only to secure pages: open this demo over https:// or from http://localhost.';
  }
  return (
    'This page trains on your GPU through WebGPU, and this browser does not offer it (navigator.gpu is missing). ' +
    'Use a current Chrome or Edge (Windows, macOS, ChromeOS, Android), Safari 26 or later, or Firefox 141 or later on Windows. ' +
    'On Linux, Chrome may need WebGPU switched on at chrome://flags/#enable-unsafe-webgpu.'
  );
}

/** Opens the device, shows the adapter and initialises a run. */
async function start(): Promise<void> {
  setState('starting');
  hideMessage();
  clearPlots(plotHosts, 'Opening the GPU…');
  const defaults = settingsOrNull() ?? { ...DEFAULTS };
  const graphs = redrawGraphs(defaults);
  if (!('gpu' in navigator) || !navigator.gpu) {
    await graphs;
    setState('no-webgpu');
    clearPlots(plotHosts, 'Training needs WebGPU.');
    ui.adapter.textContent = 'Adapter: none (WebGPU is not available in this browser)';
    setStatus('WebGPU is not available, so nothing can be trained here. The net graphs below still show what would run.');
    showMessage('This browser does not offer WebGPU', noWebGpuMessage(), false);
    return;
  }
  try {
    ui.adapter.textContent = describeAdapter(await workspace.Init());
    await watchDevice();
  } catch (e) {
    await graphs;
    setState('no-webgpu');
    clearPlots(plotHosts, 'Training needs a GPU.');
    ui.adapter.textContent = 'Adapter: none';
    setStatus('No GPU could be opened, so nothing can be trained here.');
    showMessage(
      'WebGPU is on, but no GPU could be opened',
      `${(e as Error).message} The GPU may be blocklisted or hardware acceleration switched off (see chrome://gpu or about:support).`,
      true,
    );
    return;
  }
  await graphs;
  clearPlots(plotHosts, 'Initialising…');
  await initialise();
}

async function restart(): Promise<void> {
  ui.restart.disabled = true;
  deviceGeneration++;
  trainer = null;
  try {
    await workspace.Shutdown();
  } catch {
    // The old device is gone either way; a fresh one is opened next.
  }
  ui.restart.disabled = false;
  await start().catch((e: unknown) => fail(e, 'Restart'));
}

ui.step.addEventListener('click', () => void train(1));
ui.train.addEventListener('click', () => {
  if (state === 'training') stopRequested = true;
  else void train(100);
});
ui.reset.addEventListener('click', reset);
ui.restart.addEventListener('click', () => void restart());
// Initialise is the form's submit button, so Enter in any field initialises too.
ui.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (state === 'idle' || state === 'ready') void initialise();
});
ui.form.addEventListener('change', () => {
  if (state !== 'ready' && state !== 'idle') return;
  if (!settingsOrNull()) return;
  const note = settingsNote();
  if (note) setStatus(note.trim());
});

wireZoom(document);
installKernelSources();
showValues();
void start().catch((e: unknown) => fail(e, 'Starting'));
