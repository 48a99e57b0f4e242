/** What the Digits page shows after a chunk: loss and accuracy charts, the confusion matrix, mistakes, the pad's scores. */
import { lineChart, svgElement } from '../../src/viz/index.js';
import { MAX_INTENSITY, PIXELS, SIDE, type DigitSet } from './data.js';
import { CLASSES, type Evaluation, type History } from './trainer.js';

const SIZE = { width: 460, height: 240 };
/** Mistakes shown at most (the least confident first would hide the interesting ones; these come in data order). */
const MAX_MISTAKES = 24;

function chart(host: HTMLElement, svgText: string, label: string): void {
  const svg = svgElement(svgText);
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  host.replaceChildren(svg);
}

/** Loss per iteration, and batch accuracy with the held-out accuracy measured after each chunk. */
export function drawCharts(hosts: { loss: HTMLElement; accuracy: HTMLElement }, h: History): void {
  const n = h.loss.length;
  if (n === 0) return;
  chart(hosts.loss, lineChart({ ...SIZE, title: 'Training loss', xLabel: 'iteration', yLabel: 'cross-entropy', series: [{ name: 'loss', y: h.loss, color: '#2456a6' }] }), `Training loss, ${h.loss[n - 1]!.toFixed(3)} after ${n} iterations.`);
  const held = h.heldOut;
  chart(
    hosts.accuracy,
    lineChart({
      ...SIZE,
      title: 'Accuracy',
      xLabel: 'iteration',
      yLabel: 'accuracy',
      series: [
        { name: 'training batch', y: h.accuracy, color: '#9aa7bd' },
        { name: 'held-out (297)', x: held.map((p) => p.at), y: held.map((p) => p.accuracy), color: '#b3261e', points: true },
      ],
    }),
    held.length ? `Held-out accuracy ${(held[held.length - 1]!.accuracy * 100).toFixed(1)} % after ${n} iterations.` : 'Accuracy per iteration.',
  );
}

/** Paints an 8×8 image of intensities 0–16 onto a canvas (dark ink on white, like the pad). */
export function paintDigit(canvas: HTMLCanvasElement, pixels: ArrayLike<number>): void {
  canvas.width = canvas.height = SIDE;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < PIXELS; i++) {
    const v = 255 - Math.round((pixels[i]! / MAX_INTENSITY) * 226);
    img.data.set([v, v, v + Math.round((255 - v) * 0.1), 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
}

/** The 10 × 10 table of true digit (rows) against predicted digit (columns), shaded by share of the row. */
export function drawConfusion(host: HTMLElement, e: Evaluation): void {
  const table = document.createElement('table');
  table.className = 'confusion';
  const caption = table.createCaption();
  caption.textContent = `Held-out rows: true digit (rows) against predicted digit (columns); ${(e.accuracy * 100).toFixed(1)} % on the diagonal.`;
  const head = table.createTHead().insertRow();
  head.appendChild(Object.assign(document.createElement('th'), { textContent: 'true \\ pred', scope: 'col' }));
  for (let p = 0; p < CLASSES; p++) head.appendChild(Object.assign(document.createElement('th'), { textContent: String(p), scope: 'col' }));
  const body = table.createTBody();
  for (let t = 0; t < CLASSES; t++) {
    const row = body.insertRow();
    row.appendChild(Object.assign(document.createElement('th'), { textContent: String(t), scope: 'row' }));
    const total = e.confusion.subarray(t * CLASSES, (t + 1) * CLASSES).reduce((a, b) => a + b, 0);
    for (let p = 0; p < CLASSES; p++) {
      const count = e.confusion[t * CLASSES + p]!;
      const cell = row.insertCell();
      cell.textContent = count ? String(count) : '';
      const share = total ? count / total : 0;
      // Right answers shade blue, mistakes red; the share of the row sets the depth.
      const hue = t === p ? '36, 86, 166' : '179, 38, 30';
      if (count) cell.style.background = `rgba(${hue}, ${(0.12 + 0.78 * share).toFixed(3)})`;
      if (share > 0.55) cell.style.color = '#fff';
    }
  }
  host.replaceChildren(table);
}

/** The held-out images the net gets wrong, each with its true and predicted digit. */
export function drawMistakes(host: HTMLElement, test: DigitSet, e: Evaluation): void {
  const wrong: number[] = [];
  for (let i = 0; i < test.count; i++) if (e.predicted[i] !== test.labels[i]) wrong.push(i);
  if (wrong.length === 0) {
    host.replaceChildren(Object.assign(document.createElement('p'), { className: 'plot-empty', textContent: 'No mistakes on the held-out rows.' }));
    return;
  }
  const items = wrong.slice(0, MAX_MISTAKES).map((i) => {
    const fig = document.createElement('figure');
    const canvas = document.createElement('canvas');
    paintDigit(canvas, test.pixels.subarray(i * PIXELS, (i + 1) * PIXELS));
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `a ${test.labels[i]} read as ${e.predicted[i]}`);
    const cap = document.createElement('figcaption');
    cap.innerHTML = `<b>${test.labels[i]}</b> → ${e.predicted[i]}<br /><small>${Math.round(e.confidence[i]! * 100)} %</small>`;
    fig.append(canvas, cap);
    return fig;
  });
  const note = Object.assign(document.createElement('p'), {
    className: 'hint',
    textContent: `${wrong.length} of ${test.count} held-out images are misread${wrong.length > MAX_MISTAKES ? `; the first ${MAX_MISTAKES} are shown` : ''} (true → predicted, with the net's confidence).`,
  });
  const grid = Object.assign(document.createElement('div'), { className: 'mistakes' });
  grid.append(...items);
  host.replaceChildren(note, grid);
}

/** The pad's ten probabilities as bars, the winner marked. */
export function drawScores(host: HTMLElement, probs: ArrayLike<number>, winner: number): void {
  const list = document.createElement('ol');
  list.className = 'scores';
  for (let d = 0; d < CLASSES; d++) {
    const li = document.createElement('li');
    if (d === winner) li.className = 'winner';
    const pct = Math.round(probs[d]! * 100);
    li.innerHTML = `<span class="digit">${d}</span><span class="bar"><span style="width:${pct}%"></span></span><span class="pct">${pct} %</span>`;
    list.appendChild(li);
  }
  host.replaceChildren(list);
}
