/**
 * The browser demo: Caffe2's Toy Regression trained in the page through WebGPU with the same library
 * code as Node. Training runs in chunks, one RunNetWithHistory per animation frame, so the page
 * keeps painting and answering input while the GPU works.
 */
import { workspace } from '../src/index.js';
import { installKernelSources } from './kernels.js';
import { DEFAULTS, readSettings, sameData, sameLearningRate, sameSettings, writeSettings, type Settings } from './settings.js';
import { ToyTrainer, netStages, type ChunkTiming } from './trainer.js';
import { clearPlots, drawPlots, type PlotHosts } from './plots.js';
import { drawGraphs, wireZoom } from './graphs.js';
import { describeAdapter, divergedMessage, formatNumber, noAdapterMessage, noWebGpuMessage } from './messages.js';
import { byId, deviceLostText, dropDevice, hideMessage, pageHeader, reportError, showMessage, watchDevice } from './page.js';

/** Iterations per animation frame: one submit and one readback each. */
const CHUNK = 10;

type State = 'starting' | 'no-webgpu' | 'idle' | 'busy' | 'ready' | 'training' | 'lost';
/** What a training loop was started for: a fixed count (Step 1, Train 100) or until paused (Play). */
type RunKind = 'count' | 'play';

const ui = {
  ...pageHeader(),
  form: byId<HTMLFormElement>('settings'),
  formError: byId('form-error'),
  init: byId<HTMLButtonElement>('btn-init'),
  step: byId<HTMLButtonElement>('btn-step'),
  train: byId<HTMLButtonElement>('btn-train'),
  play: byId<HTMLButtonElement>('btn-play'),
  reset: byId<HTMLButtonElement>('btn-reset'),
  status: byId('status'),
  plots: byId('plots'),
  logLoss: byId<HTMLInputElement>('loss-log'),
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
const plotHosts: PlotHosts = { w: byId('plot-w-body'), b: byId('plot-b-body'), loss: byId('plot-loss-body'), batch: byId('plot-batch-body') };
const graphHosts = { forward: byId('graph-forward-body'), gradients: byId('graph-gradients-body'), sgd: byId('graph-sgd-body') };

let state: State = 'starting';
let runKind: RunKind = 'count';
let trainer: ToyTrainer | null = null;
let graphsFor: Settings | null = null;
let stopRequested = false;
/** False while the form shows a mistake: nothing trains on settings the reader did not mean. */
let formValid = true;
/** A learning-rate schedule waiting for the running loop's next chunk. */
let pendingLr: Settings | null = null;

function setState(next: State): void {
  state = next;
  document.body.dataset.state = next;
  const usable = next === 'idle' || next === 'ready';
  const canRun = usable && formValid;
  const training = next === 'training';
  ui.init.disabled = !canRun;
  ui.step.disabled = !canRun;
  ui.reset.disabled = !usable;
  ui.train.disabled = !(canRun || (training && runKind === 'count'));
  ui.train.textContent = training && runKind === 'count' ? 'Stop' : 'Train 100';
  ui.play.disabled = !(canRun || (training && runKind === 'play'));
  ui.play.textContent = training && runKind === 'play' ? 'Pause' : 'Play';
  for (const el of ui.form.querySelectorAll('input')) el.disabled = next === 'no-webgpu' || next === 'lost';
}

/** The live region: set when something starts or ends, never per chunk (a screen reader would read each). */
function setStatus(text: string): void {
  ui.status.textContent = text;
}

/** Reads the form; shows what is wrong and returns null when something is. */
function settingsOrNull(): Settings | null {
  const read = readSettings(ui.form);
  formValid = !('errors' in read);
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
  redrawPlots();
}

function redrawPlots(): void {
  const t = trainer;
  if (!t) return;
  drawPlots(plotHosts, t.history, t.batch, {
    truth: [t.truth.W.data[0]!, t.truth.W.data[1]!, t.truth.B.data[0]!],
    noiseStd: t.settings.noiseStd,
    logLoss: ui.logLoss.checked,
  });
}

function showTiming(last: ChunkTiming): void {
  const t = trainer!;
  const per = last.ms / last.iterations;
  const avg = t.totalMs / t.iteration;
  ui.timing.textContent = `${avg.toFixed(2)} ms`;
  ui.timingNote.textContent = `mean over ${t.iteration}; the last ${last.iterations} took ${per.toFixed(2)} ms each, in one submit and one readback`;
}

/** A lost device shows a message and a restart button instead of a dead page. */
function deviceLost(info: GPUDeviceLostInfo): void {
  stopRequested = true;
  trainer = null;
  setState('lost');
  setStatus('The GPU device was lost.');
  showMessage(ui, 'The GPU device was lost', deviceLostText(info, 'The training state'), 'Restart the GPU');
}

/** Reports an error: a device problem is fatal until restart, anything else leaves the page usable. */
function fail(e: unknown, what: string): void {
  if (state === 'lost') return;
  const unusable = reportError(ui, e, what, setStatus);
  if (unusable) trainer = null;
  setState(unusable ? 'lost' : trainer ? 'ready' : 'idle');
}

/** Builds the nets from the form, runs the init net and shows the starting point. */
async function initialise(): Promise<boolean> {
  const settings = settingsOrNull();
  if (!settings) {
    setState(state);
    return false;
  }
  setState('busy');
  setStatus('Initialising: running the init net and planning the train net…');
  try {
    const graphs = redrawGraphs(settings);
    const created = await ToyTrainer.create(settings);
    await graphs;
    // The device may have been lost while the init net ran.
    if (state !== 'busy') return false;
    trainer = created;
    pendingLr = null;
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

/** On a narrow screen the plots sit below the controls: bring them into view when training starts. */
function revealPlots(): void {
  const box = ui.plots.getBoundingClientRect();
  const visible = Math.min(box.bottom, window.innerHeight) - Math.max(box.top, 0);
  if (visible >= Math.min(box.height, window.innerHeight) * 0.5) return;
  const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  ui.plots.scrollIntoView({ block: 'start', behavior: reduce ? 'auto' : 'smooth' });
}

/** Applies a learning-rate schedule that is waiting, between chunks. */
async function applyPendingLr(t: ToyTrainer): Promise<void> {
  const next = pendingLr;
  if (!next) return;
  pendingLr = null;
  await t.setLearningRate(next);
  setStatus(
    `Learning rate changed to base_lr ${next.baseLr}, stepsize ${next.stepsize}, gamma ${next.gamma} from iteration ${t.iteration + 1}; W and B carry on.`,
  );
}

/** Trains `total` iterations (Infinity: until paused), CHUNK per animation frame, updating the page after each. */
async function train(total: number, kind: RunKind): Promise<void> {
  const settings = settingsOrNull();
  if (!settings) {
    setState(state);
    return;
  }
  // Changed data settings wait for Initialise (the hint says so); a new learning rate applies now.
  if (!trainer && !(await initialise())) return;
  const t = trainer!;
  if (!sameLearningRate(settings, t.settings)) pendingLr = settings;
  stopRequested = false;
  runKind = kind;
  setState('training');
  revealPlots();
  setStatus(kind === 'play' ? 'Playing: training until you press Pause…' : `Training ${total} iteration${total === 1 ? '' : 's'}…`);
  const start = performance.now();
  // Divergence is judged against where this stretch began, so a run rescued by a new rate can go on.
  const baseline = t.history.loss[t.history.loss.length - 1];
  let done = 0;
  try {
    while (done < total && !stopRequested) {
      await nextFrame();
      if (stopRequested) break;
      await applyPendingLr(t);
      const timing = await t.run(Math.min(CHUNK, total - done));
      if (state !== 'training') return;
      done += timing.iterations;
      showValues();
      showTiming(timing);
      if (t.divergedSince(baseline)) break;
    }
  } catch (e) {
    fail(e, 'Training');
    return;
  }
  // A lost device ends the loop too, and has already put the page in its own state.
  if (state !== 'training') return;
  setState('ready');
  if (t.divergedSince(baseline)) {
    const loss = t.history.loss;
    setStatus(divergedMessage(t.iteration, baseline ?? loss[0]!, loss[loss.length - 1]!, t.settings.baseLr, t.finite));
    return;
  }
  const wall = (performance.now() - start).toFixed(0);
  const what =
    kind === 'play' ? `Paused after ${done} iterations` : done < total ? `Stopped after ${done} of ${total}` : `Trained ${done} iteration${done === 1 ? '' : 's'}`;
  setStatus(`${what} in ${wall} ms (page updates included); ${t.iteration} in all.${dataNote(t)}`);
}

/** A reminder when the form's batch, noise or seed differ from the run's: they apply on Initialise. */
function dataNote(t: ToyTrainer): string {
  const read = readSettings(ui.form);
  return 'settings' in read && !sameData(read.settings, t.settings) ? ' Batch size, noise and seed apply when you press Initialise (it starts over).' : '';
}

function reset(): void {
  trainer = null;
  pendingLr = null;
  workspace.ResetWorkspace();
  writeSettings(ui.form, DEFAULTS);
  settingsOrNull();
  showValues();
  clearPlots(plotHosts, 'Press Initialise, Step 1, Train 100 or Play.');
  void redrawGraphs({ ...DEFAULTS });
  setState('idle');
  setStatus("Workspace cleared and the tutorial's settings restored.");
}

/** Opens the device, shows the adapter and initialises a run. */
async function start(): Promise<void> {
  setState('starting');
  hideMessage(ui);
  clearPlots(plotHosts, 'Opening the GPU…');
  const defaults = settingsOrNull() ?? { ...DEFAULTS };
  const graphs = redrawGraphs(defaults);
  if (!('gpu' in navigator) || !navigator.gpu) {
    await graphs;
    setState('no-webgpu');
    clearPlots(plotHosts, 'Training needs WebGPU.');
    ui.adapter.textContent = 'Adapter: none (WebGPU is not available in this browser)';
    setStatus('WebGPU is not available, so nothing can be trained here. The net graphs below still show what would run.');
    showMessage(ui, 'This browser does not offer WebGPU', noWebGpuMessage(window.isSecureContext), null);
    return;
  }
  try {
    ui.adapter.textContent = describeAdapter(await workspace.Init());
    await watchDevice(deviceLost);
  } catch (e) {
    await graphs;
    setState('no-webgpu');
    clearPlots(plotHosts, 'Training needs a GPU.');
    ui.adapter.textContent = 'Adapter: none';
    setStatus('No GPU could be opened, so nothing can be trained here.');
    showMessage(ui, 'WebGPU is on, but no GPU could be opened', noAdapterMessage((e as Error).message), 'Try again');
    return;
  }
  await graphs;
  clearPlots(plotHosts, 'Initialising…');
  await initialise();
}

async function restart(): Promise<void> {
  ui.restart.disabled = true;
  trainer = null;
  await dropDevice();
  ui.restart.disabled = false;
  await start().catch((e: unknown) => fail(e, 'Restart'));
}

/** A valid form change: a new learning rate applies now (or at the next chunk); data settings wait for Initialise. */
async function settingsChanged(settings: Settings): Promise<void> {
  const t = trainer;
  if (!t) return;
  const note = dataNote(t);
  if (sameLearningRate(settings, t.settings)) {
    if (note) setStatus(note.trim());
    return;
  }
  pendingLr = settings;
  if (state === 'training') {
    setStatus(`The new learning rate applies from the next chunk.${note}`);
    return;
  }
  if (state !== 'ready') return;
  setState('busy');
  try {
    await applyPendingLr(t);
    if (note) setStatus(`${ui.status.textContent ?? ''}${note}`);
    setState('ready');
  } catch (e) {
    fail(e, 'Changing the learning rate');
  }
}

ui.step.addEventListener('click', () => void train(1, 'count'));
ui.train.addEventListener('click', () => {
  if (state === 'training') stopRequested = true;
  else void train(100, 'count');
});
ui.play.addEventListener('click', () => {
  if (state === 'training') stopRequested = true;
  else void train(Infinity, 'play');
});
ui.reset.addEventListener('click', reset);
ui.restart.addEventListener('click', () => void restart());
ui.logLoss.addEventListener('change', redrawPlots);
// Initialise is the form's submit button, so Enter in any field initialises too.
ui.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (state === 'idle' || state === 'ready') void initialise();
});
// Every keystroke re-checks the form, so Train is blocked the moment a value is wrong.
ui.form.addEventListener('input', () => {
  settingsOrNull();
  setState(state);
});
ui.form.addEventListener('change', () => {
  const settings = settingsOrNull();
  setState(state);
  if (settings) void settingsChanged(settings);
});

wireZoom(document);
installKernelSources();
showValues();
void start().catch((e: unknown) => fail(e, 'Starting'));
