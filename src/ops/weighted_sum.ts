/**
 * WeightedSum (Y = Σ w_i·X_i, the plain SGD update W ← 1·W + LR·W_grad) and its gradient. The
 * weights are one-element blobs read on the GPU, so a learning rate computed by LearningRate is
 * used without any readback. In place (Y is X0) the planner binds W once, read_write (pointwise kernels).
 */
import { fmtShape } from '../core/errors.js';
import { arg } from './args.js';
import { defineOp, type BindingSource, type KernelCall } from './registry.js';
import { vec4Split } from './elementwise.js';
import { linearWorkgroups, size } from './shape.js';

const PAIRS_PER_DISPATCH = 3;

/** One term w·X: the input indices of X and of its one-element weight. */
interface Pair {
  x: number;
  w: number;
}

/**
 * Dispatches adding w·X into output `output` for each pair, three pairs per pass over Y: vec4s
 * through weighted_sum_vec4.wgsl, then any scalar remainder through weighted_sum.wgsl (vec4Split).
 * The first pass starts from zero, later ones add to Y. Unused weight bindings alias input
 * `spareWeight`; unused X bindings alias the pass's first X. The kernels are pointwise, so when X0
 * is Y (the SGD update) the planner reads it through Y's binding.
 */
function weightedSumCalls(n: number, output: number, pairs: readonly Pair[], spareWeight: number): KernelCall[] {
  const { n4, scalarFrom } = vec4Split(n);
  const calls: KernelCall[] = [];
  const pending = [...pairs];
  let mode = 0;
  do {
    const chunk = pending.splice(0, PAIRS_PER_DISPATCH);
    const weight: BindingSource = { input: spareWeight };
    const bindings = (unusedX: BindingSource): Record<string, BindingSource> => {
      const b: Record<string, BindingSource> = { Y: { output } };
      for (let slot = 0; slot < PAIRS_PER_DISPATCH; slot++) {
        const p = chunk[slot];
        b[`X${slot}`] = p ? { input: p.x } : unusedX;
        b[`W${slot}`] = p ? { input: p.w } : weight;
      }
      return b;
    };
    if (n4 > 0) {
      // A vec4 binding needs at least 16 bytes, more than a weight has: unused X slots take the first X.
      calls.push({
        shader: 'weighted_sum_vec4.wgsl',
        bindings: bindings({ input: chunk[0]!.x }),
        overrides: { PAIRS: chunk.length, MODE: mode },
        workgroups: linearWorkgroups(n4),
        pointwise: true,
      });
    }
    if (scalarFrom < n) {
      calls.push({
        shader: 'weighted_sum.wgsl',
        bindings: bindings(weight),
        uniforms: { start: scalarFrom, n, pairs: chunk.length, mode },
        workgroups: linearWorkgroups(n - scalarFrom),
        pointwise: true,
      });
    }
    mode = 1;
  } while (pending.length);
  return calls;
}

export const WeightedSum = defineOp({
  type: 'WeightedSum',
  doc:
    'Y = w0·X0 + w1·X1 + … (inputs X0, w0, X1, w1, …; each w one float element, every X with X0\'s element count; Y has ' +
    'X0\'s shape). In place only as Y = X0, the SGD update WeightedSum([W, ONE, W_grad, LR], W).',
  inputs: ['X0', 'weight0'],
  inputCount: [2, Infinity],
  outputs: ['output'],
  // Checked in inferShape, to give Caffe2's message for the one alias it allows.
  inPlace: 'any',
  args: { grad_on_w: arg.bool(0) },
  inferShape(ctx) {
    const names = ctx.op.input;
    if (names.length % 2 !== 0) ctx.argError(`expects pairs X0, w0, X1, w1, …: got an odd number of inputs (${names.length})`);
    names.forEach((name, i) => {
      if (i > 0 && name === ctx.op.output[0]) {
        ctx.argError(`Input #${i} is the same as output. If you want to do in-place updates, put the output as input #0.`);
      }
      const t = ctx.inputs[i]!;
      if (t.dtype !== 'float32') ctx.dtypeError(`input ${name} has dtype ${t.dtype}, expected float32`);
    });
    const x0 = ctx.inputs[0]!;
    const n = size(x0.shape);
    if (n === 0) ctx.shapeError(`input ${names[0]} is empty (shape ${fmtShape(x0.shape)}); X0 must have elements`);
    for (let i = 0; i < names.length; i += 2) {
      const x = ctx.inputs[i]!;
      const w = ctx.inputs[i + 1]!;
      if (size(x.shape) !== n) {
        ctx.shapeError(`input ${names[i]} has shape ${fmtShape(x.shape)} (${size(x.shape)} elements), but ${names[0]} has ${n} elements ${fmtShape(x0.shape)} (expected the same count)`);
      }
      if (size(w.shape) !== 1) ctx.shapeError(`weight ${names[i + 1]} has shape ${fmtShape(w.shape)}, expected one element`);
    }
    return [{ shape: x0.shape, dtype: 'float32' }];
  },
  kernels(ctx, [y]) {
    const pairs = Array.from({ length: ctx.op.input.length / 2 }, (_, p) => ({ x: 2 * p, w: 2 * p + 1 }));
    return weightedSumCalls(size(y!.shape), 0, pairs, 1);
  },
  fusable(ctx, [y]) {
    // Σ w_p·X_p in pair order, as the dispatches add them.
    const terms = Array.from({ length: ctx.op.input.length / 2 }, (_, p) => `acc += ldf(in${2 * p + 1}) * ldf(in${2 * p} + i);`);
    return [{ class: 'update', items: size(y!.shape), cost: terms.length, pointwise: true, body: ['var acc = 0.0;', ...terms, 'stf(out0 + i, acc);'].join('\n') }];
  },
  gradient: (g) => {
    const a = g.def.arg.find((x) => x.name === 'grad_on_w');
    const gradOnW = (a?.i ?? a?.f ?? 0) !== 0;
    const count = g.def.input.length / 2;
    const outputs = Array.from({ length: count }, (_, p) => g.GI(2 * p));
    if (gradOnW) outputs.push(...Array.from({ length: count }, (_, p) => g.GI(2 * p + 1)));
    return {
      ops: [g.op('WeightedSumGradient', [g.GO(0)!, ...g.def.input], outputs)],
      inputGrads: g.def.input.map((_, k) => (k % 2 === 0 || gradOnW ? g.GI(k) : null)),
    };
  },
  reference(inputs) {
    const data = new Float64Array(inputs[0]!.data.length);
    for (let i = 0; i < inputs.length; i += 2) {
      const w = inputs[i + 1]!.data[0]!;
      inputs[i]!.data.forEach((v, j) => (data[j] = data[j]! + w * v));
    }
    return [{ shape: [...inputs[0]!.shape], data }];
  },
});

