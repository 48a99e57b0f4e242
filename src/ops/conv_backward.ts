/**
 * ConvGradient's kernels (the op itself is defined in conv.ts): dW, db and dX of a Conv.
 *
 * Both GEMM-sized passes go through one column buffer of [group, tap, output pixel] (capped by
 * COL_MAX_BYTES and the op's ws_nbytes_limit), so their operands are read whole and in order:
 * - dW: X's patches are gathered into it once (kernels/conv_grad_im2col.wgsl), then dW = dY x col^T.
 *   NCHW with whole quads of pixels per image runs in register blocks of 4 filters x 4 taps with no
 *   workgroup memory at any size (conv_grad_wcol_blocked.wgsl: on a software adapter staging and
 *   barriers cost more than they save, and it beats one thread per element even for one image);
 *   other layouts on the 128x128 tile (conv_grad_wcol_big*.wgsl), or, below it, the implicit GEMM
 *   of conv_grad_w*.wgsl, and their small filter banks one thread per filter element
 *   (conv_grad_w_direct.wgsl).
 *   Long pixel sums are cut into parts whose partial filters conv_grad_w_sum.wgsl adds.
 * - dX, when requested: the column gradient dCol = W^T x dY (rows: a group's taps, columns: output
 *   pixels, depth: the group's filters) in register blocks of 4 taps x 8 pixels
 *   (conv_grad_dcol_blocked.wgsl) where quads align (NCHW, any size), else on the GEMM tiles
 *   (conv_grad_dcol*.wgsl), then one thread per element of dX adds the <= kh*kw entries that
 *   reached it (conv_grad_col2im.wgsl). Otherwise few input channels per group or a small grid run
 *   4 neighbouring elements of a row per thread (conv_grad_x_rows.wgsl, NCHW) or one thread per
 *   element (conv_grad_x_direct.wgsl, NHWC), and a dCol over the cap falls back to the implicit
 *   GEMM over input pixels (conv_grad_x*.wgsl).
 * - db: per-channel sums of dY, in parts over the batch (conv_grad_b.wgsl).
 */
import { bigTile, BIG_TILE, matmulCall } from './fc.js';
import { windowConstants } from './conv_geometry.js';
import { directCall, gemmTiles, geomBinding, MIN_GEMM_TILES, outPixels, type ConvDims } from './conv.js';
import type { BindingSource, KernelCall } from './registry.js';
import { ceilDiv, linearWorkgroups } from './shape.js';

/** Input channels per group up to which dX is one thread per element rather than a GEMM. */
const DIRECT_MAX_CHANNELS = 4;
/** Pixel sums up to which dW runs one thread per filter element, and the pixels per part of db's sum. */
const DIRECT_MAX_PIXELS = 4096;
/**
 * Output pixels one thread of conv_grad_w_direct.wgsl sums at most (whole output rows, at least
 * one): longer sums are cut into parts added afterwards, which also spreads a small filter bank
 * over enough threads.
 */
const DIRECT_PART_PIXELS = 1024;
/**
 * Largest column buffer (dCol) dX may use: half of WebGPU's guaranteed maxStorageBufferBindingSize
 * (128 MiB), so it binds on every adapter and stays a modest share of memory.
 */
const COL_MAX_BYTES = 64 * 2 ** 20;

/** Fewest output pixels per part of a split dW sum, and the workgroups the split aims at (as FC's dW). */
const MIN_SPLIT_PIXELS = 256;
const SPLIT_TARGET_GROUPS = 1024;
/** Threads conv_grad_wcol_blocked.wgsl aims at: parts of the pixel sum beyond what the filter blocks give. */
const BLOCKED_THREADS = 16384;
/** Depth step of shaders/matmul_tile.wgsl: split parts hold whole steps. */
const DEPTH_STEP = 16;

/**
 * The kernels of a ConvGradient with these dimensions: dW, then db unless `noBias`, then dX if
 * `wantDx`. `colLimit` (the op's ws_nbytes_limit, as cuDNN's workspace cap in Caffe2) lowers
 * COL_MAX_BYTES.
 */
