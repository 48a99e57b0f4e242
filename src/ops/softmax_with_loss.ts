/**
 * SoftmaxWithLoss [logits, labels, (weight_tensor)] -> [softmax, loss] and its gradient: the
 * softmax of logits viewed as [N, D] at `axis`, and loss = scale · Σ_i w_i · CE_i / Σ_i w_i (0 when
 * Σ w = 0) with CE_i = −log P[i, label_i] (int32 labels, [N] or [N, 1]), or with `label_prob: 1`
 * CE_i = −Σ_j label[i, j] · log(max(P[i, j], 1e-20)) (float32 labels shaped like the view).
 * Only the loss output carries a gradient, as in Caffe2.
 */
import { ArgumentError, fmtShape } from '../core/errors.js';
import { arg, type ArgSchema, type ArgValues } from './args.js';
import { defineOp, type BindingSource, type HostTensor, type OpContext, type TensorInfo } from './registry.js';
import { softmaxWithLossFused, softmaxWithLossGradFused } from './loss_fused.js';
import { rowsColsAt, softmaxRows, viewOf } from './softmax.js';
import { requireDType, requireSameShape, size, sizeBetween } from './shape.js';

const lossArgs = { axis: arg.int(1), label_prob: arg.bool(0), scale: arg.float(1.0), order: arg.string('NCHW') };
type LossArgs = ArgValues<typeof lossArgs>;

/** Checks logits, labels and weights (inputs 0, 1, and `weightAt` when given); returns the view. */
function checkInputs(ctx: OpContext<ArgSchema>, args: LossArgs, weightAt: number | null): { rows: number; cols: number } {
  if (args.order !== 'NCHW') ctx.argError(`order "${args.order}" is not supported; only NCHW is (as in Caffe2)`);
  if (!(args.scale >= 0)) ctx.argError(`scale must be >= 0, got ${args.scale}`);
  const [xn, tn] = ctx.op.input as [string, string];
  const [x, t] = ctx.inputs as [TensorInfo, TensorInfo];
  requireDType(ctx, xn, x, 'float32');
  const { rows, cols, axis } = viewOf(ctx, args.axis);
  if (cols === 0 && rows > 0) ctx.shapeError(`input ${xn} ${fmtShape(x.shape)} has no classes after axis=${axis}`);
  if (args.label_prob) {
    requireDType(ctx, tn, t, 'float32');
    if (t.shape.length < 2 || t.shape.length < axis || sizeBetween(t.shape, 0, axis) !== rows || sizeBetween(t.shape, axis) !== cols) {
      ctx.shapeError(`with label_prob=1, input ${tn} has shape ${fmtShape(t.shape)}, but ${xn} ${fmtShape(x.shape)} views as [${rows},${cols}] at axis=${axis} (expected ${tn} of at least 2 dims viewing the same way)`);
    }
    checkProbabilities(ctx, tn, t, rows, cols);
  } else {
    requireDType(ctx, tn, t, 'int32');
    const fits = t.shape.length === axis ? size(t.shape) === rows : t.shape.length > axis && sizeBetween(t.shape, 0, axis) === rows && sizeBetween(t.shape, axis) === 1;
    if (!fits) {
      ctx.shapeError(`input ${tn} has shape ${fmtShape(t.shape)}, expected ${rows} class indices (shape [${rows}] or [${rows},1]) for ${xn} ${fmtShape(x.shape)} viewed as [${rows},${cols}] at axis=${axis}`);
    }
    checkLabels(ctx, tn, t, cols);
  }
  if (weightAt !== null) {
    const wn = ctx.op.input[weightAt]!;
    const w = ctx.inputs[weightAt]!;
    requireDType(ctx, wn, w, 'float32');
    if (size(w.shape) !== rows) ctx.shapeError(`input ${wn} (weights) has shape ${fmtShape(w.shape)}, expected ${rows} values, one per row of ${xn}`);
  }
  return { rows, cols };
}

