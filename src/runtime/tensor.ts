/** What FetchBlob returns: shape, typed data, nested arrays, and a numpy-like print. */
import type { DType } from '../core/dtype.js';

export type NestedArray = number | NestedArray[];

/** Shortest decimal that reads back as the same float32 (what numpy prints for float32). */
export function formatFloat32(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  let text = '';
  for (let p = 1; p <= 9; p++) {
    text = v.toPrecision(p);
    if (Math.fround(Number(text)) === v) break;
  }
  const n = Number(text);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) {
    // numpy switches to scientific notation for very large or small magnitudes.
    const [m, e] = n.toExponential().split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const plain = String(n);
  return plain.includes('.') ? plain : `${plain}.`;
}

/** A fetched tensor: a host copy, detached from the GPU. */
export class Tensor {
  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly data: Float32Array | Int32Array,
  ) {}

  /** Nested arrays (a plain number for a 0-d tensor). */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset]!;
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** numpy's str(): `[[-0.905963 -0.21433014]]`, a 0-d tensor as its bare value. */
  toString(): string {
    const fmt = (v: number): string => (this.dtype === 'float32' ? formatFloat32(v) : String(v));
    const cells = Array.from(this.data, fmt);
    if (this.shape.length === 0) return cells[0] ?? '';
    // Like numpy, columns line up across rows: pad every cell to the widest one when there are rows.
    const rows = this.shape.length > 1 && this.shape.slice(0, -1).some((d) => d > 1);
    const width = rows ? Math.max(0, ...cells.map((c) => c.length)) : 0;
    const build = (dim: number, offset: number, indent: string): string => {
      if (dim === this.shape.length - 1) {
        const n = this.shape[dim]!;
        return `[${cells.slice(offset, offset + n).map((c) => c.padStart(width)).join(' ')}]`;
      }
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      const parts = Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, offset + i * stride, indent + ' '));
      const sep = '\n'.repeat(this.shape.length - dim - 1) + indent + ' ';
      return `[${parts.join(sep)}]`;
    };
    return build(0, 0, '');
  }

  /** Node's console.log shows the numpy-like text. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
