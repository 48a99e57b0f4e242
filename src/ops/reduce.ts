/**
 * ReduceSum, ReduceMean, ReduceMax over `axes` (default: all) with `keepdims` (default 1), and
 * their gradients ReduceSumGradient, ReduceMeanGradient, ReduceMaxGradient ([dY, X, Y] -> dX, as
 * Caffe2 names and wires them).
 */
import { fmtShape } from '../core/errors.js';
import { arg } from './args.js';
import { MAX_KERNEL_RANK, coalesce, contiguousStrides, splitReduction } from './broadcast.js';
import { defineOp, type HostTensor, type KernelCall, type OpContext, type TensorInfo } from './registry.js';
import { linearWorkgroups, requireDType, requireSameShape, size } from './shape.js';

const reduceArgs = { axes: arg.ints(), keepdims: arg.bool(1) };

type ReduceContext = OpContext<typeof reduceArgs>;

/** The reductions: kernel OP, and whether the sum is divided by the count. */
const KINDS = {
  Sum: { op: 0, mean: false },
  Mean: { op: 0, mean: true },
  Max: { op: 1, mean: false },
} as const;

type Kind = keyof typeof KINDS;

/** The reduced axes, canonical and sorted; every axis when `axes` is absent. */
function reducedAxes(ctx: ReduceContext, ndim: number): number[] {
  if (ctx.args.axes === undefined) return [...Array(ndim).keys()];
  const axes = ctx.args.axes.map((a) => {
    if (a < -ndim || a >= ndim) ctx.argError(`axes ${fmtShape(ctx.args.axes!)} has ${a}, out of range for a ${ndim}-d input (expected -${ndim} <= axis < ${ndim})`);
    return a < 0 ? a + ndim : a;
  });
  if (new Set(axes).size !== axes.length) ctx.argError(`axes ${fmtShape(ctx.args.axes)} names an axis twice`);
  return axes.sort((a, b) => a - b);
}

/** Y's dims: reduced axes become 1 (keepdims) or go. */
function reducedShape(shape: readonly number[], axes: readonly number[], keepdims: boolean): number[] {
  return shape.flatMap((d, i) => (axes.includes(i) ? (keepdims ? [1] : []) : [d]));
}

/** Y's element stride for each of X's dims: 0 along reduced axes. */
function yStridesOverX(shape: readonly number[], axes: readonly number[]): number[] {
  const kept = contiguousStrides(reducedShape(shape, axes, true));
  return shape.map((_, i) => (axes.includes(i) ? 0 : kept[i]!));
}

/** The reduction lanes per output: enough threads that each combines about four values, at most a workgroup. */
function lanesFor(nRed: number): number {
  let lanes = 1;
  while (lanes < 256 && lanes * 4 < nRed) lanes *= 2;
  return lanes;
}

function checkRank(ctx: ReduceContext, rank: number, x: TensorInfo): void {
  if (rank > MAX_KERNEL_RANK) ctx.shapeError(`input ${ctx.op.input[0]} ${fmtShape(x.shape)} has ${rank} separate dims after merging; the kernel handles up to ${MAX_KERNEL_RANK}`);
}

/** float64 reduction of X over `axes` (sum, mean or max), Y in keepdims form or not. */
function reduceReference(kind: Kind, x: HostTensor, axes: readonly number[], keepdims: boolean): HostTensor {
  const yStrides = yStridesOverX(x.shape, axes);
  const xStrides = contiguousStrides(x.shape);
  const n = size(reducedShape(x.shape, axes, true));
  const count = size(x.shape) / Math.max(1, n);
  const data = new Float64Array(n).fill(kind === 'Max' ? -3.4028234663852886e38 : 0);
  for (let i = 0; i < x.data.length; i++) {
    const at = x.shape.reduce((s, d, k) => s + (Math.floor(i / xStrides[k]!) % d) * yStrides[k]!, 0);
    data[at] = kind === 'Max' ? Math.max(data[at]!, x.data[i]!) : data[at]! + x.data[i]!;
  }
  if (kind === 'Mean') data.forEach((v, j) => (data[j] = v / count));
  return { shape: reducedShape(x.shape, axes, keepdims), data };
}

function hostAxes(x: HostTensor, axes: readonly number[] | undefined): number[] {
  const ndim = x.shape.length;
  return axes === undefined ? [...Array(ndim).keys()] : axes.map((a) => (a < 0 ? a + ndim : a));
}

