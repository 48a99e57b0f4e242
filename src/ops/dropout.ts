/**
 * Dropout and DropoutGrad (Caffe2's name for its gradient). Training keeps each element with
 * probability 1 - ratio and scales kept ones by 1 / (1 - ratio), drawing from the workspace's
 * Philox stream keyed by (seed, op index, run) like the random fills; the mask output (int32 0/1,
 * Caffe2's bool) feeds the gradient. is_test: Y = X, the mask is not written.
 */
import { fmtShape } from '../core/errors.js';
import { arg } from './args.js';
import { copyCall } from './copy.js';
import { defineOp, type KernelCall, type OpContext } from './registry.js';
import { ceilDiv, linearWorkgroups, requireDType, size } from './shape.js';

const dropoutArgs = {
  ratio: arg.float(0.5),
  is_test: arg.bool(0),
};

type DropoutContext = OpContext<typeof dropoutArgs>;

/** Checks 0 <= ratio <= 1 and returns the scale of kept elements (0 when ratio = 1 drops all). */
function keepScale(ctx: DropoutContext): number {
  const { ratio } = ctx.args;
  if (!(ratio >= 0 && ratio <= 1)) ctx.argError(`ratio must be in [0, 1], got ${ratio}`);
  return ratio >= 1 ? 0 : 1 / (1 - ratio);
}

/** Y = X: nothing when in place, else one copy. */
function identityCalls(ctx: DropoutContext, n: number): KernelCall[] {
  return n === 0 || ctx.op.input[0] === ctx.op.output[0] ? [] : [copyCall({ input: 0 }, { output: 0 }, n)];
}

export const Dropout = defineOp({
  type: 'Dropout',
  doc: 'Training: Y = X * mask / (1 - ratio) with mask ~ Bernoulli(1 - ratio) from the seeded Philox stream, mask as int32 0/1; is_test=1: Y = X.',
  inputs: ['X'],
  outputs: ['Y', 'mask'],
  outputCount: [1, 2],
  inPlace: [[0, 0]],
  random: true,
  args: dropoutArgs,
  inferShape(ctx) {
    keepScale(ctx);
    const x = ctx.inputs[0]!;
    requireDType(ctx, ctx.op.input[0]!, x, 'float32');
    if (!ctx.args.is_test && ctx.op.output.length !== 2) {
      ctx.argError(`in training (is_test=0) needs two outputs [Y, mask]; got ${ctx.op.output.length}`);
    }
    return [
      { shape: x.shape, dtype: 'float32' as const },
      { shape: x.shape, dtype: 'int32' as const },
    ].slice(0, ctx.op.output.length);
  },
  kernels(ctx) {
    const scale = keepScale(ctx);
    const n = size(ctx.inputs[0]!.shape);
    if (ctx.args.is_test) return identityCalls(ctx, n);
    if (n === 0) return [];
    return [
      {
        shader: 'dropout.wgsl',
        bindings: { rng: { rng: true }, mask: { output: 1 } },
        uniforms: { n, stream: ctx.index, keep: Math.fround(1 - ctx.args.ratio), scale },
        workgroups: linearWorkgroups(ceilDiv(n, 4), 64),
      },
    ];
  },
  gradient: (g) => {
    const isTest = g.def.arg.some((a) => a.name === 'is_test' && a.i === 1);
    return { ops: [g.op('DropoutGrad', isTest ? [g.GO(0)!] : [g.GO(0)!, g.O(1)], [g.GI(0)])], inputGrads: [g.GI(0)] };
  },
});

export const DropoutGrad = defineOp({
  type: 'DropoutGrad',
  doc: 'Gradient of Dropout: dX = dY * mask / (1 - ratio) from [dY, mask]; with is_test=1, dX = dY from [dY].',
  inputs: ['dY', 'mask'],
  inputCount: [1, 2],
  outputs: ['dX'],
  inPlace: [[0, 0]],
  args: dropoutArgs,
  noGradient: 'second derivatives of Dropout are not needed for training',
  inferShape(ctx) {
    keepScale(ctx);
    const dy = ctx.inputs[0]!;
    requireDType(ctx, ctx.op.input[0]!, dy, 'float32');
    if (!ctx.args.is_test) {
      const mask = ctx.inputs[1];
      if (!mask) ctx.argError('in training (is_test=0) needs the mask: inputs [dY, mask]');
      requireDType(ctx, ctx.op.input[1]!, mask, 'int32');
      if (size(mask.shape) !== size(dy.shape)) {
        ctx.shapeError(`input ${ctx.op.input[1]} has shape ${fmtShape(mask.shape)}, but ${ctx.op.input[0]} has shape ${fmtShape(dy.shape)} (expected as many elements)`);
      }
    }
    return [{ shape: dy.shape, dtype: 'float32' }];
  },
  kernels(ctx) {
    const scale = keepScale(ctx);
    const n = size(ctx.inputs[0]!.shape);
    if (ctx.args.is_test) return identityCalls(ctx, n);
    if (n === 0) return [];
    return [{ shader: 'dropout_grad.wgsl', uniforms: { n, scale }, workgroups: linearWorkgroups(n) }];
  },
  reference([dy, mask], args) {
    const scale = args.ratio >= 1 ? 0 : 1 / (1 - args.ratio);
    const dx = args.is_test ? Float64Array.from(dy!.data) : dy!.data.map((g, i) => (mask!.data[i] ? g * Math.fround(scale) : 0));
    return [{ shape: [...dy!.shape], data: dx }];
  },
});
