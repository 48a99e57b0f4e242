/**
 * What net.Const(array) builds: the fill op Caffe2 picks by element type, the shape of a nested
 * array, and its values row-major.
 */
import { DataType, dataTypeName } from '../core/dtype.js';
import { describeValue } from './blob_reference.js';

/** A value net.Const accepts: a number, a boolean, a typed array, or nested arrays of them. */
export type ConstValue = number | boolean | Float32Array | Float64Array | Int32Array | readonly ConstValue[];

/** The fill op, its arguments, and whether it is the scalar ConstantFill Caffe2 uses for a lone bool. */
export interface ConstFill {
  type: 'GivenTensorFill' | 'GivenTensorIntFill' | 'GivenTensorInt64Fill' | 'GivenTensorBoolFill' | 'ConstantFill';
  args: Record<string, unknown>;
}

function flatten(v: ConstValue, where: string): { shape: number[]; values: Array<number | boolean> } {
  if (typeof v === 'number' || typeof v === 'boolean') return { shape: [], values: [v] };
  if (v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array) return { shape: [v.length], values: [...v] };
  if (!Array.isArray(v)) throw new TypeError(`${where}: expected numbers, booleans or nested arrays of them, got ${describeValue(v)}`);
  const parts = v.map((x) => flatten(x, where));
  const inner = parts[0]?.shape ?? [];
  if (parts.some((p) => p.shape.join() !== inner.join())) {
    throw new TypeError(`${where}: the nested arrays are ragged (rows of shapes ${parts.map((p) => `[${p.shape.join(',')}]`).join(', ')})`);
  }
  return { shape: [v.length, ...inner], values: parts.flatMap((p) => p.values) };
}

/**
 * The fill for `value`. Plain JS numbers are FLOAT (JS cannot tell 1 from 1.0, where numpy would
 * make int64): pass `dtype` INT32/INT64 or an Int32Array for integers. Booleans are BOOL.
 */
export function constFill(value: ConstValue, dtype: number | undefined, where: string): ConstFill {
  if (typeof value === 'boolean' && dtype === undefined) {
    return { type: 'ConstantFill', args: { shape: [], dtype: DataType.BOOL, value: value ? 1 : 0 } };
  }
  const { shape, values } = flatten(value, where);
  const isBool = values.length > 0 && values.every((x) => typeof x === 'boolean');
  if (values.some((x) => typeof x === 'boolean') && !isBool) throw new TypeError(`${where}: mixes booleans and numbers`);
  const kind = dtype ?? (isBool ? DataType.BOOL : value instanceof Int32Array ? DataType.INT32 : DataType.FLOAT);
  const nums = values.map(Number);
  switch (kind) {
    case DataType.FLOAT:
    case DataType.DOUBLE:
      return { type: 'GivenTensorFill', args: { shape, values: nums } };
    case DataType.INT32:
      return { type: 'GivenTensorIntFill', args: { shape, values: nums } };
    case DataType.INT64:
      return { type: 'GivenTensorInt64Fill', args: { shape, values: nums } };
    case DataType.BOOL:
      return { type: 'GivenTensorBoolFill', args: { shape, values: nums } };
    default:
      throw new TypeError(`${where}: dtype ${dataTypeName(kind)} has no constant fill here (FLOAT, DOUBLE, INT32, INT64, BOOL)`);
  }
}