export function convGradientCalls(d: ConvDims, noBias: boolean, wantDx: boolean, colLimit = COL_MAX_BYTES): KernelCall[] {
  const nhwc = d.win.nhwc ? 1 : 0;
  const colMax = Math.min(COL_MAX_BYTES, colLimit);
  const calls = weightGradCalls(d, nhwc, colMax);
  if (!noBias) calls.push(...biasGradCalls(d, nhwc));
  if (wantDx && d.win.n * d.win.h * d.win.w > 0) calls.push(...inputGradCalls(d, nhwc, noBias ? 1 : 2, colMax));
  return calls;
}

/**
 * dW[M, taps] = Σ over output pixels of dY ⊗ patches. Large problems gather the patches once into
 * a column buffer (conv_grad_im2col.wgsl) and run a plain GEMM over it; mid-sized ones the implicit
 * GEMM, which gathers them in its operand reads. A long pixel sum over few output tiles (a small
 * filter bank, a big batch) is cut into parts summed by separate workgroups into partial filters,
 * which conv_grad_w_sum.wgsl then adds.
 */
function weightGradCalls(d: ConvDims, nhwc: number, colMax: number): KernelCall[] {
  const pixels = d.win.n * outPixels(d);
  const tiles = gemmTiles(d.mg, d.taps, d.groups);
  if (pixels === 0) return directWeightGradCalls(d, nhwc);
  const colBytes = d.groups * d.taps * pixels * 4;
  const col = { scratch: 'col', bytes: colBytes };
  const gather = directCall('conv_grad_im2col.wgsl', d.groups * d.taps * d.win.n * d.win.oh, { geom: geomBinding(d), col }, { NHWC: nhwc });
  // Register blocks at any size: ahead of the direct kernel even for one image.
  if (!nhwc && outPixels(d) % 4 === 0 && colBytes <= colMax) return [gather, ...blockedWeightGradCalls(d, pixels, col)];
  // Other layouts: few tiles, and a short sum or tiles less than half full: one thread per filter element.
  if (tiles < MIN_GEMM_TILES && (pixels <= DIRECT_MAX_PIXELS || 2 * d.m * d.taps < tiles * 64 * 64)) return directWeightGradCalls(d, nhwc);
  // The 128x128 tile by MatMul's rule on one group's dM x taps output, else 64x64.
  const tile = bigTile(d.mg, d.taps, pixels, 1, 1) ? BIG_TILE : 64;
  const viaCol = tile === BIG_TILE && colBytes <= colMax;
  // vec4 loads: col rows of whole quads, and four pixels of one image (NCHW) or filters of one group (NHWC) of dY.
  const v4 = pixels % 4 === 0 && (nhwc ? d.mg % 4 === 0 : outPixels(d) % 4 === 0);
  const shader = viaCol ? (v4 ? 'conv_grad_wcol_big_v4.wgsl' : 'conv_grad_wcol_big.wgsl') : tile === BIG_TILE ? 'conv_grad_w_big.wgsl' : 'conv_grad_w.wgsl';
  const gathers = viaCol ? [gather] : [];
  const gemm = (parts: number, chunk: number, dW: BindingSource): KernelCall => ({
    ...matmulCall(shader, d.mg, d.taps, d.groups * parts * chunk, chunk, { geom: geomBinding(d, parts), dW, ...(viaCol && { col }) }, tile),
    overrides: { NHWC: nhwc },
  });
  const outTiles = ceilDiv(d.mg, tile) * ceilDiv(d.taps, tile) * d.groups;
  const wanted = Math.min(Math.floor(SPLIT_TARGET_GROUPS / outTiles), Math.floor(pixels / MIN_SPLIT_PIXELS));
  // Whole depth steps per part, so that no staging step (nor vec4 quad) straddles two parts.
  const chunk = wanted < 2 ? ceilDiv(Math.max(1, pixels), DEPTH_STEP) * DEPTH_STEP : ceilDiv(ceilDiv(pixels, wanted), DEPTH_STEP) * DEPTH_STEP;
  const parts = ceilDiv(pixels, chunk);
  if (parts < 2) return [...gathers, gemm(1, chunk, { output: 0 })];
  const partials = { scratch: 'dW_partials', bytes: parts * d.m * d.taps * 4 };
  return [...gathers, gemm(parts, chunk, partials), partSumCall(parts, d.m * d.taps, partials)];
}

