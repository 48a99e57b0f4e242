/** What the page says about the adapter, missing WebGPU and runs that went wrong: text only, no state. */
import type { AdapterDescription } from '../src/index.js';

/** The adapter pill's text. */
export function describeAdapter(a: AdapterDescription): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
  const detail = a.description && a.description !== name ? ` (${a.description})` : '';
  return `Adapter: ${name}${detail}${a.software ? ' · software rasteriser: slow, but the results are the same' : ''}`;
}

/** Four significant digits; NaN and the infinities spelled out. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  return Number.isFinite(v) ? v.toPrecision(4) : v > 0 ? '∞' : '−∞';
}

const LINUX_FLAGS =
  'On Linux, Chrome offers WebGPU only with chrome://flags/#enable-unsafe-webgpu switched on (or started with ' +
  '--enable-unsafe-webgpu --enable-features=Vulkan); on a machine without a GPU add --use-webgpu-adapter=swiftshader for the software adapter.';

/** navigator.gpu is missing. */
export function noWebGpuMessage(secure: boolean): string {
  if (!secure) {
    return 'Browsers offer WebGPU only to secure pages: open this demo over https:// or from http://localhost (npm run serve:demo), not as a file.';
  }
  return (
    'This page trains on your GPU through WebGPU, and this browser does not offer it (navigator.gpu is missing). ' +
    'Use a current Chrome or Edge (Windows, macOS, ChromeOS, Android), Safari 26 or later, or Firefox 141 or later on Windows. ' +
    LINUX_FLAGS
  );
}

/** navigator.gpu exists but no adapter or device could be opened. */
export function noAdapterMessage(reason: string): string {
  return (
    `${reason.replace(/\.?$/, '.')} The GPU may be blocklisted or hardware acceleration switched off (see chrome://gpu or about:support). ` +
    `${LINUX_FLAGS} Then press "Try again".`
  );
}

/** Why a run stopped on its own: values that blew up, or a loss climbing instead of falling. */
export function divergedMessage(iterations: number, firstLoss: number, lastLoss: number, baseLr: number, finite: boolean): string {
  const sign = baseLr > 0 ? ' base_lr is positive, so each step climbs the loss: make it negative (the tutorial uses −0.1).' : ' Make |base_lr| smaller.';
  if (!finite) {
    return `Diverged after ${iterations} iterations: the values blew up to NaN or ∞.${sign} Then press Initialise to start over.`;
  }
  return (
    `Diverged after ${iterations} iterations: the loss climbed from ${formatNumber(firstLoss)} to ${formatNumber(lastLoss)}.${sign} ` +
    'A new learning rate applies at once; Initialise starts over.'
  );
}