function defineReduce(kind: Kind) {
  const { op, mean } = KINDS[kind];
  const what = { Sum: 'sum', Mean: 'mean', Max: 'maximum' }[kind];
  return defineOp({
    type: `Reduce${kind}`,
    doc: `Y = the ${what} of X over \`axes\` (default: all); reduced dims stay as 1 with keepdims=1 (default) or go.`,
    inputs: ['data'],
    outputs: ['reduced'],
    args: reduceArgs,
    inferShape(ctx) {
      const x = ctx.inputs[0]!;
      requireDType(ctx, ctx.op.input[0]!, x, 'float32');
      return [{ shape: reducedShape(x.shape, reducedAxes(ctx, x.shape.length), ctx.args.keepdims === 1), dtype: 'float32' }];
    },
    kernels(ctx, [y]) {
      const x = ctx.inputs[0]!;
      const nOut = size(y!.shape);
      if (nOut === 0) return [];
      const axes = reducedAxes(ctx, x.shape.length);
      // Walk X's dims with X's strides and Y's (0 where reduced) so that merging keeps both intact.
      const walk = coalesce(x.shape, [contiguousStrides(x.shape), yStridesOverX(x.shape, axes)]);
      const { keep, reduce } = splitReduction(walk, 1);
      checkRank(ctx, Math.max(keep.shape.length, reduce.shape.length), x);
      const nRed = size(reduce.shape);
      const lanes = lanesFor(nRed);
      const call: KernelCall = {
        shader: 'reduce.wgsl',
        bindings: { X: { input: 0 }, Y: { output: 0 } },
        overrides: { OP: op },
        uniforms: {
          n_out: nOut,
          n_red: nRed,
          keep_rank: keep.shape.length,
          red_rank: reduce.shape.length,
          lanes,
          // The mean of nothing is NaN, as numpy's is.
          scale: mean ? (nRed > 0 ? 1 / nRed : NaN) : 1,
          keep_shape: keep.shape,
          keep_stride: keep.strides[0]!,
          red_shape: reduce.shape,
          red_stride: reduce.strides[0]!,
        },
        workgroups: linearWorkgroups(nOut * lanes),
      };
      return [call];
    },
    gradient: (g) => ({ ops: [g.op(`Reduce${kind}Gradient`, [g.GO(0)!, g.I(0), g.O(0)], [g.GI(0)])], inputGrads: [g.GI(0)] }),
    reference: ([x], args) => [reduceReference(kind, x!, hostAxes(x!, args.axes), args.keepdims === 1)],
  });
}

function defineReduceGradient(kind: Kind) {
  const { op, mean } = KINDS[kind];
  const rule = kind === 'Max' ? 'dY where X equals Y (every tied maximum), else 0' : mean ? 'dY / count' : 'dY';
  return defineOp({
    type: `Reduce${kind}Gradient`,
    doc: `Gradient of Reduce${kind}: dX = ${rule}, broadcast back over the reduced axes.`,
    inputs: ['dY', 'X', 'Y'],
    outputs: ['dX'],
    args: reduceArgs,
    noGradient: 'second derivatives of reductions are not needed for training',
    inferShape(ctx) {
      const [dy, x, y] = ctx.inputs as [TensorInfo, TensorInfo, TensorInfo];
      const names = ctx.op.input;
      ctx.inputs.forEach((t, i) => requireDType(ctx, names[i]!, t, 'float32'));
      const expected = reducedShape(x.shape, reducedAxes(ctx, x.shape.length), ctx.args.keepdims === 1);
      requireSameShape(ctx, `the reduction of ${names[1]}`, { shape: expected, dtype: 'float32' }, names[2]!, y);
      requireSameShape(ctx, names[2]!, y, names[0]!, dy);
      return [{ shape: x.shape, dtype: 'float32' }];
    },
    kernels(ctx) {
      const x = ctx.inputs[1]!;
      const n = size(x.shape);
      if (n === 0) return [];
      const axes = reducedAxes(ctx, x.shape.length);
      const walk = coalesce(x.shape, [yStridesOverX(x.shape, axes), contiguousStrides(x.shape)]);
      checkRank(ctx, walk.shape.length, x);
      const count = n / Math.max(1, size(ctx.inputs[2]!.shape));
      return [
        {
          shader: 'reduce_grad.wgsl',
          overrides: { OP: op },
          uniforms: { n, rank: walk.shape.length, scale: mean ? 1 / count : 1, x_shape: walk.shape, y_stride: walk.strides[0]! },
          workgroups: linearWorkgroups(n),
        },
      ];
    },
    reference([dy, x, y], args) {
      const axes = hostAxes(x!, args.axes);
      const yStrides = yStridesOverX(x!.shape, axes);
      const xStrides = contiguousStrides(x!.shape);
      const count = size(x!.shape) / Math.max(1, dy!.data.length);
      const data = x!.data.map((v, i) => {
        const at = x!.shape.reduce((s, d, k) => s + (Math.floor(i / xStrides[k]!) % d) * yStrides[k]!, 0);
        if (kind === 'Max') return v === y!.data[at] ? dy!.data[at]! : 0;
        return mean ? dy!.data[at]! / count : dy!.data[at]!;
      });
      return [{ shape: [...x!.shape], data }];
    },
  });
}

export const ReduceSum = defineReduce('Sum');
export const ReduceMean = defineReduce('Mean');
export const ReduceMax = defineReduce('Max');
export const ReduceSumGradient = defineReduceGradient('Sum');
export const ReduceMeanGradient = defineReduceGradient('Mean');
export const ReduceMaxGradient = defineReduceGradient('Max');
