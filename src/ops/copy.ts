/** Copy and StopGradient: identity on the data; they differ in what the autodiff does with them. */
import { defineOp, type KernelCall, type OpContext, type TensorInfo } from './registry.js';
import { linearWorkgroups, size } from './shape.js';
import type { ArgSchema } from './args.js';

function identityKernels(ctx: OpContext<ArgSchema>, [y]: readonly TensorInfo[]): KernelCall[] {
  // In place there is nothing to move.
  if (ctx.op.input[0] === ctx.op.output[0]) return [];
  const n = size(y!.shape);
  return [{ shader: 'copy.wgsl', uniforms: { n }, workgroups: linearWorkgroups(n) }];
}

export const Copy = defineOp({
  type: 'Copy',
  doc: 'Y = X (a copy).',
  inputs: ['X'],
  outputs: ['Y'],
  args: {},
  inPlace: [[0, 0]],
  inferShape: (ctx) => [{ shape: ctx.inputs[0]!.shape, dtype: ctx.inputs[0]!.dtype }],
  kernels: identityKernels,
  gradient: (g) => {
    const dy = g.GO(0)!;
    return { ops: [g.op('Copy', [dy], [g.GI(0)])], inputGrads: [g.GI(0)] };
  },
  reference: ([x]) => [{ shape: [...x!.shape], data: Float64Array.from(x!.data) }],
});

export const StopGradient = defineOp({
  type: 'StopGradient',
  doc: 'Y = X; no gradient flows back through it (in place, it erases the gradient of X).',
  inputs: ['X'],
  outputs: ['Y'],
  args: {},
  inPlace: [[0, 0]],
  inferShape: (ctx) => [{ shape: ctx.inputs[0]!.shape, dtype: ctx.inputs[0]!.dtype }],
  kernels: identityKernels,
  noGradient: 'it exists to stop gradients',
  reference: ([x]) => [{ shape: [...x!.shape], data: Float64Array.from(x!.data) }],
});
