/** FC (fully connected, Y = X·W^T + b) and its gradient FCGradient. */
import { fmtShape } from '../core/errors.js';
import { arg } from './args.js';
import { defineOp, type HostTensor, type KernelCall, type OpContext, type TensorInfo } from './registry.js';
import { canonicalAxis, ceilDiv, linearWorkgroups, requireDType, size, sizeBetween } from './shape.js';

const fcArgs = {
  axis: arg.int(1),
  axis_w: arg.int(1),
  /** Accepted so Caffe2 nets that set it load; this runtime always computes in fp32. */
  float16_compute: arg.bool(0),
};

type FcContext = OpContext<typeof fcArgs>;

/** The matrix view of an FC: X as [M,K], W as [N,K], Y as [M,N] with shape `yShape`. */
interface FcDims {
  M: number;
  K: number;
  N: number;
  yShape: number[];
}

/** The matrix view of X and W for canonical (non-negative) axes. */
function matrixView(xShape: readonly number[], wShape: readonly number[], axis: number, axisW: number): FcDims {
  const N = size(wShape.slice(0, axisW));
  return { M: size(xShape.slice(0, axis)), K: sizeBetween(xShape, axis), N, yShape: [...xShape.slice(0, axis), N] };
}

/** Reads X (input 0) and W (input 1) as matrices, checking every input's dtype and that W has K columns. */
function fcDims(ctx: FcContext): FcDims {
  const [x, w] = ctx.inputs as [TensorInfo, TensorInfo];
  const [xName, wName] = ctx.op.input as [string, string];
  ctx.inputs.forEach((t, i) => requireDType(ctx, ctx.op.input[i]!, t, 'float32'));
  const axis = canonicalAxis(ctx, 'axis', ctx.args.axis, x.shape.length);
  const axisW = canonicalAxis(ctx, 'axis_w', ctx.args.axis_w, w.shape.length);
  const d = matrixView(x.shape, w.shape, axis, axisW);
  if (sizeBetween(w.shape, axisW) !== d.K) {
    const expected =
      axisW === 1 ? `expected ${wName} of shape [N,${d.K}]` : `expected the dims of ${wName} from axis_w=${axisW} on to hold ${d.K} elements`;
    ctx.shapeError(`input ${wName} has shape ${fmtShape(w.shape)}, but ${xName} has ${d.K} columns after axis=${axis} (${expected})`);
  }
  return d;
}

const TILE = 64;

/** One tiled-matmul dispatch over an output of rows x cols (the kernel computes 64x64 tiles). */
function matmulCall(shader: string, rows: number, cols: number, dims: FcDims): KernelCall {
  const colTiles = ceilDiv(cols, TILE);
  const tiles = ceilDiv(rows, TILE) * colTiles;
  return {
    shader,
    uniforms: { M: dims.M, N: dims.N, K: dims.K, col_tiles: colTiles, tiles },
    workgroups: linearWorkgroups(tiles, 1),
  };
}

/** Rows one column-sum workgroup adds before its partial sum is written. */
const CHUNK_ROWS = 1024;

/** db = column sums of dY [M,N]: one pass for short dY, else per-chunk partials and a second pass. */
function biasGradCalls(M: number, N: number): KernelCall[] {
  // Power-of-two column groups: up to 32 columns (128-byte row segments), fewer for narrow dY so
  // that the spare threads take more rows.
  const groupCols = Math.min(32, 2 ** Math.ceil(Math.log2(Math.max(1, N))));
  const colGroups = ceilDiv(N, groupCols);
  const pass = (rows: number, chunkRows: number, bindings: KernelCall['bindings']): KernelCall => {
    const groups = colGroups * Math.max(1, ceilDiv(rows, chunkRows));
    return {
      shader: 'fc_grad_b.wgsl',
      bindings,
      uniforms: { rows, cols: N, group_cols: groupCols, chunk_rows: chunkRows, col_groups: colGroups, groups },
      workgroups: linearWorkgroups(groups, 1),
    };
  };
  if (M <= CHUNK_ROWS) return [pass(M, Math.max(1, M), { src: { input: 2 }, dst: { output: 1 } })];
  const chunks = ceilDiv(M, CHUNK_ROWS);
  const partials = { scratch: 'db_partials', bytes: chunks * N * 4 };
  return [
    pass(M, CHUNK_ROWS, { src: { input: 2 }, dst: partials }),
    pass(chunks, chunks, { src: partials, dst: { output: 1 } }),
  ];
}

