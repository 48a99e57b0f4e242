/** AveragedLoss and SumElements (sum of all elements into a 0-d tensor, optionally averaged) and their gradients. */
import { fmtShape } from '../core/errors.js';
import { arg, type ArgSchema } from './args.js';
import { defineOp, f32Lit, type FusedStage, type HostTensor, type KernelCall, type OpContext, type TensorInfo } from './registry.js';
import { linearWorkgroups, requireDType, size } from './shape.js';

/** 1/n when averaging a non-empty tensor, else 1 (an empty sum stays 0 rather than NaN, as in Caffe2). */
function scaleOf(n: number, average: boolean): number {
  return average && n > 0 ? 1 / n : 1;
}

function reduceShape(ctx: OpContext<ArgSchema>): TensorInfo[] {
  requireDType(ctx, ctx.op.input[0]!, ctx.inputs[0]!, 'float32');
  return [{ shape: [], dtype: 'float32' }];
}

function reduceKernel(n: number, average: boolean): KernelCall[] {
  // A power-of-two group: 32 wide up to a few thousand values, 256 beyond (see reduce_sum.wgsl).
  const wg = n <= 4096 ? 32 : 256;
  return [{ shader: 'reduce_sum.wgsl', uniforms: { n, scale: scaleOf(n, average) }, overrides: { WG: wg }, workgroups: [1] }];
}

/** The sum as a fusable reduction: one output, numel terms, scaled at the end as reduce_sum.wgsl does. */
function reduceFused(n: number, average: boolean): FusedStage[] {
  return [{ class: 'reduction', items: 1, terms: n, term: 'ldf(in0 + j)', finish: `stf(out0, acc * ${f32Lit(scaleOf(n, average))});` }];
}

/** dX = dY[0]·scale everywhere, as a fusable map. */
function reduceGradFused(n: number, average: boolean): FusedStage[] {
  return [{ class: 'map', items: n, pointwise: true, body: `stf(out0 + i, ldf(in1) * ${f32Lit(scaleOf(n, average))});` }];
}

function reduceReference(x: HostTensor, average: boolean): HostTensor[] {
  let s = 0;
  for (const v of x.data) s += v;
  return [{ shape: [], data: Float64Array.of(s * scaleOf(x.data.length, average)) }];
}

/** dX's shape is X's; dY must hold one value (0-d or [1]). */
function reduceGradShape(ctx: OpContext<ArgSchema>): TensorInfo[] {
  const [x, dy] = ctx.inputs as [TensorInfo, TensorInfo];
  const [xn, dyn] = ctx.op.input as [string, string];
  requireDType(ctx, xn, x, 'float32');
  requireDType(ctx, dyn, dy, 'float32');
  if (size(dy.shape) !== 1) {
    ctx.shapeError(`input ${dyn} has shape ${fmtShape(dy.shape)}, expected a single value (shape [] or [1]) as the gradient of a sum over ${xn}`);
  }
  return [{ shape: x.shape, dtype: 'float32' }];
}

function reduceGradKernel(n: number, average: boolean): KernelCall[] {
  return [{ shader: 'averaged_loss_grad.wgsl', uniforms: { n, scale: scaleOf(n, average) }, workgroups: linearWorkgroups(n) }];
}

function reduceGradReference(x: HostTensor, dy: HostTensor, average: boolean): HostTensor[] {
  const v = dy.data[0]! * scaleOf(x.data.length, average);
  return [{ shape: [...x.shape], data: new Float64Array(x.data.length).fill(v) }];
}

export const AveragedLoss = defineOp({
  type: 'AveragedLoss',
  doc: 'Y = mean of all elements of X, as a 0-d tensor.',
  inputs: ['X'],
  outputs: ['Y'],
  args: {},
  inferShape: reduceShape,
  kernels: (ctx) => reduceKernel(size(ctx.inputs[0]!.shape), true),
  fusable: (ctx) => reduceFused(size(ctx.inputs[0]!.shape), true),
  gradient: (g) => ({ ops: [g.op('AveragedLossGradient', [g.I(0), g.GO(0)!], [g.GI(0)])], inputGrads: [g.GI(0)] }),
  reference: ([x]) => reduceReference(x!, true),
});

export const AveragedLossGradient = defineOp({
  type: 'AveragedLossGradient',
  doc: 'dX = dY[0] / numel(X), broadcast to the shape of X.',
  inputs: ['X', 'dY'],
  outputs: ['dX'],
  args: {},
  inferShape: reduceGradShape,
  kernels: (ctx) => reduceGradKernel(size(ctx.inputs[0]!.shape), true),
  fusable: (ctx) => reduceGradFused(size(ctx.inputs[0]!.shape), true),
  noGradient: 'second derivatives are not supported',
  reference: ([x, dy]) => reduceGradReference(x!, dy!, true),
});

export const SumElements = defineOp({
  type: 'SumElements',
  doc: 'Y = sum of all elements of X (the mean when `average` is 1), as a 0-d tensor.',
  inputs: ['X'],
  outputs: ['Y'],
  args: { average: arg.bool(0) },
  inferShape: reduceShape,
  kernels: (ctx) => reduceKernel(size(ctx.inputs[0]!.shape), ctx.args.average === 1),
  fusable: (ctx) => reduceFused(size(ctx.inputs[0]!.shape), ctx.args.average === 1),
  gradient: (g) => ({ ops: [g.op('SumElementsGradient', [g.I(0), g.GO(0)!], [g.GI(0)])], inputGrads: [g.GI(0)] }),
  reference: ([x], args) => reduceReference(x!, args.average === 1),
});

export const SumElementsGradient = defineOp({
  type: 'SumElementsGradient',
  doc: 'dX = dY[0] (divided by numel(X) when `average` is 1), broadcast to the shape of X.',
  inputs: ['X', 'dY'],
  outputs: ['dX'],
  args: { average: arg.bool(0) },
  inferShape: reduceGradShape,
  kernels: (ctx) => reduceGradKernel(size(ctx.inputs[0]!.shape), ctx.args.average === 1),
  fusable: (ctx) => reduceGradFused(size(ctx.inputs[0]!.shape), ctx.args.average === 1),
  noGradient: 'second derivatives are not supported',
  reference: ([x, dy], args) => reduceGradReference(x!, dy!, args.average === 1),
});
