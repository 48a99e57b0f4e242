/**
 * LabelCrossEntropy and CrossEntropy (+ gradients): per-row cross entropy of probabilities X
 * ([N, ...] viewed as [N, D]; a 1-D X is one row) against int32 class indices ([N] or [N, 1]) or
 * float32 soft labels shaped like X's view. Logs are floored at 1e-20, as in Caffe2. Bad label
 * values known at plan time are errors; met only on the GPU, they make that row's output NaN.
 */
import { fmtShape } from '../core/errors.js';
import type { ArgSchema } from './args.js';
import { defineOp, type FusedStage, type HostTensor, type OpContext, type TensorInfo } from './registry.js';
import { linearWorkgroups, requireDType, size, sizeBetween } from './shape.js';
import { checkLabels } from './softmax_with_loss.js';

const LOG_FLOOR = 1e-20;

/** Caffe2's view: a 1-D X is one row of D; otherwise N = dims[0] and D = the rest. */
function rowsCols(shape: readonly number[]): { rows: number; cols: number } {
  return shape.length === 1 ? { rows: 1, cols: shape[0]! } : { rows: shape[0]!, cols: sizeBetween(shape, 1) };
}

/** Checks X and the labels (input 1); returns X's view. `soft` picks CrossEntropy's float labels. */
function checkXLabel(ctx: OpContext<ArgSchema>, soft: boolean): { rows: number; cols: number } {
  const [xn, tn] = ctx.op.input as [string, string];
  const [x, t] = ctx.inputs as [TensorInfo, TensorInfo];
  requireDType(ctx, xn, x, 'float32');
  if (x.shape.length === 0) ctx.shapeError(`input ${xn} is 0-d; expected probabilities of shape [N, D] (or [D] for one row)`);
  const { rows, cols } = rowsCols(x.shape);
  if (soft) {
    requireDType(ctx, tn, t, 'float32');
    const ok = (t.shape.length === 2 && t.shape[0] === rows && t.shape[1] === cols) || (x.shape.length === 1 && t.shape.length === 1 && t.shape[0] === cols);
    if (!ok) ctx.shapeError(`input ${tn} has shape ${fmtShape(t.shape)}, expected [${rows},${cols}], one probability per element of ${xn} ${fmtShape(x.shape)}`);
    const bad = t.hostValues ? Array.from(t.hostValues).findIndex((v) => !(v >= 0 && v <= 1)) : -1;
    if (bad >= 0) {
      ctx.argError(`input ${tn} holds ${t.hostValues![bad]} at flat index ${bad}; soft labels are probabilities in [0, 1] (use LabelCrossEntropy for class indices)`);
    }
  } else {
    requireDType(ctx, tn, t, 'int32');
    const ok = (t.shape.length === 1 || (t.shape.length === 2 && t.shape[1] === 1)) && t.shape[0] === rows;
    if (!ok) ctx.shapeError(`input ${tn} has shape ${fmtShape(t.shape)}, expected ${rows} class indices (shape [${rows}] or [${rows},1]) for ${xn} ${fmtShape(x.shape)}`);
    checkLabels(ctx, tn, t, cols);
  }
  return { rows, cols };
}

/** Gradient ops also take dY of shape [N]. */
function checkGradInputs(ctx: OpContext<ArgSchema>, soft: boolean): TensorInfo[] {
  const { rows } = checkXLabel(ctx, soft);
  const dyn = ctx.op.input[2]!;
  const dy = ctx.inputs[2]!;
  requireDType(ctx, dyn, dy, 'float32');
  if (dy.shape.length !== 1 || dy.shape[0] !== rows) ctx.shapeError(`input ${dyn} has shape ${fmtShape(dy.shape)}, expected [${rows}], one gradient per row of ${ctx.op.input[0]}`);
  return [{ shape: ctx.inputs[0]!.shape, dtype: 'float32' }];
}

/** Per-row forward kernel, or per-element gradient kernel, over X's view. */
function rowKernel(shader: string, rows: number, cols: number) {
  return rows * cols === 0 ? [] : [{ shader, uniforms: { rows, cols }, workgroups: linearWorkgroups(rows) }];
}
function elementKernel(shader: string, rows: number, cols: number) {
  const n = rows * cols;
  return n === 0 ? [] : [{ shader, uniforms: { n, cols }, workgroups: linearWorkgroups(n) }];
}

/** The kernels' arithmetic as fusable stages: a row map (forward) or an element map (gradient). */
function fusedRows(rows: number, cols: number, body: string): FusedStage[] | null {
  return rows * cols === 0 ? null : [{ class: 'rowmap', items: rows, cost: cols, body }];
}
function fusedElements(rows: number, cols: number, body: string): FusedStage[] | null {
  return rows * cols === 0 ? null : [{ class: 'map', items: rows * cols, body }];
}

/** float64 helper: f(i, j, k) summed per row, or written per element. */
function perRow(x: HostTensor, f: (i: number, j: number, k: number) => number): HostTensor {
  const { rows, cols } = rowsCols(x.shape);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) y[i]! += f(i, j, i * cols + j);
  return { shape: [rows], data: y };
}
function perElement(x: HostTensor, f: (i: number, j: number, k: number) => number): HostTensor {
  const { cols } = rowsCols(x.shape);
  return { shape: [...x.shape], data: x.data.map((_, k) => f(Math.floor(k / cols), k % cols, k)) };
}

const floorLog = (v: number) => Math.log(Math.max(v, LOG_FLOOR));