/** Y = X·W^T + b in float64, X as [M,K] and W as [N,K]. */
function fcReference(x: HostTensor, w: HostTensor, b: HostTensor, d: FcDims): HostTensor {
  const y = new Float64Array(d.M * d.N);
  for (let m = 0; m < d.M; m++) {
    for (let n = 0; n < d.N; n++) {
      let s = b.data[n]!;
      for (let k = 0; k < d.K; k++) s += x.data[m * d.K + k]! * w.data[n * d.K + k]!;
      y[m * d.N + n] = s;
    }
  }
  return { shape: d.yShape, data: y };
}

/** The matrix view of host tensors, for the references (the planner has checked the arguments). */
function hostDims(x: HostTensor, w: HostTensor, args: { axis: number; axis_w: number }): FcDims {
  const canon = (a: number, ndim: number): number => (a < 0 ? a + ndim : a);
  return matrixView(x.shape, w.shape, canon(args.axis, x.shape.length), canon(args.axis_w, w.shape.length));
}

export const FC = defineOp({
  type: 'FC',
  doc: 'Fully connected: Y = X·W^T + b, X flattened to [M,K] at `axis`, W to [N,K] at `axis_w`; Y has X.dims[:axis] + [N].',
  inputs: ['X', 'W', 'b'],
  outputs: ['Y'],
  args: fcArgs,
  inferShape(ctx) {
    const d = fcDims(ctx);
    const [bName, b] = [ctx.op.input[2]!, ctx.inputs[2]!];
    if (b.shape.length !== 1 || b.shape[0] !== d.N) {
      ctx.shapeError(
        `input ${bName} has shape ${fmtShape(b.shape)}, but ${ctx.op.input[1]} gives N=${d.N} outputs (expected ${bName} of shape [${d.N}])`,
      );
    }
    return [{ shape: d.yShape, dtype: 'float32' }];
  },
  kernels(ctx) {
    const d = fcDims(ctx);
    return d.M * d.N === 0 ? [] : [matmulCall('fc.wgsl', d.M, d.N, d)];
  },
  gradient: (g) => ({
    ops: [g.op('FCGradient', [g.I(0), g.I(1), g.GO(0)!], [g.GI(1), g.GI(2), g.GI(0)])],
    inputGrads: [g.GI(0), g.GI(1), g.GI(2)],
  }),
  reference: ([x, w, b], args) => [fcReference(x!, w!, b!, hostDims(x!, w!, args))],
});

export const FCGradient = defineOp({
  type: 'FCGradient',
  doc: 'Gradients of FC: dW = dY^T·X, db = column sums of dY, and (when a third output is named) dX = dY·W in X\'s dims.',
  inputs: ['X', 'W', 'dY'],
  outputs: ['dW', 'db', 'dX'],
  outputCount: [2, 3],
  args: fcArgs,
  noGradient: 'second derivatives of FC are not needed for training',
  inferShape(ctx) {
    const d = fcDims(ctx);
    const [dyName, dy] = [ctx.op.input[2]!, ctx.inputs[2]!];
    if (size(dy.shape) !== d.M * d.N) {
      ctx.shapeError(
        `input ${dyName} has shape ${fmtShape(dy.shape)}, but ${ctx.op.input[0]} and ${ctx.op.input[1]} give Y of shape ${fmtShape(d.yShape)} (expected ${d.M * d.N} elements)`,
      );
    }
    const [x, w] = ctx.inputs as [TensorInfo, TensorInfo];
    const outs: TensorInfo[] = [
      { shape: w.shape, dtype: 'float32' },
      { shape: [d.N], dtype: 'float32' },
      { shape: x.shape, dtype: 'float32' },
    ];
    return outs.slice(0, ctx.op.output.length);
  },
  kernels(ctx) {
    const d = fcDims(ctx);
    const calls: KernelCall[] = [];
    if (d.N * d.K > 0) calls.push(matmulCall('fc_grad_w.wgsl', d.N, d.K, d));
    if (d.N > 0) calls.push(...biasGradCalls(d.M, d.N));
    if (ctx.op.output.length === 3 && d.M * d.K > 0) calls.push(matmulCall('fc_grad_x.wgsl', d.M, d.K, d));
    return calls;
  },
  reference([x, w, dy], args) {
    const d = hostDims(x!, w!, args);
    const dW = new Float64Array(d.N * d.K);
    const db = new Float64Array(d.N);
    const dX = new Float64Array(d.M * d.K);
    for (let m = 0; m < d.M; m++) {
      for (let n = 0; n < d.N; n++) {
        const g = dy!.data[m * d.N + n]!;
        db[n]! += g;
        for (let k = 0; k < d.K; k++) {
          dW[n * d.K + k]! += g * x!.data[m * d.K + k]!;
          dX[m * d.K + k]! += g * w!.data[n * d.K + k]!;
        }
      }
    }
    return [
      { shape: [...w!.shape], data: dW },
      { shape: [d.N], data: db },
      { shape: [...x!.shape], data: dX },
    ];
  },
});
