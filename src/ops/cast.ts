/**
 * Cast: converts a tensor to the DataType `to` (a number or a name such as "FLOAT"), from float32,
 * int32 or packed uint8 storage. Its gradient is a Cast back, which needs the forward op to say
 * `from_type`, as in Caffe2.
 */
import { DataType, dataTypeName, type DType } from '../core/dtype.js';
import { ArgumentError } from '../core/errors.js';
import { arg } from './args.js';
import { defineOp, type HostTensor } from './registry.js';
import { linearWorkgroups, size } from './shape.js';

/** What cast.wgsl calls each target (TO), and the dtype that stores it. */
const TARGETS: Readonly<Record<number, { mode: number; dtype: DType }>> = {
  [DataType.FLOAT]: { mode: 0, dtype: 'float32' },
  [DataType.DOUBLE]: { mode: 0, dtype: 'float32' },
  [DataType.FLOAT16]: { mode: 0, dtype: 'float32' },
  [DataType.INT32]: { mode: 1, dtype: 'int32' },
  [DataType.INT64]: { mode: 1, dtype: 'int32' },
  [DataType.BOOL]: { mode: 2, dtype: 'int32' },
  [DataType.UINT8]: { mode: 3, dtype: 'uint8' },
  [DataType.BYTE]: { mode: 3, dtype: 'uint8' },
  [DataType.INT8]: { mode: 4, dtype: 'int32' },
  [DataType.INT16]: { mode: 5, dtype: 'int32' },
  [DataType.UINT16]: { mode: 6, dtype: 'int32' },
};

/** cast.wgsl's FROM for each source dtype. */
const SOURCES: Readonly<Record<DType, number>> = { float32: 0, int32: 1, uint8: 2 };

const castArgs = {
  to: arg.dtype(DataType.FLOAT),
  /** The input's DataType; only the gradient reads it (Caffe2 requires it there). */
  from_type: arg.dtype(),
};

/** One value converted as cast.wgsl converts it, in float64. */
function castValue(v: number, mode: number, fromFloat: boolean): number {
  if (mode === 0) return Math.fround(v);
  if (mode === 2) return v !== 0 ? 1 : 0;
  // Truncation toward zero, saturated at the int32 range as WGSL's conversion is.
  const i = fromFloat ? Math.max(-2147483648, Math.min(2147483647, Math.trunc(v))) : v;
  if (mode === 3) return i & 0xff;
  if (mode === 4) return (i << 24) >> 24;
  if (mode === 5) return (i << 16) >> 16;
  if (mode === 6) return i & 0xffff;
  return i;
}

export const Cast = defineOp({
  type: 'Cast',
  doc: 'Y = X converted to DataType `to` (number or name; default FLOAT); float to int truncates toward zero, UINT8 and BYTE are stored packed.',
  inputs: ['input'],
  outputs: ['output'],
  args: castArgs,
  inferShape(ctx) {
    const target = TARGETS[ctx.args.to];
    if (!target) {
      ctx.argError(`cannot cast to ${dataTypeName(ctx.args.to)} (supported: ${Object.keys(TARGETS).map((k) => dataTypeName(Number(k))).join(', ')})`);
    }
    return [{ shape: ctx.inputs[0]!.shape, dtype: target!.dtype }];
  },
  kernels(ctx, [y]) {
    const n = size(y!.shape);
    if (n === 0) return [];
    const target = TARGETS[ctx.args.to]!;
    // A uint8 target is written a word (four elements) per thread.
    const threads = target.mode === 3 ? Math.ceil(n / 4) : n;
    return [
      {
        shader: 'cast.wgsl',
        bindings: { X: { input: 0 }, Y: { output: 0 } },
        overrides: { FROM: SOURCES[ctx.inputs[0]!.dtype], TO: target.mode },
        uniforms: { n },
        workgroups: linearWorkgroups(threads),
      },
    ];
  },
  // The gradient's `to` and `from_type` are the forward's, swapped.
  copyArgs: false,
  gradient: (g) => {
    const find = (name: string) => g.def.arg.find((a) => a.name === name);
    const from = find('from_type');
    if (!from) {
      throw new ArgumentError(`Cast "${g.O(0)}": argument from_type is required to get the gradient of Cast (it names the DataType to cast the gradient back to)`);
    }
    const to = find('to') ?? { name: 'to', i: DataType.FLOAT };
    return {
      ops: [g.op('Cast', [g.GO(0)!], [g.GI(0)], [{ ...from, name: 'to' }, { ...to, name: 'from_type' }])],
      inputGrads: [g.GI(0)],
    };
  },
  reference([x], args) {
    const target = TARGETS[args.to]!;
    const data = x!.data.map((v) => castValue(v, target.mode, (x!.dtype ?? 'float32') === 'float32'));
    const out: HostTensor = { shape: [...x!.shape], data, dtype: target.dtype };
    return [out];
  },
});
