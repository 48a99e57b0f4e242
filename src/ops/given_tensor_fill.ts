/** GivenTensorFill / GivenTensorIntFill / GivenTensorInt64Fill / GivenTensorBoolFill: a tensor of given values. */
import { fmtShape } from '../core/errors.js';
import { INT32_MAX, INT32_MIN, type DType } from '../core/dtype.js';
import { arg } from './args.js';
import { fillShape, fillShapeArgs } from './fill_common.js';
import { defineOp, type OpContext } from './registry.js';
import { linearWorkgroups, size } from './shape.js';

function givenFill(type: string, dtype: DType, valuesKind: 'floats' | 'ints', check?: (v: number) => string | null) {
  const args = { ...fillShapeArgs, values: valuesKind === 'floats' ? arg.floats() : arg.ints() };
  const valuesOf = (ctx: OpContext<typeof args>): readonly number[] => ctx.args.values ?? [];
  return defineOp({
    type,
    doc: `Fills the output with the given \`values\` (row-major, ${dtype}).`,
    inputs: ['input'],
    inputCount: [0, 1],
    outputs: ['Y'],
    args,
    inPlace: [[0, 0]],
    runOnce: true,
    noGradient: 'fills produce constants',
    inferShape(ctx) {
      const shape = fillShape(ctx);
      const values = valuesOf(ctx);
      if (values.length !== size(shape)) {
        ctx.argError(`shape ${fmtShape(shape)} holds ${size(shape)} values, but values has ${values.length}`);
      }
      values.forEach((v, i) => {
        const why = check?.(v);
        if (why) ctx.argError(`values[${i}] = ${v} ${why}`);
      });
      return [{ shape, dtype }];
    },
    kernels(ctx, [y]) {
      const n = size(y!.shape);
      const values = valuesOf(ctx);
      return [
        {
          shader: 'copy.wgsl',
          bindings: { X: { constant: dtype === 'float32' ? Float32Array.from(values) : Int32Array.from(values) }, Y: { output: 0 } },
          uniforms: { n },
          workgroups: linearWorkgroups(n),
        },
      ];
    },
    reference(inputs, a) {
      const shape = inputs.length ? [...inputs[0]!.shape, ...(a.extra_shape ?? [])] : [...(a.shape ?? [])];
      const data = Float64Array.from(a.values ?? [], (v) => (dtype === 'float32' ? Math.fround(v) : v));
      return [{ shape, data }];
    },
  });
}

const int32Check = (v: number): string | null => (v < INT32_MIN || v > INT32_MAX ? 'does not fit int32 (int64 is stored as int32 on the GPU)' : null);

export const GivenTensorFill = givenFill('GivenTensorFill', 'float32', 'floats');
export const GivenTensorIntFill = givenFill('GivenTensorIntFill', 'int32', 'ints', int32Check);
export const GivenTensorInt64Fill = givenFill('GivenTensorInt64Fill', 'int32', 'ints', int32Check);
export const GivenTensorBoolFill = givenFill('GivenTensorBoolFill', 'int32', 'ints', (v) => (v === 0 || v === 1 ? null : 'is not a bool (0 or 1)'));
