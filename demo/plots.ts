/** The four live charts, redrawn from the history after every chunk (SVG from the library's lineChart). */
import { lineChart, svgElement, type Series } from '../src/viz/index.js';
import type { Batch, History } from './trainer.js';

const SIZE = { width: 460, height: 300 };
const TRUTH_COLOR = '#b3261e';
const PATH_COLOR = '#2456a6';
const FLOOR_COLOR = '#8a6d00';
/** Beyond this many points a series is thinned for drawing (a long Play run has tens of thousands). */
const MAX_POINTS = 600;

/** Lets the chart scale with its box: CSS sizes it, the viewBox keeps its proportions. */
function responsive(svg: SVGSVGElement, label: string): SVGSVGElement {
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  return svg;
}

function show(host: HTMLElement, svgText: string, label: string): void {
  host.replaceChildren(responsive(svgElement(svgText), label));
}

function empty(host: HTMLElement, text: string): void {
  const p = document.createElement('p');
  p.className = 'plot-empty';
  p.textContent = text;
  host.replaceChildren(p);
}

/** How many leading entries of every array are finite (a diverged run ends in NaN or ∞). */
function finitePrefix(...arrays: number[][]): number {
  let n = Math.min(...arrays.map((a) => a.length));
  for (const a of arrays) {
    const bad = a.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) n = Math.min(n, bad);
  }
  return n;
}

/** Indices 0..n-1 thinned to at most MAX_POINTS, always keeping the first and the last. */
function sampled(n: number): number[] {
  const every = Math.max(1, Math.ceil(n / MAX_POINTS));
  const idx: number[] = [];
  for (let i = 0; i < n; i += every) idx.push(i);
  if (n > 0 && idx[idx.length - 1] !== n - 1) idx.push(n - 1);
  return idx;
}

/** Where the charts go. */
export interface PlotHosts {
  w: HTMLElement;
  b: HTMLElement;
  loss: HTMLElement;
  batch: HTMLElement;
}

/** What the charts show besides the history. */
export interface PlotContext {
  /** Ground truth [w0, w1, b]. */
  truth: readonly [number, number, number];
  /** Noise std σ of the labels: the loss cannot fall below about σ²/2. */
  noiseStd: number;
  /** The loss on a log scale. */
  logLoss: boolean;
}

/** Redraws all four charts. */
export function drawPlots(hosts: PlotHosts, h: History, batch: Batch | null, c: PlotContext): void {
  const { truth } = c;
  const nParams = finitePrefix(h.w0, h.w1, h.b);
  const idx = sampled(nParams);
  const dots = nParams <= 40;
  const truthPoint: Series = { name: 'ground truth', x: [truth[0]], y: [truth[1]], color: TRUTH_COLOR, points: true };
  const path: Series[] = [
    { name: 'W path', x: idx.map((i) => h.w0[i]!), y: idx.map((i) => h.w1[i]!), color: PATH_COLOR, points: dots },
    { name: 'start', x: [h.w0[0]!], y: [h.w1[0]!], color: '#5f6368', points: true },
    truthPoint,
  ];
  show(
    hosts.w,
    lineChart({ ...SIZE, series: nParams ? path : [truthPoint], title: 'w1 against w0', xLabel: 'w0', yLabel: 'w1', equalAxes: true }),
    `Path of W from (${fmt(h.w0[0])}, ${fmt(h.w1[0])}) over ${nParams - 1} iterations; ground truth (${truth[0]}, ${truth[1]}).`,
  );

  const last = Math.max(nParams - 1, 1);
  show(
    hosts.b,
    lineChart({
      ...SIZE,
      series: [
        { name: 'B', x: idx, y: idx.map((i) => h.b[i]!), color: PATH_COLOR, points: dots },
        { name: 'ground truth', x: [0, last], y: [truth[2], truth[2]], color: TRUTH_COLOR, dashed: true },
      ],
      title: 'B per iteration',
      xLabel: 'iteration',
      yLabel: 'B',
    }),
    `B over ${nParams - 1} iterations, now ${fmt(h.b[nParams - 1])}; ground truth ${truth[2]}.`,
  );

  drawLoss(hosts.loss, h, c);
  drawBatch(hosts.batch, batch, nParams ? [h.w0[nParams - 1]!, h.w1[nParams - 1]!, h.b[nParams - 1]!] : null, truth);
}

