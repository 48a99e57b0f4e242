/** FC (fully connected, Y = X·W^T + b) and its gradient FCGradient. */
import { fmtShape } from '../core/errors.js';
import { arg } from './args.js';
import { defineOp, type BindingSource, type FusedStage, type HostTensor, type KernelCall, type OpContext, type TensorInfo } from './registry.js';
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

/** Output tile edge and depth step of shaders/matmul_tile.wgsl. */
const TILE = 64;
const DEPTH_STEP = 16;

/** Output tile edge of shaders/matmul_tile_big.wgsl (its depth step, 8, divides DEPTH_STEP). */
export const BIG_TILE = 128;

/**
 * One dispatch of a kernel built on shaders/matmul_tile.wgsl (or, with `tile` = BIG_TILE,
 * matmul_tile_big.wgsl): a rows x cols output summed over `depth`, in parts of `splitDepth` depths
 * (one part when unsplit), tile x tile outputs per workgroup and part.
 */
export function matmulCall(
  shader: string,
  rows: number,
  cols: number,
  depth: number,
  splitDepth = depth,
  bindings?: KernelCall['bindings'],
  tile = TILE,
): KernelCall {
  const colTiles = ceilDiv(cols, tile);
  const outTiles = ceilDiv(rows, tile) * colTiles;
  const tiles = outTiles * (splitDepth > 0 ? Math.max(1, ceilDiv(depth, splitDepth)) : 1);
  return {
    shader,
    ...(bindings && { bindings }),
    uniforms: { rows, cols, depth, col_tiles: colTiles, out_tiles: outTiles, tiles, split_depth: splitDepth },
    workgroups: linearWorkgroups(tiles, 1),
  };
}

/**
 * Products of at least this many 128x128 tiles, and this deep, take the big tile: with fewer, a
 * 64x64 grid spreads the work over more cores (on SwiftShader one workgroup runs on one CPU core:
 * a single 128x128 tile at 128³ ran 2x slower than four 64x64 ones), and short sums mostly stage.
 */
const BIG_MIN_TILES = 4;
const BIG_MIN_DEPTH = 32;

/**
 * Whether a rows x cols product over `depth` runs on the 128x128 tile, and how it reads its
 * operands: 'big_v4' (vec4 loads) when both operands' contiguous extents (`aRun`, `bRun`: the
 * lengths of their rows in memory) are multiples of 4, 'big' otherwise, null for the 64x64 tile.
 */
export function bigTile(rows: number, cols: number, depth: number, aRun: number, bRun: number): 'big' | 'big_v4' | null {
  if (ceilDiv(rows, BIG_TILE) * ceilDiv(cols, BIG_TILE) < BIG_MIN_TILES || depth < BIG_MIN_DEPTH) return null;
  return aRun % 4 === 0 && bRun % 4 === 0 ? 'big_v4' : 'big';
}

/** Edge of the block of C one thread of shaders/matmul_tile_reg.wgsl computes. */
const REG_BLOCK = 8;
/**
 * FC's batch (M) up to which its products run on register blocks (matmul_tile_reg.wgsl) rather
 * than shared-memory tiles: a batch this short fills at most one row of 128x128 tiles (FC, dX) or
 * gives dW a sum of a few depth steps, and on SwiftShader the blocks ran FC at batch 64 (LeNet's
 * fc3, 64x500x1600) ~2.9x and FCGradient ~3.2x faster. Larger batches keep the tiles, whose
 * shared-memory reuse is what a hardware GPU needs for big products.
 */
const REG_MAX_BATCH = 128;

/** One dispatch of a kernel on shaders/matmul_tile_reg.wgsl (8x8 blocks of C, one per thread, 64 threads per workgroup). */
function regCall(shader: string, rows: number, cols: number, depth: number, bindings: KernelCall['bindings'], overrides: Record<string, number>): KernelCall {
  const call = matmulCall(shader, rows, cols, depth, depth, bindings, REG_BLOCK);
  return { ...call, overrides, workgroups: linearWorkgroups(ceilDiv(rows, REG_BLOCK) * ceilDiv(cols, REG_BLOCK), 64) };
}

/** Rows one column-sum workgroup adds before its partial sum is written. */
const CHUNK_ROWS = 1024;

/**
 * Column sums of a row-major [rows, cols] `src` into `dst` with fc_grad_b.wgsl: one pass for
 * short inputs, else per-chunk partials (in scratch `partialsName`) and a second pass.
 */
export function columnSumCalls(rows: number, cols: number, src: BindingSource, dst: BindingSource, partialsName: string): KernelCall[] {
  // Power-of-two column groups: up to 32 columns (128-byte row segments), fewer for narrow inputs
  // so that the spare threads take more rows.
  const groupCols = Math.min(32, 2 ** Math.ceil(Math.log2(Math.max(1, cols))));
  const colGroups = ceilDiv(cols, groupCols);
  const pass = (passRows: number, chunkRows: number, bindings: KernelCall['bindings']): KernelCall => {
    const groups = colGroups * Math.max(1, ceilDiv(passRows, chunkRows));
    return {
      shader: 'fc_grad_b.wgsl',
      bindings,
      uniforms: { rows: passRows, cols, group_cols: groupCols, chunk_rows: chunkRows, col_groups: colGroups, groups },
      workgroups: linearWorkgroups(groups, 1),
    };
  };
  if (rows <= CHUNK_ROWS) return [pass(rows, Math.max(1, rows), { src, dst })];
  const chunks = ceilDiv(rows, CHUNK_ROWS);
  const partials = { scratch: partialsName, bytes: chunks * cols * 4 };
  return [pass(rows, CHUNK_ROWS, { src, dst: partials }), pass(chunks, chunks, { src: partials, dst })];
}

