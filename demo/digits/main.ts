/**
 * The Digits page: a small brew-built CNN learns the 8×8 handwritten digits in the tab. Training
 * runs in chunks, one RunNetWithHistory per animation frame, so the page keeps painting and the
 * pad keeps answering while the GPU works; the held-out rows are scored every few chunks.
 */
import { workspace } from '../../src/index.js';
import { installKernelSources } from '../kernels.js';
import { describeAdapter, noAdapterMessage, noWebGpuMessage } from '../messages.js';
import { byId, deviceLostText, dropDevice, hideMessage, pageHeader, reportError, showMessage, watchDevice } from '../page.js';
import digitsUrl from './data/digits.csv.gz?url';
import { HELD_OUT, PIXELS, loadDigits, split, type DigitSet } from './data.js';
import { DrawingPad } from './pad.js';
import { DigitsTrainer, argmax } from './trainer.js';
import { drawCharts, drawConfusion, drawMistakes, drawScores, paintDigit } from './views.js';

/** Iterations per animation frame: one submit and one readback each. */
const CHUNK = 10;
/** Held-out rows are scored after this many iterations (and whenever training stops). */
const EVAL_EVERY = 30;
const SEED = 1797;

type State = 'starting' | 'no-webgpu' | 'ready' | 'training' | 'busy' | 'lost';

const ui = {
  ...pageHeader(),
  train: byId<HTMLButtonElement>('btn-train'),
  reset: byId<HTMLButtonElement>('btn-reset'),
  status: byId('status'),
  iteration: byId('iteration'),
  loss: byId('loss'),
  heldOut: byId('heldout'),
  lossPlot: byId('plot-loss'),
  accuracyPlot: byId('plot-accuracy'),
  confusion: byId('confusion'),
  mistakes: byId('mistakes'),
  pad: byId<HTMLCanvasElement>('pad'),
  padClear: byId<HTMLButtonElement>('pad-clear'),
  padSeen: byId<HTMLCanvasElement>('pad-seen'),
  prediction: byId('prediction'),
  scores: byId('scores'),
};

let state: State = 'starting';
let trainer: DigitsTrainer | null = null;
let data: { train: DigitSet; test: DigitSet } | null = null;
let stopRequested = false;
let padImage: Uint8Array = new Uint8Array(PIXELS);
/** Strokes drawn since the pad was last cleared; #prediction says how many its scores include. */
let strokes = 0;
/** GPU work in call order: a stroke's classification waits for the chunk in flight. */
let queue: Promise<unknown> = Promise.resolve();

function serial<T>(work: () => Promise<T>): Promise<T> {
  const next = queue.then(work);
  queue = next.catch(() => undefined);
  return next;
}

function setState(next: State): void {
  state = next;
  document.body.dataset.state = next;
  ui.train.disabled = !(next === 'ready' || next === 'training');
  ui.train.textContent = next === 'training' ? 'Pause' : trainer?.iteration ? 'Resume training' : 'Train';
  ui.reset.disabled = next !== 'ready';
}

function setStatus(text: string): void {
  ui.status.textContent = text;
}

/** A lost device shows a message and a restart button instead of a dead page. */
function deviceLost(info: GPUDeviceLostInfo): void {
  stopRequested = true;
  trainer = null;
  setState('lost');
  setStatus('The GPU device was lost.');
  showMessage(ui, 'The GPU device was lost', deviceLostText(info, 'The trained net'), 'Restart the GPU');
}

