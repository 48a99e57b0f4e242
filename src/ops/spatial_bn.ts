/**
 * SpatialBN (batch normalisation per channel, NCHW or NHWC) and SpatialBNGradient. Training:
 * batch statistics over batch and positions (biased variance), running moments updated in place,
 * saved mean and inverse std as outputs 3 and 4; is_test: the running moments normalise.
 */
import { fmtShape } from '../core/errors.js';
import { arg } from './args.js';
import { copyToOutputs } from './optimizer_common.js';
import { defineOp, type HostTensor, type KernelCall, type OpContext, type TensorInfo } from './registry.js';
import { linearWorkgroups, requireDType, requireSameShape, size } from './shape.js';

const bnArgs = {
  is_test: arg.bool(0),
  epsilon: arg.float(1e-5),
  momentum: arg.float(0.9),
  order: arg.string('NCHW'),
  /** Caffe2's multi-batch form (extra sum inputs); only 1 is supported. */
  num_batches: arg.int(1),
};

type BnContext = OpContext<typeof bnArgs>;
type BnArgs = BnContext['args'];

/** X as [n, c, s] (NCHW) or [n, s, c] (NHWC). */
interface BnDims {
  n: number;
  c: number;
  s: number;
  nhwc: boolean;
}

function dimsOf(shape: readonly number[], order: string): BnDims {
  const nhwc = order === 'NHWC';
  const c = nhwc ? shape[shape.length - 1]! : shape[1]!;
  return { n: shape[0]!, c, s: nhwc ? size(shape.slice(1, -1)) : size(shape.slice(2)), nhwc };
}

/** Checks the arguments, X, and that inputs `perChannel` (by index) are all [C]. */
function bnDims(ctx: BnContext, perChannel: readonly number[]): BnDims {
  ctx.inputs.forEach((t, i) => requireDType(ctx, ctx.op.input[i]!, t, 'float32'));
  const { order, num_batches: batches } = ctx.args;
  if (order !== 'NCHW' && order !== 'NHWC') ctx.argError(`order must be "NCHW" or "NHWC", got "${order}"`);
  if (batches !== 1) ctx.argError(`num_batches=${batches} is not supported (only the single-batch form, num_batches=1)`);
  const x = ctx.inputs[0]!;
  if (x.shape.length < 2) ctx.shapeError(`input ${ctx.op.input[0]} has shape ${fmtShape(x.shape)}; expected at least 2 dims (N, C, …)`);
  const d = dimsOf(x.shape, order);
  for (const k of perChannel) {
    const t = ctx.inputs[k]!;
    if (t.shape.length !== 1 || t.shape[0] !== d.c) {
      ctx.shapeError(`input ${ctx.op.input[k]} has shape ${fmtShape(t.shape)}, but ${ctx.op.input[0]} ${fmtShape(x.shape)} has ${d.c} channels (expected [${d.c}])`);
    }
  }
  return d;
}

/** One-workgroup-per-channel dispatch (the statistics kernels). */
function perChannelCall(shader: string, d: BnDims, args: BnArgs, bindings: KernelCall['bindings'], extra: Record<string, number>): KernelCall {
  return {
    shader,
    bindings,
    uniforms: { n: d.n, c: d.c, s: d.s, epsilon: args.epsilon, ...extra },
    overrides: { NHWC: d.nhwc ? 1 : 0, ...(shader === 'spatial_bn_stats.wgsl' ? {} : { IS_TEST: args.is_test }) },
    workgroups: linearWorkgroups(d.c, 1),
  };
}

/** One-thread-per-element dispatch (normalisation and dX). */
function elementCall(shader: string, d: BnDims, args: BnArgs, bindings: KernelCall['bindings'], extra: Record<string, number> = {}): KernelCall {
  const total = d.n * d.c * d.s;
  return {
    shader,
    bindings,
    uniforms: { total, c: d.c, s: d.s, epsilon: args.epsilon, ...extra },
    overrides: { NHWC: d.nhwc ? 1 : 0, IS_TEST: args.is_test },
    workgroups: linearWorkgroups(total),
  };
}

/** Channel of flat element i. */
function channelOf(d: BnDims, i: number): number {
  return d.nhwc ? i % d.c : Math.floor(i / d.s) % d.c;
}

/** Per-channel mean and biased variance in float64. */
function batchMoments(x: HostTensor, d: BnDims): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(d.c);
  const variance = new Float64Array(d.c);
  const count = d.n * d.s;
  x.data.forEach((v, i) => (mean[channelOf(d, i)]! += v / count));
  x.data.forEach((v, i) => (variance[channelOf(d, i)]! += (v - mean[channelOf(d, i)]!) ** 2 / count));
  return { mean, variance };
}

