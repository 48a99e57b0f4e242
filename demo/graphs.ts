/** The three stages of the train net, drawn by the library's net drawer (Graphviz in WebAssembly). */
import { GetPydotGraph, svgElement } from '../src/viz/index.js';
import type { NetStages } from './trainer.js';

/** Where each stage goes. */
export type GraphHosts = Record<keyof NetStages, HTMLElement>;

const DESCRIPTIONS: Record<keyof NetStages, string> = {
  forward: 'the forward ops: data, labels, prediction and loss',
  gradients: 'the forward ops followed by the gradient ops that AddGradientOperators appended',
  sgd: 'the whole train net: forward, gradients, Iter, LearningRate and the WeightedSum updates',
};

/** Zoomed in, a graph is drawn at least this fraction of Graphviz's size, where labels read well. */
const LEGIBLE_SCALE = 0.7;

/** Graphviz sizes its SVG in points; CSS pixels are 4/3 of a point. */
function naturalWidthPx(svg: SVGSVGElement): number {
  const width = svg.getAttribute('width') ?? '';
  const value = parseFloat(width);
  return width.endsWith('pt') ? (value * 4) / 3 : value;
}

/**
 * Renders every stage top to bottom, fitted to its box; see `wireZoom` for the legible size.
 * Left to right (Caffe2's default) the 16-op train net is ~4000 px wide and its labels shrink to a
 * few pixels in a page column; top to bottom it is ~800 px wide and reads at column width.
 */
export async function drawGraphs(hosts: GraphHosts, stages: NetStages): Promise<void> {
  const names = Object.keys(hosts) as Array<keyof NetStages>;
  const svgs = await Promise.all(names.map((k) => GetPydotGraph(stages[k].op, stages[k].name, 'TB').create_svg()));
  names.forEach((k, i) => {
    const svg = svgElement(svgs[i]!);
    const natural = naturalWidthPx(svg);
    if (Number.isFinite(natural) && natural > 0) {
      svg.style.setProperty('--natural', `${Math.round(natural)}px`);
      svg.style.setProperty('--legible', `${Math.round(natural * LEGIBLE_SCALE)}px`);
    }
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `Graph of ${DESCRIPTIONS[k]} (${stages[k].op.length} ops).`);
    hosts[k].replaceChildren(svg);
  });
}

/** Each zoom button toggles its graph between fitted to the box and a legible, scrolling size, and says which it offers next. */
export function wireZoom(root: ParentNode): void {
  for (const button of root.querySelectorAll<HTMLButtonElement>('button.zoom')) {
    const body = document.getElementById(button.getAttribute('aria-controls') ?? '');
    if (!body) continue;
    button.addEventListener('click', () => {
      const zoomed = body.classList.toggle('zoomed');
      // The label says what a press does next; a toggle's state in aria-pressed would contradict it.
      button.dataset.zoomed = String(zoomed);
      button.textContent = zoomed ? 'Fit to box' : 'Zoom in';
    });
  }
}