export const WeightedSumGradient = defineOp({
  type: 'WeightedSumGradient',
  doc: 'Inputs dY, X0, w0, X1, w1, …; outputs dX_i = w_i·dY, then with grad_on_w=1 dw_i = Σ dY·X_i (shape [1]).',
  inputs: ['dY', 'X0', 'weight0'],
  inputCount: [3, Infinity],
  outputs: ['dX0'],
  outputCount: [1, Infinity],
  args: { grad_on_w: arg.bool(0) },
  noGradient: 'second derivatives are not supported',
  inferShape(ctx) {
    const names = ctx.op.input;
    if (names.length % 2 !== 1) ctx.argError(`expects dY then pairs X0, w0, X1, w1, …: got an even number of inputs (${names.length})`);
    const count = (names.length - 1) / 2;
    const gradOnW = ctx.args.grad_on_w !== 0;
    const want = gradOnW ? 2 * count : count;
    if (ctx.op.output.length !== want) {
      ctx.argError(`expected ${want} outputs (${count} input gradients${gradOnW ? ` and ${count} weight gradients, grad_on_w=1` : ''}), got ${ctx.op.output.length}`);
    }
    const dy = ctx.inputs[0]!;
    names.forEach((name, i) => {
      if (ctx.inputs[i]!.dtype !== 'float32') ctx.dtypeError(`input ${name} has dtype ${ctx.inputs[i]!.dtype}, expected float32`);
    });
    for (let p = 0; p < count; p++) {
      const x = ctx.inputs[1 + 2 * p]!;
      const w = ctx.inputs[2 + 2 * p]!;
      if (size(w.shape) !== 1) ctx.shapeError(`weight ${names[2 + 2 * p]} has shape ${fmtShape(w.shape)}, expected one element`);
      if (gradOnW && size(x.shape) !== size(dy.shape)) {
        ctx.shapeError(`input ${names[1 + 2 * p]} has ${size(x.shape)} elements ${fmtShape(x.shape)}, but ${names[0]} has ${size(dy.shape)} ${fmtShape(dy.shape)} (expected the same count)`);
      }
    }
    const dx = Array.from({ length: count }, () => ({ shape: dy.shape, dtype: 'float32' as const }));
    const dw = gradOnW ? Array.from({ length: count }, () => ({ shape: [1], dtype: 'float32' as const })) : [];
    return [...dx, ...dw];
  },
  kernels(ctx, outs) {
    const count = (ctx.op.input.length - 1) / 2;
    const n = size(outs[0]!.shape);
    const calls: KernelCall[] = [];
    for (let p = 0; p < count; p++) {
      // dX_p = w_p·dY is a one-pair weighted sum.
      calls.push(...weightedSumCalls(n, p, [{ x: 0, w: 2 + 2 * p }], 2));
      if (ctx.args.grad_on_w !== 0) {
        calls.push({
          shader: 'weighted_sum_grad_w.wgsl',
          bindings: { dY: { input: 0 }, X: { input: 1 + 2 * p }, dw: { output: count + p } },
          uniforms: { n },
          workgroups: [1],
        });
      }
    }
    return calls;
  },
  reference(inputs, args) {
    const [dy, ...rest] = inputs;
    const count = rest.length / 2;
    const dx = Array.from({ length: count }, (_, p) => ({ shape: [...dy!.shape], data: dy!.data.map((v) => v * rest[2 * p + 1]!.data[0]!) }));
    if (!args.grad_on_w) return dx;
    const dw = Array.from({ length: count }, (_, p) => {
      let s = 0;
      rest[2 * p]!.data.forEach((v, j) => (s += v * dy!.data[j]!));
      return { shape: [1], data: Float64Array.of(s) };
    });
    return [...dx, ...dw];
  },
});
