/** Scale: Y = scale · X (float32), in place allowed; its gradient is a Scale of dY by the same factor. */
import { arg } from './args.js';
import { defineOp, f32Lit } from './registry.js';
import { linearWorkgroups, requireDType, size } from './shape.js';

export const Scale = defineOp({
  type: 'Scale',
  doc: 'Y = scale · X (float32); Y may be X.',
  inputs: ['X'],
  outputs: ['Y'],
  args: { scale: arg.float(1.0) },
  inPlace: [[0, 0]],
  inferShape(ctx) {
    const x = ctx.inputs[0]!;
    requireDType(ctx, ctx.op.input[0]!, x, 'float32');
    return [{ shape: x.shape, dtype: 'float32' }];
  },
  kernels(ctx, [y]) {
    const n = size(y!.shape);
    // In place (Y = X) the planner reads X through Y's binding: the kernel is pointwise.
    return [{ shader: 'scale.wgsl', uniforms: { n, scale: ctx.args.scale }, workgroups: linearWorkgroups(n), pointwise: true }];
  },
  fusable: (ctx, [y]) => [{ class: 'map', items: size(y!.shape), pointwise: true, body: `stf(out0 + i, ldf(in0 + i) * ${f32Lit(ctx.args.scale)});` }],
  // The autodiff copies the forward's `scale` onto the gradient op.
  gradient: (g) => ({ ops: [g.op('Scale', [g.GO(0)!], [g.GI(0)])], inputGrads: [g.GI(0)] }),
  reference: ([x], args) => [{ shape: [...x!.shape], data: x!.data.map((v) => v * Math.fround(args.scale)) }],
});