export const SpatialBN = defineOp({
  type: 'SpatialBN',
  doc:
    'Batch normalisation per channel: inputs [X, scale, bias, mean, var]; is_test=1 gives [Y] from the running moments, training gives ' +
    '[Y, running_mean, running_var, saved_mean, saved_inv_std] with the running moments updated in place (outputs 1, 2 = inputs 3, 4).',
  inputs: ['X', 'scale', 'bias', 'mean', 'var'],
  outputs: ['Y', 'running_mean', 'running_var', 'saved_mean', 'saved_inv_std'],
  outputCount: [1, 5],
  inPlace: [
    [3, 1],
    [4, 2],
  ],
  args: bnArgs,
  inferShape(ctx) {
    const d = bnDims(ctx, [1, 2, 3, 4]);
    const want = ctx.args.is_test ? 1 : 5;
    if (ctx.op.output.length !== want) {
      ctx.argError(`has ${ctx.op.output.length} outputs; expected ${want} with is_test=${ctx.args.is_test} (${ctx.args.is_test ? '[Y]' : '[Y, running_mean, running_var, saved_mean, saved_inv_std]'})`);
    }
    if (!ctx.args.is_test && d.c > 0 && d.n * d.s === 0) {
      ctx.shapeError(`input ${ctx.op.input[0]} has shape ${fmtShape(ctx.inputs[0]!.shape)}: training needs at least one value per channel for the batch statistics`);
    }
    const y: TensorInfo = { shape: ctx.inputs[0]!.shape, dtype: 'float32' };
    const channel: TensorInfo = { shape: [d.c], dtype: 'float32' };
    return [y, channel, channel, channel, channel].slice(0, want);
  },
  kernels(ctx) {
    const d = bnDims(ctx, [1, 2, 3, 4]);
    if (d.n * d.c * d.s === 0) return [];
    if (ctx.args.is_test) return [elementCall('spatial_bn.wgsl', d, ctx.args, { mean: { input: 3 }, stat: { input: 4 } })];
    return [
      ...copyToOutputs(ctx, [[3, 1], [4, 2]], d.c),
      perChannelCall(
        'spatial_bn_stats.wgsl',
        d,
        ctx.args,
        { running_mean: { output: 1 }, running_var: { output: 2 }, saved_mean: { output: 3 }, saved_inv_std: { output: 4 } },
        { momentum: ctx.args.momentum },
      ),
      elementCall('spatial_bn.wgsl', d, ctx.args, { mean: { output: 3 }, stat: { output: 4 } }),
    ];
  },
  gradient: (g) => {
    const isTest = g.def.arg.some((a) => a.name === 'is_test' && a.i === 1);
    const stats = isTest ? [g.I(3), g.I(4)] : [g.O(3), g.O(4)];
    return {
      ops: [g.op('SpatialBNGradient', [g.I(0), g.I(1), g.GO(0)!, ...stats], [g.GI(0), g.GI(1), g.GI(2)])],
      inputGrads: [g.GI(0), g.GI(1), g.GI(2), null, null],
    };
  },
  reference([x, scale, bias, mean, variance], args) {
    const d = dimsOf(x!.shape, args.order);
    const batch = batchMoments(x!, d);
    const m = args.is_test ? mean!.data : batch.mean;
    const inv = (args.is_test ? variance!.data : batch.variance).map((v) => 1 / Math.sqrt(v + args.epsilon));
    const y = x!.data.map((v, i) => {
      const c = channelOf(d, i);
      return (v - m[c]!) * inv[c]! * scale!.data[c]! + bias!.data[c]!;
    });
    const yT = { shape: [...x!.shape], data: y };
    if (args.is_test) return [yT];
    const run = (old: HostTensor, batchValue: Float64Array): HostTensor => ({
      shape: [d.c],
      data: old.data.map((v, c) => args.momentum * v + (1 - args.momentum) * batchValue[c]!),
    });
    return [yT, run(mean!, batch.mean), run(variance!, batch.variance), { shape: [d.c], data: batch.mean }, { shape: [d.c], data: inv }];
  },
});

export const SpatialBNGradient = defineOp({
  type: 'SpatialBNGradient',
  doc:
    'Gradient of SpatialBN: inputs [X, scale, dY, saved_mean, saved_inv_std] (is_test=1: [X, scale, dY, mean, var]), ' +
    'outputs [dX, dscale, dbias].',
  inputs: ['X', 'scale', 'dY', 'mean', 'stat'],
  outputs: ['dX', 'dscale', 'dbias'],
  args: bnArgs,
  noGradient: 'second derivatives of SpatialBN are not needed for training',
  inferShape(ctx) {
    const d = bnDims(ctx, [1, 3, 4]);
    const x = ctx.inputs[0]!;
    requireSameShape(ctx, ctx.op.input[0]!, x, ctx.op.input[2]!, ctx.inputs[2]!);
    const channel: TensorInfo = { shape: [d.c], dtype: 'float32' };
    return [{ shape: x.shape, dtype: 'float32' }, channel, channel];
  },
  kernels(ctx) {
    const d = bnDims(ctx, [1, 3, 4]);
    if (d.c === 0) return [];
    const stats = { mean: { input: 3 }, stat: { input: 4 } };
    const sums = { dscale: { output: 1 }, dbias: { output: 2 } };
    const calls = [perChannelCall('spatial_bn_grad_stats.wgsl', d, ctx.args, { ...stats, ...sums }, {})];
    if (d.n * d.s > 0) calls.push(elementCall('spatial_bn_grad.wgsl', d, ctx.args, { ...stats, ...sums, dX: { output: 0 } }, { count: d.n * d.s }));
    return calls;
  },
  reference([x, scale, dy, mean, stat], args) {
    const d = dimsOf(x!.shape, args.order);
    const inv = args.is_test ? stat!.data.map((v) => 1 / Math.sqrt(v + args.epsilon)) : stat!.data;
    const xhat = x!.data.map((v, i) => (v - mean!.data[channelOf(d, i)]!) * inv[channelOf(d, i)]!);
    const dscale = new Float64Array(d.c);
    const dbias = new Float64Array(d.c);
    dy!.data.forEach((g, i) => {
      dbias[channelOf(d, i)]! += g;
      dscale[channelOf(d, i)]! += g * xhat[i]!;
    });
    const count = d.n * d.s;
    const dx = dy!.data.map((g, i) => {
      const c = channelOf(d, i);
      const centred = args.is_test ? g : g - (dbias[c]! + xhat[i]! * dscale[c]!) / count;
      return scale!.data[c]! * inv[c]! * centred;
    });
    return [
      { shape: [...x!.shape], data: dx },
      { shape: [d.c], data: dscale },
      { shape: [d.c], data: dbias },
    ];
  },
});
