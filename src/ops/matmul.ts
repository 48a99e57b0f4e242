/**
 * MatMul: Y = op(A)·op(B), A and B flattened to matrices at axis_a / axis_b (like FC), op a
 * transpose when trans_a / trans_b. Its gradient is two MatMuls, as Caffe2 builds it; they pass
 * the forward input as a third input, whose dims the result takes.
 */
import { fmtShape } from '../core/errors.js';
import { arg } from './args.js';
import { BIG_TILE, bigTile, matmulCall } from './fc.js';
import { defineOp, type HostTensor, type KernelCall, type OpContext, type TensorInfo } from './registry.js';
import { canonicalAxis, requireDType, size } from './shape.js';

const matmulArgs = {
  axis_a: arg.int(1),
  axis_b: arg.int(1),
  trans_a: arg.bool(0),
  trans_b: arg.bool(0),
};

type MatMulArgs = { axis_a: number; axis_b: number; trans_a: number; trans_b: number };

/** The product's sizes: Y is [M,N], summed over K. */
interface MatMulDims {
  M: number;
  K: number;
  N: number;
}

/** Matrix view of A and B (canonical axes) and whether op(A)'s columns meet op(B)'s rows. */
function matrixDims(a: readonly number[], b: readonly number[], axisA: number, axisB: number, args: MatMulArgs): MatMulDims & { kB: number } {
  const [a0, a1] = [size(a.slice(0, axisA)), size(a.slice(axisA))];
  const [b0, b1] = [size(b.slice(0, axisB)), size(b.slice(axisB))];
  const [M, K] = args.trans_a ? [a1, a0] : [a0, a1];
  const [kB, N] = args.trans_b ? [b1, b0] : [b0, b1];
  return { M, K, N, kB };
}

function matmulDims(ctx: OpContext<typeof matmulArgs>): MatMulDims {
  const [a, b] = ctx.inputs as [TensorInfo, TensorInfo];
  ctx.inputs.slice(0, 2).forEach((t, i) => requireDType(ctx, ctx.op.input[i]!, t, 'float32'));
  const axisA = canonicalAxis(ctx, 'axis_a', ctx.args.axis_a, a.shape.length);
  const axisB = canonicalAxis(ctx, 'axis_b', ctx.args.axis_b, b.shape.length);
  const d = matrixDims(a.shape, b.shape, axisA, axisB, ctx.args);
  if (d.K !== d.kB) {
    const opA = ctx.args.trans_a ? 'trans(A)' : 'A';
    const opB = ctx.args.trans_b ? 'trans(B)' : 'B';
    ctx.shapeError(
      `dimension mismatch: ${opA} is ${d.M}x${d.K} (input ${ctx.op.input[0]} ${fmtShape(a.shape)} at axis_a=${axisA}) and ${opB} is ${d.kB}x${d.N} (input ${ctx.op.input[1]} ${fmtShape(b.shape)} at axis_b=${axisB}); expected ${d.K} rows in ${opB}`,
    );
  }
  return d;
}

/** MatMul's kernel for a product: on the 128x128 tile when bigTile says so (see there), else 64x64. */
export function matmulKernel(d: MatMulDims, transA: number, transB: number): KernelCall {
  const big = bigTile(d.M, d.N, d.K, transA ? d.M : d.K, transB ? d.K : d.N);
  return big ? matmulCall(`matmul_${big}.wgsl`, d.M, d.N, d.K, d.K, undefined, BIG_TILE) : matmulCall('matmul.wgsl', d.M, d.N, d.K);
}

export const MatMul = defineOp({
  type: 'MatMul',
  doc: 'Y = op(A)·op(B) as a 2-d [M,N], A and B flattened at axis_a/axis_b, op a transpose with trans_a/trans_b; a third input gives Y its dims (used by the gradient).',
  inputs: ['A', 'B', 'shape_like'],
  inputCount: [2, 3],
  outputs: ['Y'],
  args: matmulArgs,
  inferShape(ctx) {
    const d = matmulDims(ctx);
    const like = ctx.inputs[2];
    if (like && size(like.shape) !== d.M * d.N) {
      ctx.shapeError(`the product is ${d.M}x${d.N}, but input ${ctx.op.input[2]} ${fmtShape(like.shape)}, whose dims it should take, holds ${size(like.shape)} elements`);
    }
    return [{ shape: like ? like.shape : [d.M, d.N], dtype: 'float32' }];
  },
  kernels(ctx) {
    const d = matmulDims(ctx);
    if (d.M * d.N === 0) return [];
    return [{ ...matmulKernel(d, ctx.args.trans_a, ctx.args.trans_b), overrides: { TRANS_A: ctx.args.trans_a, TRANS_B: ctx.args.trans_b } }];
  },
  // Caffe2's maker sets its own arguments: which operand is transposed, and at which axis it is
  // flattened, depends on the forward transposes.
  copyArgs: false,
  gradient: (g) => {
    const get = (name: string, fallback: number): number => g.def.arg.find((a) => a.name === name)?.i ?? fallback;
    const [ta, tb, axisA, axisB] = [get('trans_a', 0), get('trans_b', 0), get('axis_a', 1), get('axis_b', 1)];
    const [A, B, G] = [g.I(0), g.I(1), g.GO(0)!];
    const mm = (inputs: string[], out: string, args: Record<string, number>) =>
      g.op('MatMul', inputs, [out], Object.entries(args).map(([name, i]) => ({ name, i })));
    const [dA, dB] = [g.GI(0), g.GI(1)];
    const ops = ta
      ? tb
        ? // Y = A'B': dA = B'G', dB = G'A'
          [mm([B, G, A], dA, { trans_a: 1, trans_b: 1, axis_a: axisB }), mm([G, A, B], dB, { trans_a: 1, trans_b: 1, axis_b: axisA })]
        : // Y = A'B: dA = BG', dB = AG
          [mm([B, G, A], dA, { trans_b: 1, axis_a: axisB }), mm([A, G, B], dB, { axis_a: axisA })]
      : tb
        ? // Y = AB': dA = GB, dB = G'A
          [mm([G, B, A], dA, { axis_b: axisB }), mm([G, A, B], dB, { trans_a: 1, axis_b: axisA })]
        : // Y = AB: dA = GB', dB = A'G
          [mm([G, B, A], dA, { trans_b: 1, axis_b: axisB }), mm([A, G, B], dB, { trans_a: 1, axis_a: axisA })];
    return { ops, inputGrads: g.def.input.map((_, i) => (i < 2 ? g.GI(i) : null)) };
  },
  reference([a, b, like], args) {
    const canon = (axis: number, ndim: number): number => (axis < 0 ? axis + ndim : axis);
    const d = matrixDims(a!.shape, b!.shape, canon(args.axis_a, a!.shape.length), canon(args.axis_b, b!.shape.length), args);
    const at = (m: number, k: number): number => a!.data[args.trans_a ? k * d.M + m : m * d.K + k]!;
    const bt = (k: number, n: number): number => b!.data[args.trans_b ? n * d.K + k : k * d.N + n]!;
    const y = new Float64Array(d.M * d.N);
    for (let m = 0; m < d.M; m++) {
      for (let n = 0; n < d.N; n++) {
        let s = 0;
        for (let k = 0; k < d.K; k++) s += at(m, k) * bt(k, n);
        y[m * d.N + n] = s;
      }
    }
    const out: HostTensor = { shape: like ? [...like.shape] : [d.M, d.N], data: y };
    return [out];
  },
});