/** The loss per iteration with the σ²/2 floor it cannot beat on average; linear or log scale. */
function drawLoss(host: HTMLElement, h: History, c: PlotContext): void {
  const n = finitePrefix(h.loss);
  // A log axis cannot show a loss of exactly 0 (σ = 0 can reach it): those points are left out.
  const idx = sampled(n).filter((i) => !c.logLoss || h.loss[i]! > 0);
  if (idx.length === 0) {
    empty(host, 'No iterations yet: press Step 1, Train 100 or Play.');
    return;
  }
  const floor = c.noiseStd ** 2 / 2;
  const series: Series[] = [{ name: 'loss', x: idx.map((i) => i + 1), y: idx.map((i) => h.loss[i]!), color: '#1e7d45', points: n <= 40 }];
  if (floor > 0 || !c.logLoss) series.push({ name: 'σ²/2 floor', x: [1, Math.max(n, 2)], y: [floor, floor], color: FLOOR_COLOR, dashed: true });
  show(
    host,
    lineChart({ ...SIZE, series, title: c.logLoss ? 'Loss per iteration (log scale)' : 'Loss per iteration', xLabel: 'iteration', yLabel: 'loss', yScale: c.logLoss ? 'log' : 'linear' }),
    `Loss over ${n} iterations, last ${fmt(h.loss[n - 1])}; the noise floor σ²/2 is ${fmt(floor)}.`,
  );
}

/**
 * The last batch as a partial-residual plot: with the fitted x1 part taken out, y − w1·x1 against
 * x0 scatters around the fitted line w0·x0 + B; the ground truth's line is 2·x0 + 0.5.
 */
function drawBatch(host: HTMLElement, batch: Batch | null, fit: readonly [number, number, number] | null, truth: readonly [number, number, number]): void {
  if (!batch || !fit || ![...batch.x0, ...batch.x1, ...batch.y].every(Number.isFinite)) {
    empty(host, batch ? 'The batch is not finite: the run diverged.' : 'No batch yet: the train net draws one per iteration.');
    return;
  }
  const [w0, w1, b] = fit;
  const lo = Math.min(...batch.x0);
  const hi = Math.max(...batch.x0);
  const residual = batch.y.map((y, i) => y - w1 * batch.x1[i]!);
  show(
    host,
    lineChart({
      ...SIZE,
      series: [
        { name: 'batch', x: batch.x0, y: residual, color: '#7a8699', line: false },
        { name: 'fitted', x: [lo, hi], y: [w0 * lo + b, w0 * hi + b], color: PATH_COLOR },
        // Dashed and on top: where the fit has reached the truth, both stay visible.
        { name: 'truth', x: [lo, hi], y: [truth[0] * lo + truth[2], truth[0] * hi + truth[2]], color: TRUTH_COLOR, dashed: true },
      ],
      title: 'Last batch: y − w1·x1 against x0',
      xLabel: 'x0',
      yLabel: 'y − w1·x1',
    }),
    `The last batch of ${batch.x0.length} points with the fitted line ${fmt(w0)}·x0 + ${fmt(b)} and the ground truth ${truth[0]}·x0 + ${truth[2]}.`,
  );
}

function fmt(v: number | undefined): string {
  return v === undefined ? '–' : v.toFixed(3);
}

/** Empties the charts (before a run exists). */
export function clearPlots(hosts: PlotHosts, text: string): void {
  for (const host of [hosts.w, hosts.b, hosts.loss, hosts.batch]) empty(host, text);
}
