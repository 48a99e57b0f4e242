/** The three live charts, redrawn from the history after every chunk (SVG from the library's lineChart). */
import { lineChart, svgElement, type Series } from '../src/viz/index.js';
import type { History } from './trainer.js';

const SIZE = { width: 460, height: 320 };
const TRUTH_COLOR = '#b3261e';
const PATH_COLOR = '#2456a6';

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

/** How many leading entries of every array are finite (a diverged run ends in NaN or ∞). */
function finitePrefix(...arrays: number[][]): number {
  let n = Math.min(...arrays.map((a) => a.length));
  for (const a of arrays) {
    const bad = a.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) n = Math.min(n, bad);
  }
  return n;
}

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

/** Where the charts go. */
export interface PlotHosts {
  w: HTMLElement;
  b: HTMLElement;
  loss: HTMLElement;
}

/** Redraws all three charts; `truth` is the ground truth [w0, w1, b]. */
export function drawPlots(hosts: PlotHosts, h: History, truth: readonly [number, number, number]): void {
  const nParams = finitePrefix(h.w0, h.w1, h.b);
  const truthPoint: Series = { name: 'ground truth', x: [truth[0]], y: [truth[1]], color: TRUTH_COLOR, points: true };
  const path: Series[] = [
    { name: 'W path', x: h.w0.slice(0, nParams), y: h.w1.slice(0, nParams), color: PATH_COLOR, points: nParams <= 40 },
    { name: 'start', x: [h.w0[0]!], y: [h.w1[0]!], color: '#5f6368', points: true },
    truthPoint,
  ];
  show(hosts.w, lineChart({ ...SIZE, series: nParams ? path : [truthPoint], title: 'w1 against w0', xLabel: 'w0', yLabel: 'w1', equalAxes: true }), `Path of W from (${fmt(h.w0[0])}, ${fmt(h.w1[0])}) over ${nParams - 1} iterations; ground truth (${truth[0]}, ${truth[1]}).`);

  const last = Math.max(nParams - 1, 1);
  show(
    hosts.b,
    lineChart({
      ...SIZE,
      series: [
        { name: 'B', x: range(0, nParams), y: h.b.slice(0, nParams), color: PATH_COLOR, points: nParams <= 40 },
        { name: 'ground truth', x: [0, last], y: [truth[2], truth[2]], color: TRUTH_COLOR },
      ],
      title: 'B per iteration',
      xLabel: 'iteration',
      yLabel: 'B',
    }),
    `B over ${nParams - 1} iterations, now ${fmt(h.b[nParams - 1])}; ground truth ${truth[2]}.`,
  );

  const nLoss = finitePrefix(h.loss);
  if (nLoss === 0) {
    const empty = document.createElement('p');
    empty.className = 'plot-empty';
    empty.textContent = 'No iterations yet: press Step 1 or Train 100.';
    hosts.loss.replaceChildren(empty);
    return;
  }
  show(
    hosts.loss,
    lineChart({
      ...SIZE,
      series: [{ name: 'loss', x: range(1, nLoss), y: h.loss.slice(0, nLoss), color: '#1e7d45', points: nLoss <= 40 }],
      title: 'Loss per iteration',
      xLabel: 'iteration',
      yLabel: 'loss',
    }),
    `Loss over ${nLoss} iterations, last ${fmt(h.loss[nLoss - 1])}.`,
  );
}

function fmt(v: number | undefined): string {
  return v === undefined ? '–' : v.toFixed(3);
}

/** Empties the charts (before a run exists). */
export function clearPlots(hosts: PlotHosts, text: string): void {
  for (const host of [hosts.w, hosts.b, hosts.loss]) {
    const p = document.createElement('p');
    p.className = 'plot-empty';
    p.textContent = text;
    host.replaceChildren(p);
  }
}
