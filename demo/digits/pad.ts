/**
 * The drawing pad: a canvas the reader draws on with mouse, pen or finger, reduced to an 8×8 image
 * the way the data set was made (NIST's preprocessing): the ink's bounding box is scaled to fit a
 * 32×32 bitmap, centred, and each pixel of the 8×8 image counts the "on" bits of one 4×4 block (0–16).
 */
import { PIXELS, SIDE } from './data.js';

const BITMAP = 32;
const BLOCK = BITMAP / SIDE;
/** Alpha above this counts as ink when the drawing is rasterised to 32×32. */
const INK = 0.35;

/** The 8×8 counts (0–16) of the "on" bits of each 4×4 block of a 32×32 bitmap (1 = on). */
export function blockCounts(bitmap: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(PIXELS);
  for (let y = 0; y < BITMAP; y++) {
    for (let x = 0; x < BITMAP; x++) {
      if (bitmap[y * BITMAP + x]) out[Math.floor(y / BLOCK) * SIDE + Math.floor(x / BLOCK)]!++;
    }
  }
  return out;
}

/** Where a w × h bounding box lands in the 32×32 bitmap: scaled to fit, aspect kept, centred. */
export function fitBox(w: number, h: number): { x: number; y: number; w: number; h: number } {
  const scale = BITMAP / Math.max(w, h, 1);
  const fw = w * scale;
  const fh = h * scale;
  return { x: (BITMAP - fw) / 2, y: (BITMAP - fh) / 2, w: fw, h: fh };
}

/** The smallest box holding every pixel whose alpha is above zero, or null for an empty canvas. */
function inkBounds(image: ImageData): { x: number; y: number; w: number; h: number } | null {
  let x0 = image.width;
  let y0 = image.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (image.data[(y * image.width + x) * 4 + 3]! === 0) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** A drawing canvas that reports its 8×8 image after every stroke. */
export class DrawingPad {
  private drawing = false;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly scratch = document.createElement('canvas');

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onStroke: (image: Uint8Array) => void,
  ) {
    this.ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    this.scratch.width = this.scratch.height = BITMAP;
    canvas.addEventListener('pointerdown', (ev) => this.down(ev));
    canvas.addEventListener('pointermove', (ev) => this.move(ev));
    for (const type of ['pointerup', 'pointercancel'] as const) canvas.addEventListener(type, () => this.up());
  }

  clear(): void {
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }

  get empty(): boolean {
    return inkBounds(this.ctx.getImageData(0, 0, this.canvas.width, this.canvas.height)) === null;
  }

  /** The drawing as the data set's 8×8 intensities (all zero when nothing is drawn). */
  image(): Uint8Array {
    const { width, height } = this.canvas;
    const box = inkBounds(this.ctx.getImageData(0, 0, width, height));
    if (!box) return new Uint8Array(PIXELS);
    const s = this.scratch.getContext('2d', { willReadFrequently: true })!;
    s.clearRect(0, 0, BITMAP, BITMAP);
    s.imageSmoothingEnabled = true;
    const to = fitBox(box.w, box.h);
    s.drawImage(this.canvas, box.x, box.y, box.w, box.h, to.x, to.y, to.w, to.h);
    const alpha = s.getImageData(0, 0, BITMAP, BITMAP).data;
    return blockCounts(Array.from({ length: BITMAP * BITMAP }, (_, i) => (alpha[i * 4 + 3]! / 255 > INK ? 1 : 0)));
  }

  private point(ev: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((ev.clientX - r.left) * this.canvas.width) / r.width, y: ((ev.clientY - r.top) * this.canvas.height) / r.height };
  }

  private down(ev: PointerEvent): void {
    this.drawing = true;
    this.canvas.setPointerCapture(ev.pointerId);
    const p = this.point(ev);
    const c = this.ctx;
    // The pen is about one 8×8 cell wide once a digit-sized drawing is scaled down.
    c.lineWidth = this.canvas.width / 11;
    c.lineCap = c.lineJoin = 'round';
    c.strokeStyle = '#1d2433';
    c.beginPath();
    c.moveTo(p.x, p.y);
    c.lineTo(p.x + 0.01, p.y);
    c.stroke();
  }

  private move(ev: PointerEvent): void {
    if (!this.drawing) return;
    const p = this.point(ev);
    this.ctx.lineTo(p.x, p.y);
    this.ctx.stroke();
  }

  private up(): void {
    if (!this.drawing) return;
    this.drawing = false;
    this.onStroke(this.image());
  }
}