/** Reports an error: a device problem is fatal until restart, anything else leaves the page usable. */
function fail(e: unknown, what: string): void {
  if (state === 'lost') return;
  const unusable = reportError(ui, e, what, setStatus);
  if (unusable) trainer = null;
  setState(unusable ? 'lost' : 'ready');
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

/** Scores the held-out rows and the pad, and redraws everything that depends on them. */
async function evaluate(t: DigitsTrainer): Promise<void> {
  const drawn = strokes;
  const e = await serial(() => t.evaluate(padImage));
  ui.prediction.dataset.strokes = String(drawn);
  ui.heldOut.textContent = `${(e.accuracy * 100).toFixed(1)} %`;
  ui.heldOut.dataset.accuracy = String(e.accuracy);
  drawConfusion(ui.confusion, e);
  drawMistakes(ui.mistakes, t.test, e);
  drawCharts({ loss: ui.lossPlot, accuracy: ui.accuracyPlot }, t.history);
  showPadScores(e.pad);
}

function showPadScores(probs: Float32Array): void {
  const empty = padImage.every((v) => v === 0);
  paintDigit(ui.padSeen, padImage);
  if (empty) {
    ui.prediction.textContent = '–';
    delete ui.prediction.dataset.digit;
    ui.scores.replaceChildren();
    return;
  }
  const winner = argmax(probs);
  ui.prediction.textContent = String(winner);
  ui.prediction.dataset.digit = String(winner);
  drawScores(ui.scores, probs, winner);
}

function showProgress(t: DigitsTrainer): void {
  const n = t.iteration;
  ui.iteration.textContent = String(n);
  ui.loss.textContent = n ? t.history.loss[n - 1]!.toFixed(4) : '–';
  drawCharts({ loss: ui.lossPlot, accuracy: ui.accuracyPlot }, t.history);
}

async function train(): Promise<void> {
  const t = trainer;
  if (!t) return;
  stopRequested = false;
  setState('training');
  setStatus('Training: one chunk of 10 iterations per frame; press Pause to stop.');
  const start = performance.now();
  const from = t.iteration;
  try {
    while (!stopRequested) {
      await nextFrame();
      await serial(() => t.run(CHUNK));
      // A lost device ends the loop and has already put the page in its own state.
      if (state !== 'training') return;
      showProgress(t);
      if (t.iteration % EVAL_EVERY === 0) await evaluate(t);
    }
    if (state !== 'training') return;
    await evaluate(t);
  } catch (e) {
    fail(e, 'Training');
    return;
  }
  setState('ready');
  const secs = ((performance.now() - start) / 1000).toFixed(1);
  setStatus(`Paused after ${t.iteration - from} iterations in ${secs} s (${t.iteration} in all); held-out accuracy ${ui.heldOut.textContent}.`);
}

/** A fresh run: parameters initialised again, nets planned, the held-out rows scored once. */
async function initialise(): Promise<void> {
  setState('busy');
  setStatus('Uploading the 1,500 training images to the GPU and planning the nets…');
  const { train: rows, test } = data!;
  const created = await DigitsTrainer.create(rows, test, SEED);
  // The device may have been lost while the nets were planned.
  if (state !== 'busy') return;
  trainer = created;
  showProgress(trainer);
  ui.lossPlot.textContent = ui.accuracyPlot.textContent = 'Press Train: the charts fill in as it learns.';
  await evaluate(trainer);
  if (state !== 'busy') return;
  setState('ready');
  setStatus(`Ready: ${rows.count} training images on the GPU, ${HELD_OUT} held out. The untrained net guesses about one in ten.`);
}

/** Opens the device, shows the adapter and starts a run (the data is fetched once per page). */
async function start(): Promise<void> {
  setState('starting');
  hideMessage(ui);
  const loading = data ? Promise.resolve(data) : loadDigits(digitsUrl).then(split);
  if (!('gpu' in navigator) || !navigator.gpu) {
    setState('no-webgpu');
    ui.adapter.textContent = 'Adapter: none (WebGPU is not available in this browser)';
    showMessage(ui, 'This browser does not offer WebGPU', noWebGpuMessage(window.isSecureContext), null);
    return;
  }
  try {
    ui.adapter.textContent = describeAdapter(await workspace.Init());
    await watchDevice(deviceLost);
  } catch (e) {
    setState('no-webgpu');
    ui.adapter.textContent = 'Adapter: none';
    showMessage(ui, 'WebGPU is on, but no GPU could be opened', noAdapterMessage((e as Error).message), 'Try again');
    return;
  }
  data = await loading;
  await initialise();
}

async function restart(): Promise<void> {
  ui.restart.disabled = true;
  trainer = null;
  // Work queued on the old device may never settle; the new device starts a new queue.
  queue = Promise.resolve();
  await dropDevice();
  ui.restart.disabled = false;
  await start().catch((e: unknown) => fail(e, 'Restart'));
}

const pad = new DrawingPad(ui.pad, (image) => {
  padImage = image;
  strokes++;
  ui.pad.dataset.strokes = String(strokes);
  // While training, the next evaluation scores the drawing too; otherwise score it now.
  if (trainer && state !== 'training') scorePad(trainer);
  else paintDigit(ui.padSeen, padImage);
});

/** Strokes drawn while a score is being computed are scored together once it is done, not one by one. */
let scoring = false;
let rescore = false;
function scorePad(t: DigitsTrainer): void {
  if (scoring) {
    rescore = true;
    return;
  }
  scoring = true;
  void (async () => {
    try {
      do {
        rescore = false;
        await evaluate(t);
      } while (rescore);
    } catch (e) {
      setStatus(`Classifying failed: ${(e as Error).message}`);
    } finally {
      scoring = false;
    }
  })();
}

ui.train.addEventListener('click', () => {
  if (state === 'training') stopRequested = true;
  else if (state === 'ready') void train();
});
ui.reset.addEventListener('click', () => void initialise().catch((e: unknown) => fail(e, 'Starting over')));
ui.restart.addEventListener('click', () => void restart());
ui.padClear.addEventListener('click', () => {
  pad.clear();
  padImage = new Uint8Array(PIXELS);
  strokes = 0;
  ui.prediction.dataset.strokes = '0';
  showPadScores(new Float32Array(10));
});

installKernelSources();
paintDigit(ui.padSeen, padImage);
void start().catch((e: unknown) => fail(e, 'Starting'));
