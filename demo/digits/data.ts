/**
 * The 8×8 digits set (demo/digits/data/, see its README): parsed from scikit-learn's digits.csv.gz,
 * split by position into training and held-out rows, and turned into a Caffe2 minidb of TensorProtos
 * records (uint8 [1, 8, 8] image, int32 label) that TensorProtosDBInput reads on the GPU.
 */
import { DataType, proto } from '../../src/index.js';

export const SIDE = 8;
export const PIXELS = SIDE * SIDE;
/** Pixel values count "on" bits of a 4×4 block of the original 32×32 bitmap. */
export const MAX_INTENSITY = 16;
/** The last rows are held out (scikit-learn's examples split the same way). */
export const HELD_OUT = 297;

/** Images as rows of 64 intensities (0–16) and their digits. */
export interface DigitSet {
  count: number;
  pixels: Uint8Array;
  labels: Int32Array;
}

/** Parses digits.csv: one row per image, 64 intensities then the digit. */
export function parseDigitsCsv(text: string): DigitSet {
  const rows = text.split('\n').filter((line) => line.trim() !== '');
  const pixels = new Uint8Array(rows.length * PIXELS);
  const labels = new Int32Array(rows.length);
  rows.forEach((row, i) => {
    const values = row.split(',').map(Number);
    const bad = values.length !== PIXELS + 1 || values.some((v, j) => !Number.isInteger(v) || v < 0 || v > (j === PIXELS ? 9 : MAX_INTENSITY));
    if (bad) throw new Error(`digits.csv row ${i + 1}: expected 64 intensities 0–16 and a digit 0–9, got "${row.slice(0, 60)}…"`);
    pixels.set(values.slice(0, PIXELS), i * PIXELS);
    labels[i] = values[PIXELS]!;
  });
  return { count: rows.length, pixels, labels };
}

/** Rows [start, end) of a set. */
export function slice(set: DigitSet, start: number, end: number): DigitSet {
  return { count: end - start, pixels: set.pixels.slice(start * PIXELS, end * PIXELS), labels: set.labels.slice(start, end) };
}

/** The first rows train, the last HELD_OUT rows are only ever evaluated. */
export function split(set: DigitSet): { train: DigitSet; test: DigitSet } {
  const cut = set.count - HELD_OUT;
  return { train: slice(set, 0, cut), test: slice(set, cut, set.count) };
}

/** A minidb of Caffe2's data-input records, keyed %08d like make_mnist_db's. */
export function toMinidb(set: DigitSet): Uint8Array {
  const entries = Array.from({ length: set.count }, (_, i) => ({
    key: String(i).padStart(8, '0'),
    tensors: [
      { name: '', shape: [1, SIDE, SIDE], dtype: 'int32' as const, data: Int32Array.from(set.pixels.subarray(i * PIXELS, (i + 1) * PIXELS)), dataType: DataType.BYTE },
      { name: '', shape: [], dtype: 'int32' as const, data: Int32Array.of(set.labels[i]!), dataType: DataType.INT32 },
    ],
  }));
  return proto.writeTensorDB(entries, 'minidb');
}

/** Images scaled to [0, 1] as the nets read them (the train net scales its uint8 batch the same way). */
export function toFloat(pixels: ArrayLike<number>): Float32Array {
  return Float32Array.from(pixels, (v) => v / MAX_INTENSITY);
}

/** Fetches the shipped csv.gz and parses it; a server that already un-gzipped it works too. */
export async function loadDigits(url: string): Promise<DigitSet> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load the digits data (${url}): HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const text = gzipped
    ? await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text()
    : new TextDecoder().decode(bytes);
  return parseDigitsCsv(text);
}