/**
 * dW from the column buffer `col` by conv_grad_wcol_blocked.wgsl (4 filters x 4 taps per thread),
 * the pixels cut into parts of at least MIN_SPLIT_PIXELS until BLOCKED_THREADS threads run.
 */
function blockedWeightGradCalls(d: ConvDims, pixels: number, col: BindingSource): KernelCall[] {
  const blocks = d.groups * ceilDiv(d.mg, 4) * ceilDiv(d.taps, 4);
  const wanted = Math.max(1, Math.min(Math.floor(pixels / MIN_SPLIT_PIXELS), ceilDiv(BLOCKED_THREADS, blocks)));
  const partPixels = ceilDiv(ceilDiv(pixels, wanted), 4) * 4;
  const parts = ceilDiv(pixels, partPixels);
  const call = (dW: BindingSource): KernelCall => ({
    ...directCall('conv_grad_wcol_blocked.wgsl', parts * blocks, { geom: geomBinding(d), col, dW }, {}),
    uniforms: { total: parts * blocks, part_pixels: partPixels },
  });
  if (parts === 1) return [call({ output: 0 })];
  const partials = { scratch: 'dW_partials', bytes: parts * d.m * d.taps * 4 };
  return [call(partials), partSumCall(parts, d.m * d.taps, partials)];
}

/** Output `out` (dW, or db) as the sum of `parts` partials of `size` elements each (conv_grad_w_sum.wgsl). */
function partSumCall(parts: number, size: number, partials: BindingSource, out = 0): KernelCall {
  return { shader: 'conv_grad_w_sum.wgsl', bindings: { partials, dW: { output: out } }, uniforms: { size, parts }, workgroups: linearWorkgroups(size, 64) };
}

/** db: per-channel sums of dY over whole images in parts of about DIRECT_MAX_PIXELS pixels (conv_grad_b.wgsl). */
function biasGradCalls(d: ConvDims, nhwc: number): KernelCall[] {
  const partImages = Math.max(1, Math.floor(DIRECT_MAX_PIXELS / Math.max(1, outPixels(d))));
  const parts = Math.max(1, ceilDiv(d.win.n, partImages));
  const call = (dst: BindingSource): KernelCall => ({
    shader: 'conv_grad_b.wgsl',
    bindings: { src: { input: 2 }, dst },
    uniforms: { n: d.win.n, c: d.m, s: outPixels(d), part_images: partImages, total: parts * d.m },
    overrides: { NHWC: nhwc },
    workgroups: linearWorkgroups(parts * d.m, 64),
  });
  if (parts === 1) return [call({ output: 1 })];
  const partials = { scratch: 'db_partials', bytes: parts * d.m * 4 };
  return [call(partials), partSumCall(parts, d.m, partials, 1)];
}

/**
 * dW of a small filter bank: one thread per filter element and part of the output rows (batch,
 * oy), so a long batch spreads over parts (a GEMM tile would sit mostly idle on a 20 x 25 dW).
 */
function directWeightGradCalls(d: ConvDims, nhwc: number): KernelCall[] {
  const rows = d.win.n * d.win.oh;
  const partRows = Math.max(1, Math.floor(DIRECT_PART_PIXELS / d.win.ow));
  const parts = Math.max(1, ceilDiv(rows, partRows));
  const outputs = d.m * d.taps;
  const call = (dW: BindingSource): KernelCall => ({
    ...directCall('conv_grad_w_direct.wgsl', parts * outputs, { geom: geomBinding(d), dW }, { NHWC: nhwc }),
    uniforms: { total: parts * outputs, part_rows: partRows },
  });
  if (parts === 1) return [call({ output: 0 })];
  const partials = { scratch: 'dW_partials', bytes: parts * outputs * 4 };
  return [call(partials), partSumCall(parts, outputs, partials)];
}