/** Fewest rows of M per part of a split dW sum (16 depth steps), so a part's workgroup mostly multiplies rather than stores. */
const MIN_SPLIT_ROWS = 256;
/** Workgroups (output tiles x splits) the split dW pass aims at: enough to fill a large GPU. */
const SPLIT_TARGET_GROUPS = 1024;

/**
 * dW = dY^T·X [N,K]. Each output tile sums over all M rows, so when dW has few tiles and M is long
 * (the tutorial: one tile, M = batch), M is split into parts summed by separate workgroups into
 * partial dW tiles, which a column-sum pass then adds by a tree. Splits stay <= 1024 (scratch and
 * final sum bounded, tiles x splits <= SPLIT_TARGET_GROUPS) and each takes >= MIN_SPLIT_ROWS rows.
 */
function weightGradCalls(d: FcDims): KernelCall[] {
  // A short M: dW [N,K] on register blocks, its A dY [M,N] transposed and its B X [M,K].
  if (d.M <= REG_MAX_BATCH) return [regCall('matmul_reg.wgsl', d.N, d.K, d.M, { A: { input: 2 }, B: { input: 0 }, Y: { output: 0 } }, { TRANS_A: 1, TRANS_B: 0 })];
  // Large dW is MatMul's big kernel with A = dY [M,N] transposed and B = X [M,K] (bound by name).
  const big = bigTile(d.N, d.K, d.M, d.N, d.K);
  const tile = big ? BIG_TILE : TILE;
  const call = (splitRows: number, dW: BindingSource): KernelCall =>
    big
      ? { ...matmulCall(`matmul_${big}.wgsl`, d.N, d.K, d.M, splitRows, { A: { input: 2 }, B: { input: 0 }, Y: dW }, BIG_TILE), overrides: { TRANS_A: 1, TRANS_B: 0 } }
      : matmulCall('fc_grad_w.wgsl', d.N, d.K, d.M, splitRows, { dW });
  const outTiles = ceilDiv(d.N, tile) * ceilDiv(d.K, tile);
  const splits = Math.min(Math.floor(SPLIT_TARGET_GROUPS / outTiles), Math.floor(d.M / MIN_SPLIT_ROWS));
  if (splits < 2) return [call(d.M, { output: 0 })];
  // Whole depth steps per split, so that no staging step straddles two splits.
  const splitRows = ceilDiv(ceilDiv(d.M, splits), DEPTH_STEP) * DEPTH_STEP;
  const parts = ceilDiv(d.M, splitRows);
  const partials = { scratch: 'dW_partials', bytes: parts * d.N * d.K * 4 };
  return [call(splitRows, partials), ...columnSumCalls(parts, d.N * d.K, partials, { output: 0 }, 'dW_partial_sums')];
}

/**
 * A fusable map with one item per element (m, n) of a rows x cols product summed over `depth` into
 * `acc`: A[m, d] times B[n, d] (B[d, n] when `bByRows`), then `store`.
 */
function dotMap(rows: number, cols: number, depth: number, a: string, b: string, bByRows: boolean, store: string): FusedStage {
  const bAt = bByRows ? `d * ${cols}u + n` : `n * ${depth}u + d`;
  const body = [
    `let m = i / ${cols}u;`,
    `let n = i % ${cols}u;`,
    'var acc = 0.0;',
    `for (var d = 0u; d < ${depth}u; d++) {`,
    `  acc = fma(ldf(${a} + m * ${depth}u + d), ldf(${b} + ${bAt}), acc);`,
    '}',
    store,
  ].join('\n');
  // Item i stores word i of the output; the operands it reads are not pointwise.
  return { class: 'map', items: rows * cols, cost: depth, pointwise: 'outputs', body };
}

/** FC's operands as the big kernels' MatMul-layout A and B. */
const BIG_OPERANDS: KernelCall['bindings'] = { A: { input: 0 }, B: { input: 1 } };

/**
 * dX = dY·W [M,K]: MatMul's plain layout with A = dY [M,N] and B = W [N,K], so large ones run
 * MatMul's big kernel with the buffers bound by name; smaller ones fc_grad_x.wgsl on 64x64 tiles.
 */