/** Class indices known on the host must lie in [0, cols) (Caffe2 throws; the GPU can only give NaN). */
export function checkLabels(ctx: OpContext<ArgSchema>, name: string, t: TensorInfo, cols: number): void {
  const bad = t.hostValues ? Array.from(t.hostValues).findIndex((v) => v < 0 || v >= cols) : -1;
  if (bad >= 0) ctx.argError(`input ${name} has label ${t.hostValues![bad]} at row ${bad}, outside the ${cols} classes [0, ${cols})`);
}

/** Probability labels known on the host must be non-negative rows summing to 1 ± 1e-5. */
function checkProbabilities(ctx: OpContext<ArgSchema>, name: string, t: TensorInfo, rows: number, cols: number): void {
  if (!t.hostValues) return;
  for (let i = 0; i < rows; i++) {
    let total = 0;
    for (let j = 0; j < cols; j++) {
      const v = t.hostValues[i * cols + j]!;
      if (v < 0) ctx.argError(`input ${name} has a negative probability ${v} at [${i},${j}]`);
      total += v;
    }
    if (!(Math.abs(total - 1) < 1e-5)) ctx.argError(`input ${name}: row ${i} sums to ${total}, expected 1 (± 1e-5) with label_prob=1`);
  }
}

/** One workgroup: wider once the work is large enough to keep more lanes busy. */
const groupWidth = (work: number): number => (work <= 4096 ? 64 : 256);

/** Caffe2's scale/Σw factor and the per-row targets, in float64 (shared by both references). */
function hostLoss(x: HostTensor, t: HostTensor, w: HostTensor | undefined, args: LossArgs) {
  const axis = args.axis < 0 ? args.axis + x.shape.length : args.axis;
  const { rows, cols } = rowsColsAt(x.shape, axis);
  const p = softmaxRows(x.data, rows, cols);
  const weight = (i: number) => (w ? w.data[i]! : 1);
  const target = (i: number, j: number) => (args.label_prob ? t.data[i * cols + j]! : t.data[i] === j ? 1 : 0);
  let totalW = 0;
  for (let i = 0; i < rows; i++) totalW += weight(i);
  return { rows, cols, p, weight, target, totalW };
}

export const SoftmaxWithLoss = defineOp({
  type: 'SoftmaxWithLoss',
  doc:
    'Softmax of logits (rows at `axis`, default 1) and the averaged cross-entropy loss (0-d) against int32 labels ' +
    '([N] or [N,1]) or, with label_prob=1, float32 label distributions; optional per-row weights; loss scaled by `scale`. ' +
    'Out-of-range labels known at plan time are errors; on the GPU they make the loss NaN.',
  inputs: ['logits', 'labels', 'weight_tensor'],
  inputCount: [2, 3],
  outputs: ['softmax', 'loss'],
  args: lossArgs,
  inferShape(ctx) {
    checkInputs(ctx, ctx.args, ctx.inputs.length > 2 ? 2 : null);
    return [
      { shape: ctx.inputs[0]!.shape, dtype: 'float32' },
      { shape: [], dtype: 'float32' },
    ];
  },
  kernels(ctx) {
    const { rows, cols } = viewOf(ctx, ctx.args.axis);
    const weighted = ctx.inputs.length > 2;
    return [
      {
        shader: 'softmax_with_loss.wgsl',
        overrides: { WG: groupWidth(rows), LABEL_PROB: ctx.args.label_prob, WEIGHTED: weighted ? 1 : 0 },
        // Without weights, W aliases the logits (read-only, never read).
        bindings: { X: { input: 0 }, T: { input: 1 }, W: { input: weighted ? 2 : 0 }, P: { output: 0 }, loss: { output: 1 } },
        uniforms: { rows, cols, scale: ctx.args.scale },
        workgroups: [1],
      },
    ];
  },
  fusable(ctx) {
    const { rows, cols } = viewOf(ctx, ctx.args.axis);
    return rows * cols === 0 ? null : softmaxWithLossFused(rows, cols, ctx.args.label_prob !== 0, ctx.inputs.length > 2, ctx.args.scale);
  },
  gradient(g) {
    const dLoss = g.GO(1);
    if (dLoss === undefined) {
      throw new ArgumentError(`SoftmaxWithLoss: a gradient reaches only the softmax output "${g.O(0)}"; SoftmaxWithLoss differentiates its loss output "${g.O(1)}" only`);
    }
    const weights = g.def.input.length > 2 ? [g.I(2)] : [];
    return { ops: [g.op('SoftmaxWithLossGradient', [g.I(0), g.I(1), ...weights, g.O(0), dLoss], [g.GI(0)])], inputGrads: [g.GI(0), null, null].slice(0, g.def.input.length) };
  },
  reference([x, t, w], args) {
    const { rows, cols, p, weight, target, totalW } = hostLoss(x!, t!, w, args);
    let l = 0;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const tij = target(i, j);
        if (tij !== 0) l -= tij * weight(i) * Math.log(Math.max(p[i * cols + j]!, 1e-20));
      }
    }
    return [
      { shape: [...x!.shape], data: p },
      { shape: [], data: Float64Array.of(totalW !== 0 ? (l * args.scale) / totalW : 0) },
    ];
  },
});