export const LabelCrossEntropy = defineOp({
  type: 'LabelCrossEntropy',
  doc: 'Y[i] = −log(max(X[i, label[i]], 1e-20)) for probabilities X [N, D] (or [D]) and int32 labels [N] or [N,1]; Y has shape [N].',
  inputs: ['X', 'label'],
  outputs: ['Y'],
  args: {},
  inferShape(ctx) {
    return [{ shape: [checkXLabel(ctx, false).rows], dtype: 'float32' }];
  },
  kernels(ctx) {
    const { rows, cols } = rowsCols(ctx.inputs[0]!.shape);
    return rowKernel('label_cross_entropy.wgsl', rows, cols);
  },
  fusable(ctx) {
    const { rows, cols } = rowsCols(ctx.inputs[0]!.shape);
    const body = `let t = ldi(in1 + i);
if (t < 0 || t >= ${cols}i) {
  let zero = ldf(in0) * 0.0;
  stf(out0 + i, zero / zero);
} else {
  stf(out0 + i, -log(max(ldf(in0 + i * ${cols}u + u32(t)), 1e-20)));
}`;
    return fusedRows(rows, cols, body);
  },
  gradient: (g) => ({ ops: [g.op('LabelCrossEntropyGradient', [g.I(0), g.I(1), g.GO(0)!], [g.GI(0)])], inputGrads: [g.GI(0), null] }),
  reference: ([x, t]) => [perRow(x!, (i, j, k) => (t!.data[i] === j ? -floorLog(x!.data[k]!) : 0))],
});

export const LabelCrossEntropyGradient = defineOp({
  type: 'LabelCrossEntropyGradient',
  doc: 'Gradient of LabelCrossEntropy: [X, label, dY] -> dX, zero except dX[i, label[i]] = −dY[i] / max(X[i, label[i]], 1e-20).',
  inputs: ['X', 'label', 'dY'],
  outputs: ['dX'],
  args: {},
  noGradient: 'second derivatives are not supported',
  inferShape: (ctx) => checkGradInputs(ctx, false),
  kernels(ctx) {
    const { rows, cols } = rowsCols(ctx.inputs[0]!.shape);
    return elementKernel('label_cross_entropy_grad.wgsl', rows, cols);
  },
  fusable(ctx) {
    const { rows, cols } = rowsCols(ctx.inputs[0]!.shape);
    const body = `let r = i / ${cols}u;
stf(out0 + i, select(0.0, -ldf(in2 + r) / max(ldf(in0 + i), 1e-20), ldi(in1 + r) == i32(i % ${cols}u)));`;
    return fusedElements(rows, cols, body);
  },
  reference: ([x, t, dy]) => [perElement(x!, (i, j, k) => (t!.data[i] === j ? -dy!.data[i]! / Math.max(x!.data[k]!, LOG_FLOOR) : 0))],
});

export const CrossEntropy = defineOp({
  type: 'CrossEntropy',
  doc: 'Y[i] = −Σ_j label[i, j] · log(max(X[i, j], 1e-20)) for probabilities X [N, D] (or [D]) and float32 soft labels of the same view; Y has shape [N].',
  inputs: ['X', 'label'],
  outputs: ['Y'],
  args: {},
  inferShape(ctx) {
    return [{ shape: [checkXLabel(ctx, true).rows], dtype: 'float32' }];
  },
  kernels(ctx) {
    const { rows, cols } = rowsCols(ctx.inputs[0]!.shape);
    return rowKernel('cross_entropy.wgsl', rows, cols);
  },
  fusable(ctx) {
    const { rows, cols } = rowsCols(ctx.inputs[0]!.shape);
    const body = `let base = i * ${cols}u;
var s = 0.0;
var bad = false;
for (var j = 0u; j < ${cols}u; j++) {
  let t = ldf(in1 + base + j);
  bad = bad || !(t >= 0.0 && t <= 1.0);
  s -= t * log(max(ldf(in0 + base + j), 1e-20));
}
if (bad) {
  let zero = s * 0.0;
  s = zero / zero;
}
stf(out0 + i, s);`;
    return fusedRows(rows, cols, body);
  },
  gradient: (g) => ({ ops: [g.op('CrossEntropyGradient', [g.I(0), g.I(1), g.GO(0)!], [g.GI(0)])], inputGrads: [g.GI(0), null] }),
  reference: ([x, t]) => [perRow(x!, (_, __, k) => -t!.data[k]! * floorLog(x!.data[k]!))],
});

export const CrossEntropyGradient = defineOp({
  type: 'CrossEntropyGradient',
  doc: 'Gradient of CrossEntropy: [X, label, dY] -> dX = −dY[i] · label[i, j] / max(X[i, j], 1e-20).',
  inputs: ['X', 'label', 'dY'],
  outputs: ['dX'],
  args: {},
  noGradient: 'second derivatives are not supported',
  inferShape: (ctx) => checkGradInputs(ctx, true),
  kernels(ctx) {
    const { rows, cols } = rowsCols(ctx.inputs[0]!.shape);
    return elementKernel('cross_entropy_grad.wgsl', rows, cols);
  },
  fusable(ctx) {
    const { rows, cols } = rowsCols(ctx.inputs[0]!.shape);
    return fusedElements(rows, cols, `stf(out0 + i, -ldf(in2 + i / ${cols}u) * ldf(in1 + i) / max(ldf(in0 + i), 1e-20));`);
  },
  reference: ([x, t, dy]) => [perElement(x!, (i, _, k) => (-dy!.data[i]! * t!.data[k]!) / Math.max(x!.data[k]!, LOG_FLOOR))],
});
