/** Turns what a user feeds (nested arrays, typed arrays, numbers) into flat data plus a shape. */
import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { INT32_MAX, INT32_MIN, storageDType, type DType, type HostArray } from '../core/dtype.js';
import { size } from '../ops/shape.js';

/** Anything FeedBlob accepts. */
export type FeedData =
  | number
  | readonly unknown[]
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | { shape: readonly number[]; data: ArrayLike<number>; dtype?: DType };

export interface FeedOptions {
  /** The tensor's shape; taken from nested arrays or the tensor when omitted (flat arrays → 1-d). */
  shape?: readonly number[];
  /** float32 or int32, or a core.DataType number (INT64/BOOL stored as int32, DOUBLE as float32). */
  dtype?: DType | number;
}

function nestedShape(v: unknown, where: string): number[] {
  if (!Array.isArray(v)) return [];
  const inner = v.length ? nestedShape(v[0], where) : [];
  for (const e of v) {
    const s = nestedShape(e, where);
    if (s.length !== inner.length || s.some((d, i) => d !== inner[i])) {
      throw new ShapeError(`${where}: nested arrays are ragged (rows of shapes ${fmtShape(inner)} and ${fmtShape(s)})`);
    }
  }
  return [v.length, ...inner];
}

function resolveDType(d: FeedOptions['dtype'], where: string): DType | undefined {
  if (d === undefined || d === 'float32' || d === 'int32') return d;
  const s = storageDType(d);
  if (!s) throw new DTypeError(`${where}: DataType ${d} cannot be stored on the GPU (FLOAT, DOUBLE, INT32, INT64, BOOL and small ints can)`);
  return s;
}

/** Flat host values, shape and dtype of what is fed, with int32 range checks. */
export function toHostTensor(data: FeedData, options: FeedOptions, where: string): { shape: number[]; dtype: DType; values: HostArray } {
  let dtype = resolveDType(options.dtype, where);
  let flat: ArrayLike<number | bigint>;
  let shape: number[];
  if (typeof data === 'number') {
    flat = [data];
    shape = [];
  } else if (Array.isArray(data)) {
    shape = nestedShape(data, where);
    flat = (data as unknown[]).flat(Infinity) as number[];
    if (!(flat as unknown[]).every((x) => typeof x === 'number')) throw new ArgumentError(`${where}: arrays must hold numbers only`);
  } else if (ArrayBuffer.isView(data)) {
    flat = data as ArrayLike<number | bigint>;
    shape = [flat.length];
    if (data instanceof Int32Array || data instanceof BigInt64Array) dtype ??= 'int32';
  } else {
    const t = data as { shape: readonly number[]; data: ArrayLike<number>; dtype?: DType };
    flat = t.data;
    shape = [...t.shape];
    dtype ??= t.dtype ?? (t.data instanceof Int32Array ? 'int32' : undefined);
  }
  if (options.shape) shape = [...options.shape];
  if (size(shape) !== flat.length) {
    throw new ShapeError(`${where}: shape ${fmtShape(shape)} holds ${size(shape)} values, but ${flat.length} were given`);
  }
  dtype ??= 'float32';
  if (dtype === 'int32') {
    const out = new Int32Array(flat.length);
    for (let i = 0; i < flat.length; i++) {
      const v = Number(flat[i]);
      if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
        throw new DTypeError(`${where}: value ${String(flat[i])} at index ${i} does not fit int32 (int64 blobs are stored as int32 on the GPU)`);
      }
      out[i] = v;
    }
    return { shape, dtype, values: out };
  }
  return { shape, dtype, values: Float32Array.from(flat, Number) };
}