export const SoftmaxWithLossGradient = defineOp({
  type: 'SoftmaxWithLossGradient',
  doc: 'Gradient of SoftmaxWithLoss: [logits, labels, (weight_tensor,) softmax, loss_grad] -> dlogits = (P − target) · w · scale · loss_grad / Σw.',
  inputs: ['logits', 'labels', 'weight_tensor', 'softmax', 'loss_grad'],
  inputCount: [4, 5],
  outputs: ['logits_grad'],
  args: lossArgs,
  noGradient: 'second derivatives are not supported',
  inferShape(ctx) {
    const k = ctx.inputs.length;
    checkInputs(ctx, ctx.args, k > 4 ? 2 : null);
    const [pn, dn] = [ctx.op.input[k - 2]!, ctx.op.input[k - 1]!];
    const [p, d] = [ctx.inputs[k - 2]!, ctx.inputs[k - 1]!];
    requireDType(ctx, pn, p, 'float32');
    requireSameShape(ctx, ctx.op.input[0]!, ctx.inputs[0]!, pn, p);
    requireDType(ctx, dn, d, 'float32');
    if (size(d.shape) !== 1) ctx.shapeError(`input ${dn} has shape ${fmtShape(d.shape)}, expected the single-value gradient of the loss`);
    return [{ shape: ctx.inputs[0]!.shape, dtype: 'float32' }];
  },
  kernels(ctx) {
    const { rows, cols } = viewOf(ctx, ctx.args.axis);
    const k = ctx.inputs.length;
    const weighted = k > 4;
    const bindings: Record<string, BindingSource> = {
      T: { input: 1 },
      W: { input: weighted ? 2 : k - 2 },
      P: { input: k - 2 },
      dLoss: { input: k - 1 },
      dX: { output: 0 },
    };
    return [
      {
        shader: 'softmax_with_loss_grad.wgsl',
        overrides: { WG: groupWidth(rows * cols), LABEL_PROB: ctx.args.label_prob, WEIGHTED: weighted ? 1 : 0 },
        bindings,
        uniforms: { rows, cols, scale: ctx.args.scale },
        workgroups: [1],
      },
    ];
  },
  fusable(ctx) {
    const { rows, cols } = viewOf(ctx, ctx.args.axis);
    return rows * cols === 0 ? null : softmaxWithLossGradFused(rows, cols, ctx.args.label_prob !== 0, ctx.inputs.length, ctx.args.scale);
  },
  reference(inputs, args) {
    const k = inputs.length;
    const [x, t] = inputs as [HostTensor, HostTensor];
    const w = k > 4 ? inputs[2] : undefined;
    const p = inputs[k - 2]!;
    const dLoss = inputs[k - 1]!.data[0]!;
    const { rows, cols, weight, target, totalW } = hostLoss(x, t, w, args);
    const total = w ? totalW : rows;
    const factor = total > 0 ? (args.scale / total) * dLoss : 1;
    const dx = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) dx[i * cols + j] = (p.data[i * cols + j]! - target(i, j)) * weight(i) * factor;
    }
    return [{ shape: [...x.shape], data: dx }];
  },
});
