/** ConstantFill: a tensor of one value, of the given (or FLOAT) dtype. */
import { DataType, INT32_MAX, INT32_MIN, dataTypeName, storageDType, storageWords } from '../core/dtype.js';
import { arg } from './args.js';
import { fillShape, fillShapeArgs, valueBits } from './fill_common.js';
import { defineOp } from './registry.js';
import { linearWorkgroups, size } from './shape.js';

export const ConstantFill = defineOp({
  type: 'ConstantFill',
  doc: 'Fills the output with `value` (dtype FLOAT unless `dtype` says otherwise); shape from args or the input.',
  inputs: ['input'],
  inputCount: [0, 1],
  outputs: ['Y'],
  args: { ...fillShapeArgs, value: arg.float(0), dtype: arg.int(DataType.FLOAT) },
  inPlace: [[0, 0]],
  runOnce: true,
  noGradient: 'fills produce constants',
  inferShape(ctx) {
    const dtype = storageDType(ctx.args.dtype);
    if (!dtype || ctx.args.dtype === DataType.UNDEFINED) {
      ctx.argError(`dtype ${dataTypeName(ctx.args.dtype)} cannot be filled on the GPU (FLOAT, DOUBLE, INT32, INT64, BOOL, small ints)`);
    }
    const v = ctx.args.value;
    if (dtype === 'int32' && (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX)) {
      ctx.argError(`value ${v} is not an integer that fits int32, as dtype ${dataTypeName(ctx.args.dtype)} needs`);
    }
    if (ctx.args.dtype === DataType.BOOL && v !== 0 && v !== 1) ctx.argError(`value ${v} is not a BOOL (0 or 1)`);
    return [{ shape: fillShape(ctx), dtype: dtype! }];
  },
  kernels(ctx, [y]) {
    const n = storageWords(y!.dtype, size(y!.shape));
    return [
      {
        shader: 'fill_constant.wgsl',
        bindings: { Y: { output: 0 } },
        uniforms: { n, bits: valueBits(ctx.args.value, y!.dtype) },
        workgroups: linearWorkgroups(n),
      },
    ];
  },
  // An input gives only the shape: the stage reads none.
  fusable: (ctx, [y]) => [{ class: 'map', items: size(y!.shape), reads: [], pointwise: true, body: `stu(out0 + i, ${valueBits(ctx.args.value, y!.dtype)}u);` }],
  reference(inputs, args) {
    const shape = inputs.length ? [...inputs[0]!.shape, ...(args.extra_shape ?? [])] : [...(args.shape ?? [])];
    const value = storageDType(args.dtype) === 'float32' ? Math.fround(args.value) : args.value;
    return [{ shape, data: new Float64Array(size(shape)).fill(value) }];
  },
});