function gradXCall(d: FcDims): KernelCall {
  if (d.M <= REG_MAX_BATCH) return regCall('matmul_reg.wgsl', d.M, d.K, d.N, { A: { input: 2 }, B: { input: 1 }, Y: { output: 2 } }, { TRANS_A: 0, TRANS_B: 0 });
  const big = bigTile(d.M, d.K, d.N, d.N, d.K);
  if (!big) return matmulCall('fc_grad_x.wgsl', d.M, d.K, d.N);
  const bindings = { A: { input: 2 }, B: { input: 1 }, Y: { output: 2 } };
  return { ...matmulCall(`matmul_${big}.wgsl`, d.M, d.K, d.N, d.N, bindings, BIG_TILE), overrides: { TRANS_A: 0, TRANS_B: 0 } };
}

/** FC's fc_skinny.wgsl handles W up to this many rows (outputs) and columns (inputs). */
const SKINNY_MAX_N = 4;
const SKINNY_MAX_K = 64;

/**
 * FCGradient's fc_grad_small.wgsl (one invocation per dW and db output, each summing its M terms)
 * takes over up to this many outputs and rows; beyond, the tiled dW and the column-sum tree.
 */
const SMALL_GRAD_OUTPUTS = 256;
const SMALL_GRAD_ROWS = 4096;

/**
 * Weights (N x K) above which FC and FCGradient declare no fusable form and keep their own
 * kernels: a fused form computes each output as one long dot product (two reads per multiply),
 * where the register blocks and tiles reuse each read 8 to 64 times. LeNet's training step at
 * batch 64 on SwiftShader took ~3.3 s of CPU with fc3 (500 x 1600) fused, ~2.45 s with it not
 * (as with fusion off); the toy nets' FCs (N x K of 1 x 2 to 3 x 5) stay fusable.
 */
const FUSE_MAX_WEIGHTS = 4096;

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
    if (d.M * d.N === 0) return [];
    // A W of at most 4x64 fills a sliver of a 64x64 tile: one thread per row of X does far less work.
    if (d.N <= SKINNY_MAX_N && d.K <= SKINNY_MAX_K) {
      return [{ shader: 'fc_skinny.wgsl', uniforms: { M: d.M, N: d.N, K: d.K }, workgroups: linearWorkgroups(d.M) }];
    }
    // X is MatMul's A [M,K] and W its B stored transposed [N,K] (both contiguous along K).
    if (d.M <= REG_MAX_BATCH) return [regCall('fc_reg.wgsl', d.M, d.N, d.K, BIG_OPERANDS, { TRANS_A: 0, TRANS_B: 1 })];
    const big = bigTile(d.M, d.N, d.K, d.K, d.K);
    if (big) return [{ ...matmulCall(`fc_${big}.wgsl`, d.M, d.N, d.K, d.K, BIG_OPERANDS, BIG_TILE), overrides: { TRANS_A: 0, TRANS_B: 1 } }];
    return [matmulCall('fc.wgsl', d.M, d.N, d.K)];
  },
  fusable(ctx) {
    const { M, N, K } = fcDims(ctx);
    if (N * K > FUSE_MAX_WEIGHTS) return null;
    // Y[m,n] = Σ_k X[m,k]·W[n,k], from zero in order of k, b added last (as fc_skinny.wgsl).
    return [dotMap(M, N, K, 'in0', 'in1', false, 'stf(out0 + i, acc + ldf(in2 + n));')];
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
    const uniforms = { M: d.M, N: d.N, K: d.K };
    if (d.N * d.K + d.N <= SMALL_GRAD_OUTPUTS && d.M <= SMALL_GRAD_ROWS) {
      // Few outputs over a short M: one invocation per output beats tiles and trees.
      if (d.N > 0) calls.push({ shader: 'fc_grad_small.wgsl', uniforms, workgroups: linearWorkgroups(d.N * d.K + d.N, 32) });
    } else {
      if (d.N * d.K > 0) calls.push(...weightGradCalls(d));
      if (d.N > 0) calls.push(...columnSumCalls(d.M, d.N, { input: 2 }, { output: 1 }, 'db_partials'));
    }
    if (ctx.op.output.length === 3 && d.M * d.K > 0) {
      calls.push(d.N <= SKINNY_MAX_N ? { shader: 'fc_grad_x_skinny.wgsl', uniforms, workgroups: linearWorkgroups(d.M * d.K) } : gradXCall(d));
    }
    return calls;
  },
  fusable(ctx) {
    const { M, N, K } = fcDims(ctx);
    if (N * K > FUSE_MAX_WEIGHTS) return null;
    const stages: FusedStage[] = [
      // dW[n,k] = Σ_m dY[m,n]·X[m,k]; db[n] = Σ_m dY[m,n].
      { class: 'reduction', items: N * K, terms: M, term: `ldf(in2 + j * ${N}u + i / ${K}u) * ldf(in0 + j * ${K}u + i % ${K}u)`, finish: 'stf(out0 + i, acc);', writes: [0] },
      { class: 'reduction', items: N, terms: M, term: `ldf(in2 + j * ${N}u + i)`, finish: 'stf(out1 + i, acc);', writes: [1] },
    ];
    if (ctx.op.output.length === 3) {
      // dX[m,k] = Σ_n dY[m,n]·W[n,k].
      stages.push({ ...dotMap(M, K, N, 'in2', 'in1', true, 'stf(out2 + i, acc);'), writes: [2] });
    }
    return stages;
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
