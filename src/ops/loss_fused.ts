/**
 * Fusable forms of the single-workgroup loss and metric ops (SoftmaxWithLoss, its gradient,
 * Accuracy): one fused lane walks every row in order. A batch's loss is small work, and fusing it
 * lets a whole classifier iteration become one kernel. Sums run in row order rather than the
 * kernels' lane-strided trees, so losses agree with the unfused run to rounding; Accuracy counts
 * exactly. Labels the kernels would flag still give NaN.
 */
import { f32Lit, type FusedStage } from './registry.js';

/** One lane, all rows: a row map of a single item, costed by the work it really does. */
function serial(cost: number, body: string): FusedStage[] {
  return [{ class: 'rowmap', items: 1, cost, body }];
}

/** SoftmaxWithLoss [X, T, (W)] -> [P, loss] over [rows, cols]. */
export function softmaxWithLossFused(rows: number, cols: number, labelProb: boolean, weighted: boolean, scale: number): FusedStage[] {
  const label = labelProb
    ? `var total = 0.0;
  for (var j = 0u; j < ${cols}u; j++) {
    let t = ldf(in1 + base + j);
    bad = bad || t < 0.0;
    l -= log(max(ldf(out0 + base + j), 1e-20)) * t * wi;
    total += t;
  }
  bad = bad || !(abs(total - 1.0) < 1e-5);`
    : `let t = ldi(in1 + r);
  if (t < 0 || t >= ${cols}i) {
    bad = true;
  } else {
    l -= (ldf(in0 + base + u32(t)) - m - log_s) * wi;
  }`;
  return serial(
    3 * rows * cols + 1,
    `var l = 0.0;
var w = 0.0;
var bad = false;
for (var r = 0u; r < ${rows}u; r++) {
  let base = r * ${cols}u;
  var m = ldf(in0 + base);
  for (var j = 1u; j < ${cols}u; j++) {
    m = max(m, ldf(in0 + base + j));
  }
  var s = 0.0;
  for (var j = 0u; j < ${cols}u; j++) {
    s += exp(ldf(in0 + base + j) - m);
  }
  let log_s = log(s);
  for (var j = 0u; j < ${cols}u; j++) {
    stf(out0 + base + j, exp(ldf(in0 + base + j) - m - log_s));
  }
  let wi = ${weighted ? 'ldf(in2 + r)' : '1.0'};
  ${label}
  w += wi;
}
var value = select(0.0, l * ${f32Lit(scale)} / w, w != 0.0);
if (bad) {
  let zero = value - value;
  value = zero / zero;
}
stf(out1, value);`,
  );
}

/** SoftmaxWithLossGradient [X, T, (W,) P, dLoss] -> dX; `inputs` is the op's input count. */
export function softmaxWithLossGradFused(rows: number, cols: number, labelProb: boolean, inputs: number, scale: number): FusedStage[] {
  const weighted = inputs > 4;
  const [p, dLoss] = [`in${inputs - 2}`, `in${inputs - 1}`];
  const totalW = weighted
    ? `var total_w = 0.0;
for (var r = 0u; r < ${rows}u; r++) {
  total_w += ldf(in2 + r);
}`
    : `let total_w = ${f32Lit(rows)};`;
  const goal = labelProb ? 'ldf(in1 + k)' : `select(0.0, 1.0, ldi(in1 + r) == i32(k % ${cols}u))`;
  return serial(
    rows * cols + rows,
    `${totalW}
let factor = select(1.0, ${f32Lit(scale)} / total_w * ldf(${dLoss}), total_w > 0.0);
for (var k = 0u; k < ${rows * cols}u; k++) {
  let r = k / ${cols}u;
  stf(out0 + k, (ldf(${p} + k) - ${goal}) * ${weighted ? 'ldf(in2 + r)' : '1.0'} * factor);
}`,
  );
}

/** Accuracy [predictions [rows, cols], labels] -> 0-d fraction within the top `topK`. */
export function accuracyFused(rows: number, cols: number, topK: number): FusedStage[] {
  return serial(
    rows * cols,
    `var correct = 0u;
var bad = false;
for (var r = 0u; r < ${rows}u; r++) {
  let label = ldi(in1 + r);
  if (label < 0 || label >= ${cols}i) {
    bad = true;
    continue;
  }
  let base = r * ${cols}u;
  let score = ldf(in0 + base + u32(label));
  var rank = 1u;
  for (var j = 0u; j < ${cols}u && rank <= ${topK}u; j++) {
    let v = ldf(in0 + base + j);
    rank += u32(v > score || (v == score && i32(j) < label));
  }
  correct += u32(rank <= ${topK}u);
}
var value = f32(correct) / f32(${rows}u);
if (bad) {
  let zero = value * 0.0;
  value = zero / zero;
}
stf(out0, value);`,
  );
}
