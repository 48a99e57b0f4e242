/** Turns what a user feeds (nested arrays, typed arrays, numbers) into flat data plus a shape. */
import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { DataType, INT32_MAX, INT32_MIN, storageDType, type DType, type HostArray } from '../core/dtype.js';
import { size } from '../ops/shape.js';

/** Anything FeedBlob accepts. */
export type FeedData =
  | number
  | readonly unknown[]
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint8Array
  | Uint8ClampedArray
  | BigInt64Array
  | { shape: readonly number[]; data: ArrayLike<number>; dtype?: DType };

export interface FeedOptions {
  /** The tensor's shape; taken from nested arrays or the tensor when omitted (flat arrays → 1-d). */
  shape?: readonly number[];
  /** float32, int32 or uint8, or a core.DataType number (INT64/BOOL stored as int32, DOUBLE as float32, UINT8/BYTE packed). */
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
  if (d === undefined || d === 'float32' || d === 'int32' || d === 'uint8') return d;
  if (d === DataType.UINT8 || d === DataType.BYTE) return 'uint8';
  const s = storageDType(d);
  if (!s) throw new DTypeError(`${where}: DataType ${d} cannot be stored on the GPU (FLOAT, DOUBLE, INT32, INT64, BOOL and small ints can)`);
  return s;
}

/** A typed array of numbers (not a DataView). */
type NumericView = Exclude<ArrayBufferView, DataView> & ArrayLike<number | bigint>;

function isNumericView(v: unknown): v is NumericView {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/**
 * int32 values of `flat`, range-checked. An Int32Array is taken as it is; other sources need a
 * per-element check (a float that is not an integer must not be truncated silently).
 */
function toInt32(flat: ArrayLike<number | bigint>, where: string): Int32Array {
  if (flat instanceof Int32Array) return flat;
  const out = new Int32Array(flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = Number(flat[i]);
    if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
      throw new DTypeError(`${where}: value ${String(flat[i])} at index ${i} does not fit int32 (int64 blobs are stored as int32 on the GPU)`);
    }
    out[i] = v;
  }
  return out;
}

/** uint8 values of `flat`, range-checked, padded with zeros to whole 4-byte words (how the GPU stores them). */
function toUint8(flat: ArrayLike<number | bigint>, where: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(Math.ceil(flat.length / 4) * 4);
  if (flat instanceof Uint8Array || flat instanceof Uint8ClampedArray) {
    out.set(flat);
    return out;
  }
  for (let i = 0; i < flat.length; i++) {
    const v = Number(flat[i]);
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new DTypeError(`${where}: value ${String(flat[i])} at index ${i} does not fit uint8 (0 to 255)`);
    out[i] = v;
  }
  return out;
}

/**
 * float32 values of `flat`. A Float32Array is taken as it is (the GPU upload copies it, so
 * nothing else does); other typed arrays convert natively, never element by element in JS.
 */
function toFloat32(flat: ArrayLike<number | bigint>): Float32Array {
  if (flat instanceof Float32Array) return flat;
  if (flat instanceof BigInt64Array || flat instanceof BigUint64Array) return Float32Array.from(flat, Number);
  return new Float32Array(flat as ArrayLike<number>);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return typeof v;
}

/** What is fed, checked: flat values, shape and dtype. */
export interface HostTensor {
  shape: number[];
  dtype: DType;
  values: HostArray;
  /** True when `values` is the caller's own array (no conversion was needed), so still theirs to change. */
  borrowed: boolean;
}

/** Flat host values, shape and dtype of what is fed, with shape, type and int32 range checks. */
export function toHostTensor(data: FeedData, options: FeedOptions, where: string): HostTensor {
  let dtype = resolveDType(options.dtype, where);
  let flat: ArrayLike<number | bigint>;
  let shape: number[];
  if (typeof data === 'number') {
    flat = [data];
    shape = [];
  } else if (Array.isArray(data)) {
    shape = nestedShape(data, where);
    flat = (data as unknown[]).flat(Infinity) as number[];
    const bad = (flat as unknown[]).findIndex((x) => typeof x !== 'number');
    if (bad >= 0) throw new ArgumentError(`${where}: arrays must hold numbers only; element ${bad} is ${describe((flat as unknown[])[bad])}`);
  } else if (isNumericView(data)) {
    flat = data;
    shape = [flat.length];
    if (data instanceof Int32Array || data instanceof BigInt64Array) dtype ??= 'int32';
    if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) dtype ??= 'uint8';
  } else if (typeof data === 'object' && data !== null && 'shape' in data && 'data' in data && Array.isArray(data.shape)) {
    const t = data as { shape: readonly number[]; data: unknown; dtype?: DType };
    if (!isNumericView(t.data) && !Array.isArray(t.data)) {
      throw new ArgumentError(`${where}: a { shape, data } tensor needs data as a typed or plain array of numbers, got ${describe(t.data)}`);
    }
    if (Array.isArray(t.data) && t.data.some((x) => typeof x !== 'number')) throw new ArgumentError(`${where}: data must hold numbers only`);
    flat = t.data as ArrayLike<number>;
    shape = [...t.shape];
    dtype ??= t.dtype ?? (t.data instanceof Int32Array ? 'int32' : undefined);
  } else {
    throw new ArgumentError(
      `${where}: cannot feed ${describe(data)}; give a number, nested arrays of numbers, a typed array, or { shape, data }`,
    );
  }
  if (options.shape !== undefined) {
    if (!Array.isArray(options.shape)) throw new ArgumentError(`${where}: shape must be an array of dims, got ${describe(options.shape)}`);
    shape = [...options.shape];
  }
  if (shape.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
    throw new ShapeError(`${where}: shape ${fmtShape(shape)} must hold non-negative integers`);
  }
  if (size(shape) !== flat.length) {
    throw new ShapeError(`${where}: shape ${fmtShape(shape)} holds ${size(shape)} values, but ${flat.length} were given`);
  }
  dtype ??= 'float32';
  // A SharedArrayBuffer-backed view works with writeBuffer like any other.
  const values = (dtype === 'int32' ? toInt32(flat, where) : dtype === 'uint8' ? toUint8(flat, where) : toFloat32(flat)) as HostArray;
  return { shape, dtype, values, borrowed: values === flat };
}