/** dX: the column gradient and its col2im gather, or the direct / implicit GEMM kernels (see the file header). */
function inputGradCalls(d: ConvDims, nhwc: number, dxIndex: number, colMax: number): KernelCall[] {
  const inPixels = d.win.n * d.win.h * d.win.w;
  const dX = { output: dxIndex };
  const pixels = d.win.n * outPixels(d);
  const colBytes = d.groups * d.taps * pixels * 4;
  // vec4 loads need every quad aligned: four taps of one filter, and four pixels of one image
  // and channel (NCHW) or four channels of one group (NHWC).
  const v4 = d.taps % 4 === 0 && (nhwc ? d.mg % 4 === 0 : outPixels(d) % 4 === 0);
  // Register blocks over dCol (NCHW, aligned) at any size; otherwise, for few input channels or a
  // grid too small for GEMM tiles, dX directly: rows of 4 elements (NCHW) or one element (NHWC).
  const blocked = !nhwc && v4 && pixels > 0 && colBytes <= colMax;
  if (!blocked && (d.cg <= DIRECT_MAX_CHANNELS || gemmTiles(inPixels, d.cg, d.groups) < MIN_GEMM_TILES)) {
    if (nhwc) return [directCall('conv_grad_x_direct.wgsl', inPixels * d.win.c, { geom: geomBinding(d), dX }, { NHWC: nhwc })];
    const xBlocks = ceilDiv(d.win.w, 4);
    const slide = d.win.sw === 1 && d.win.dw === 1 ? 1 : 0;
    const overrides = { ...windowConstants(d.win, d.m), CG: d.cg, MG: d.mg, X_BLOCKS: xBlocks, SLIDE: slide };
    return [directCall('conv_grad_x_rows.wgsl', d.win.n * d.win.c * d.win.h * xBlocks, { dX }, overrides)];
  }
  if (colBytes <= colMax) {
    const dCol = { scratch: 'col', bytes: colBytes };
    const big = bigTile(d.taps, pixels, d.mg, 1, 1) !== null;
    const shader = big ? (v4 ? 'conv_grad_dcol_big_v4.wgsl' : 'conv_grad_dcol_big.wgsl') : 'conv_grad_dcol.wgsl';
    const gemm = blocked
      ? directCall('conv_grad_dcol_blocked.wgsl', d.groups * (d.taps / 4) * ceilDiv(pixels, 8), { geom: geomBinding(d), dCol }, {})
      : { ...matmulCall(shader, d.taps, pixels, d.m, d.mg, { geom: geomBinding(d), dCol }, big ? BIG_TILE : 64), overrides: { NHWC: nhwc } };
    const gather: KernelCall = {
      shader: 'conv_grad_col2im.wgsl',
      bindings: { dCol, dX },
      uniforms: { total: inPixels * d.win.c, pixels },
      overrides: { ...windowConstants(d.win, d.m), CG: d.cg },
      workgroups: linearWorkgroups(inPixels * d.win.c, 64),
    };
    return [gemm, gather];
  }
  const bindings = { geom: geomBinding(d), dX };
  const depth = d.mg * d.win.kh * d.win.kw;
  const call = bigTile(inPixels, d.cg, depth, 1, 1)
    ? matmulCall('conv_grad_x_big.wgsl', inPixels, d.cg, d.groups * depth, depth, bindings, BIG_TILE)
    : matmulCall('conv_grad_x.wgsl', inPixels, d.cg, d.groups * depth, depth, bindings);
  return [{ ...call, overrides: { NHWC: nhwc } }];
}
