/** Copy and StopGradient: identity on the data; they differ in what the autodiff does with them. */
import { storageWords } from '../core/dtype.js';
import { defineOp, type BindingSource, type FusedStage, type KernelCall, type OpContext, type TensorInfo } from './registry.js';
import { linearWorkgroups, size } from './shape.js';
import type { ArgSchema } from './args.js';

/** A copy.wgsl dispatch moving `words` 4-byte words from one buffer to another. */
export function copyCall(from: BindingSource, to: BindingSource, words: number): KernelCall {
  return { shader: 'copy.wgsl', bindings: { X: from, Y: to }, uniforms: { n: words }, workgroups: linearWorkgroups(words) };
}

/**
 * Output 0 = input 0 with the data unchanged (Copy, and the reshaping ops, whose output only
 * relabels the dims); nothing to run in place or when empty.
 */
export function identityKernels<S extends ArgSchema>(ctx: OpContext<S>, [y]: readonly TensorInfo[]): KernelCall[] {
  const words = storageWords(y!.dtype, size(y!.shape));
  if (ctx.op.input[0] === ctx.op.output[0] || words === 0) return [];
  return [copyCall({ input: 0 }, { output: 0 }, words)];
}

/** The copy as a fusable map (in place it moves each word onto itself). */
export function identityFused<S extends ArgSchema>(_ctx: OpContext<S>, [y]: readonly TensorInfo[]): FusedStage[] {
  return [{ class: 'map', items: storageWords(y!.dtype, size(y!.shape)), pointwise: true, body: 'stu(out0 + i, ldu(in0 + i));' }];
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
  fusable: identityFused,
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
  fusable: identityFused,
  noGradient: 'it exists to stop gradients',
  reference: ([x]) => [{ shape: [...x!.shape], data: Float64Array.from(x!.data) }],
});
