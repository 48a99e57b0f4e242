/** What FetchBlob returns: shape, typed data, nested arrays, and a numpy-like print. */
import type { DType } from '../core/dtype.js';
import { formatArray } from '../core/numpy_format.js';

export { formatFloat32 } from '../core/numpy_format.js';

export type NestedArray = number | NestedArray[];

/** A fetched tensor: a host copy, detached from the GPU. */
export class Tensor {
  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    /** Float32Array for float32; Int32Array for int32 and for uint8 (each byte widened to an int). */
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

  /** numpy's str(): `[[-0.905963   -0.21433014]]`, a 0-d tensor as its bare value. */
  toString(): string {
    return formatArray(this.shape, this.data, this.dtype === 'float32');
  }

  /** Node's console.log shows the numpy-like text. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
