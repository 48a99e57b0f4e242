/**
 * Softmax and SoftmaxGradient over rows: X is viewed as [N, D] with N = prod(dims[:axis]) and
 * D = prod(dims[axis:]) (axis defaults to 1), as Caffe2 coerces it. Short rows (a classifier's
 * ten classes) take one invocation each: barriers would cost more than the loop on software
 * adapters. Rows of WIDE_ROW values or more (ImageNet's 1000 classes) take a workgroup each.
 */
import { arg, type ArgSchema } from './args.js';
import { defineOp, type FusedStage, type KernelCall, type OpContext } from './registry.js';
import { canonicalAxis, linearWorkgroups, requireDType, size, sizeBetween } from './shape.js';
import { requireFloatPair } from './unary.js';

/** Row length from which a row gets a workgroup of its own. */
const WIDE_ROW = 512;

/** The dispatch for one softmax-family kernel pair (`<stem>.wgsl` per row, `<stem>_wide.wgsl` per group). */
function rowCalls(stem: string, rows: number, cols: number): KernelCall[] {
  if (rows * cols === 0) return [];
  if (cols < WIDE_ROW) return [{ shader: `${stem}.wgsl`, uniforms: { rows, cols }, workgroups: linearWorkgroups(rows) }];
  return [{ shader: `${stem}_wide.wgsl`, uniforms: { rows, cols }, workgroups: linearWorkgroups(rows, 1) }];
}

/**
 * The one-invocation-per-row kernels as fusable row maps (the same loops in the same order, so fused
 * and unfused runs agree bit for bit); wide rows, which sum in a tree, do not fuse.
 */
function rowFused(rows: number, cols: number, body: string): FusedStage[] | null {
  if (cols >= WIDE_ROW || rows * cols === 0) return null;
  return [{ class: 'rowmap', items: rows, cost: 3 * cols, body: `let base = i * ${cols}u;\n${body}` }];
}

const SOFTMAX_ROW = (cols: number) => `var m = ldf(in0 + base);
for (var j = 1u; j < ${cols}u; j++) {
  m = max(m, ldf(in0 + base + j));
}
var s = 0.0;
for (var j = 0u; j < ${cols}u; j++) {
  let e = exp(ldf(in0 + base + j) - m);
  stf(out0 + base + j, e);
  s += e;
}
let inv = 1.0 / s;
for (var j = 0u; j < ${cols}u; j++) {
  stf(out0 + base + j, ldf(out0 + base + j) * inv);
}`;

const SOFTMAX_GRAD_ROW = (cols: number) => `var dot = 0.0;
for (var j = 0u; j < ${cols}u; j++) {
  dot += ldf(in0 + base + j) * ldf(in1 + base + j);
}
for (var j = 0u; j < ${cols}u; j++) {
  stf(out0 + base + j, ldf(in0 + base + j) * (ldf(in1 + base + j) - dot));
}`;

/** Caffe2's 2-D view of a tensor at `axis`: rows = size_to_dim(axis), cols = size_from_dim(axis). */
export function rowsColsAt(shape: readonly number[], axis: number): { rows: number; cols: number } {
  return { rows: sizeBetween(shape, 0, axis), cols: sizeBetween(shape, axis) };
}

/** Input k's 2-D view at the op's `axis` argument; a 0-d input or an axis out of range is an error. */
export function viewOf(ctx: OpContext<ArgSchema>, axisArg: number, k = 0): { rows: number; cols: number; axis: number } {
  const shape = ctx.inputs[k]!.shape;
  if (shape.length === 0) ctx.shapeError(`input ${ctx.op.input[k]} is 0-d; ${ctx.op.type} needs at least one dimension to take rows over`);
  const axis = canonicalAxis(ctx, 'axis', axisArg, shape.length);
  return { ...rowsColsAt(shape, axis), axis };
}

/** Row-wise softmax in float64 with the max subtracted. */
export function softmaxRows(x: Float64Array, rows: number, cols: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < rows; i++) {
    const row = x.subarray(i * cols, (i + 1) * cols);
    const m = row.reduce((a, b) => Math.max(a, b), -Infinity);
    let s = 0;
    row.forEach((v, j) => (s += y[i * cols + j] = Math.exp(v - m)));
    for (let j = 0; j < cols; j++) y[i * cols + j]! /= s;
  }
  return y;
}

/** The axis of a reference's input, canonicalised (references run after the shape rule accepted it). */
function hostAxis(axis: number, ndim: number): number {
  return axis < 0 ? axis + ndim : axis;
}

const axisArgs = { axis: arg.int(1) };

export const Softmax = defineOp({
  type: 'Softmax',
  doc: 'Y = exp(X − max) / Σ exp(X − max) along each row of X viewed as [N, D] at `axis` (default 1); Y has X\'s shape. float32.',
  inputs: ['X'],
  outputs: ['Y'],
  args: axisArgs,
  inferShape(ctx) {
    const x = ctx.inputs[0]!;
    requireDType(ctx, ctx.op.input[0]!, x, 'float32');
    viewOf(ctx, ctx.args.axis);
    return [{ shape: x.shape, dtype: 'float32' }];
  },
  kernels(ctx) {
    const { rows, cols } = viewOf(ctx, ctx.args.axis);
    return rowCalls('softmax', rows, cols);
  },
  fusable(ctx) {
    const { rows, cols } = viewOf(ctx, ctx.args.axis);
    return rowFused(rows, cols, SOFTMAX_ROW(cols));
  },
  gradient: (g) => ({ ops: [g.op('SoftmaxGradient', [g.O(0), g.GO(0)!], [g.GI(0)])], inputGrads: [g.GI(0)] }),
  reference([x], args) {
    const { rows, cols } = rowsColsAt(x!.shape, hostAxis(args.axis, x!.shape.length));
    return [{ shape: [...x!.shape], data: softmaxRows(x!.data, rows, cols) }];
  },
});

export const SoftmaxGradient = defineOp({
  type: 'SoftmaxGradient',
  doc: 'Gradient of Softmax: [Y, dY] -> dX = Y ⊙ (dY − Σ_row dY ⊙ Y), rows as in Softmax (`axis`). float32.',
  inputs: ['Y', 'dY'],
  outputs: ['dX'],
  args: axisArgs,
  noGradient: 'second derivatives are not supported',
  inferShape(ctx) {
    const dx = requireFloatPair(ctx);
    viewOf(ctx, ctx.args.axis);
    return [dx];
  },
  kernels(ctx) {
    const { rows, cols } = viewOf(ctx, ctx.args.axis);
    return rowCalls('softmax_grad', rows, cols);
  },
  fusable(ctx) {
    const { rows, cols } = viewOf(ctx, ctx.args.axis);
    return rowFused(rows, cols, SOFTMAX_GRAD_ROW(cols));
  },
  reference([y, dy], args) {
    const { rows, cols } = rowsColsAt(y!.shape, hostAxis(args.axis, y!.shape.length));
    const dx = new Float64Array(size(y!.shape));
    for (let i = 0; i < rows; i++) {
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += y!.data[i * cols + j]! * dy!.data[i * cols + j]!;
      for (let j = 0; j < cols; j++) dx[i * cols + j] = y!.data[i * cols + j]! * (dy!.data[i * cols + j]! - dot);
    }
    return [{ shape: [...y!.shape], data: dx }];
  },
});
