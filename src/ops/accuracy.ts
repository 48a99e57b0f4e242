/**
 * Accuracy [predictions [N, D], labels int32 [N]] -> 0-d float: the fraction of rows whose label
 * ranks within the top `top_k` scores, ties going to the lower class index (a stable sort), as in
 * Caffe2. Never differentiated.
 */
import { fmtShape } from '../core/errors.js';
import { arg } from './args.js';
import { defineOp, type TensorInfo } from './registry.js';
import { requireDType } from './shape.js';
import { accuracyFused } from './loss_fused.js';
import { checkLabels } from './softmax_with_loss.js';

export const Accuracy = defineOp({
  type: 'Accuracy',
  doc: 'Fraction (0-d float) of rows of predictions [N, D] whose int32 label [N] is among the top_k (default 1) scores; ties rank the lower index first. Labels out of range known at plan time are errors; on the GPU they make the result NaN.',
  inputs: ['predictions', 'labels'],
  outputs: ['accuracy'],
  args: { top_k: arg.int(1) },
  shouldNotDoGradient: 'accuracy is a metric, not a differentiable function',
  inferShape(ctx) {
    const [xn, tn] = ctx.op.input as [string, string];
    const [x, t] = ctx.inputs as [TensorInfo, TensorInfo];
    requireDType(ctx, xn, x, 'float32');
    requireDType(ctx, tn, t, 'int32');
    if (x.shape.length !== 2) ctx.shapeError(`input ${xn} has shape ${fmtShape(x.shape)}, expected 2-D scores [N, D]`);
    if (t.shape.length !== 1 || t.shape[0] !== x.shape[0]) ctx.shapeError(`input ${tn} has shape ${fmtShape(t.shape)}, expected [${x.shape[0]}], one label per row of ${xn}`);
    if (ctx.args.top_k < 1) ctx.argError(`top_k must be at least 1, got ${ctx.args.top_k}`);
    checkLabels(ctx, tn, t, x.shape[1]!);
    return [{ shape: [], dtype: 'float32' }];
  },
  kernels(ctx) {
    const [rows, cols] = ctx.inputs[0]!.shape as [number, number];
    return [{ shader: 'accuracy.wgsl', uniforms: { rows, cols, top_k: ctx.args.top_k }, overrides: { WG: rows <= 4096 ? 64 : 256 }, workgroups: [1] }];
  },
  fusable(ctx) {
    const [rows, cols] = ctx.inputs[0]!.shape as [number, number];
    return rows === 0 ? null : accuracyFused(rows, cols, ctx.args.top_k);
  },
  reference([x, t], args) {
    const [rows, cols] = x!.shape as [number, number];
    let correct = 0;
    for (let i = 0; i < rows; i++) {
      const label = t!.data[i]!;
      const score = x!.data[i * cols + label]!;
      let rank = 1;
      for (let j = 0; j < cols; j++) {
        const v = x!.data[i * cols + j]!;
        if (v > score || (v === score && j < label)) rank++;
      }
      if (rank <= args.top_k) correct++;
    }
    return [{ shape: [], data: Float64Array.of(correct / rows) }];
  },
});
