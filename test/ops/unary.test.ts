import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import type { HostTensor } from '../../src/ops/registry.js';
import { checkGradient, compareWithReference, fusedAndUnfused, makeRng, randomTensor, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(71);

interface Case {
  op: string;
  args: Record<string, number>;
  /** Input range; kept where the function is defined and well conditioned. */
  lo: number;
  hi: number;
  /** Points where the derivative jumps: finite differences keep clear of them. */
  kinks: number[];
  /** The op's own gradient operator, when Caffe2 has one (others reuse Mul, Div, Scale, Negative). */
  gradOp?: string;
}

const CASES: Case[] = [
  { op: 'Relu', args: {}, lo: -2, hi: 2, kinks: [0], gradOp: 'ReluGradient' },
  { op: 'LeakyRelu', args: { alpha: 0.2 }, lo: -2, hi: 2, kinks: [0], gradOp: 'LeakyReluGradient' },
  { op: 'Sigmoid', args: {}, lo: -6, hi: 6, kinks: [], gradOp: 'SigmoidGradient' },
  { op: 'Tanh', args: {}, lo: -3, hi: 3, kinks: [], gradOp: 'TanhGradient' },
  { op: 'Softsign', args: {}, lo: -3, hi: 3, kinks: [], gradOp: 'SoftsignGradient' },
  { op: 'Abs', args: {}, lo: -2, hi: 2, kinks: [0], gradOp: 'AbsGradient' },
  { op: 'Clip', args: { min: -0.5, max: 0.7 }, lo: -1.5, hi: 1.5, kinks: [-0.5, 0.7], gradOp: 'ClipGradient' },
  { op: 'Exp', args: {}, lo: -2, hi: 2, kinks: [] },
  { op: 'Log', args: {}, lo: 0.5, hi: 3, kinks: [] },
  { op: 'Sqrt', args: {}, lo: 0.5, hi: 3, kinks: [] },
  { op: 'Sqr', args: {}, lo: -2, hi: 2, kinks: [] },
  { op: 'Negative', args: {}, lo: -2, hi: 2, kinks: [] },
];

/** Random input for a case, with every value at least `gap` from a kink. */
function input(c: Case, shape: number[], gap = 0.05): HostTensor {
  const t = randomTensor(rng, shape, c.lo, c.hi);
  t.data = t.data.map((v) => {
    for (const k of c.kinks) if (Math.abs(v - k) < gap) return Math.fround(v < k ? k - gap : k + gap);
    return v;
  });
  return t;
}

describe.each(CASES)('$op', (c) => {
  it('matches the float64 reference (odd shape, and 0-d)', async () => {
    const [err] = await compareWithReference(c.op, [input(c, [3, 5, 7])], c.args);
    const [err0] = await compareWithReference(c.op, [input(c, [])], c.args);
    expect(Math.max(err!, err0!)).toBeLessThan(1e-5);
  });

  it('runs in place, or rejects it as Caffe2 does', async () => {
    const x = input(c, [13]);
    await workspace.FeedBlob(`un_ip_${c.op}`, x.data, { shape: x.shape });
    const make = () => core.CreateOperator(c.op, [`un_ip_${c.op}`], [`un_ip_${c.op}`], c.args);
    if (c.op === 'Abs') {
      expect(make).toThrow(/Abs.*output #0 "un_ip_Abs" is the same blob as input #0/);
      return;
    }
    const op = make();
    const [want] = await runOp(c.op, [x], c.args);
    await workspace.RunOperatorOnce(op);
    expect(Array.from((await workspace.FetchBlob(`un_ip_${c.op}`)).data)).toEqual(Array.from(want!.data));
  });

  it('rejects an int32 input', async () => {
    await workspace.FeedBlob(`un_i_${c.op}`, new Int32Array([1, 2, 3]));
    await expect(workspace.RunOperatorOnce(core.CreateOperator(c.op, [`un_i_${c.op}`], [`un_o_${c.op}`], c.args))).rejects.toThrow(
      new RegExp(`${c.op} \\(op #0.*input un_i_${c.op} has dtype int32, expected float32`),
    );
  });

  // Central differences of the fp32 forward: relative tolerance 1e-2.
  it('passes finite differences', async () => {
    const [err] = await checkGradient(c.op, [input(c, [2, 3], 0.1)], c.args);
    expect(err).toBeLessThan(1e-2);
  });

  const gradOp = c.gradOp;
  // Exp, Log, Sqrt, Sqr and Negative have none: their gradients are ordinary ops (tested below).
  if (gradOp !== undefined) {
    it('has a gradient op that matches its reference and runs over dY in place', async () => {
      const v = input(c, [3, 5, 7]);
      const forwardOut: HostTensor = ['Softsign', 'Abs'].includes(c.op)
        ? v
        : { shape: v.shape, data: Float64Array.from((await runOp(c.op, [v], c.args))[0]!.data) };
      const dy = randomTensor(rng, [3, 5, 7]);
      const [err] = await compareWithReference(gradOp, [forwardOut, dy], c.args);
      expect(err).toBeLessThan(1e-5);
      const [want] = await runOp(gradOp, [forwardOut, dy], c.args);
      await workspace.FeedBlob(`un_gv_${c.op}`, forwardOut.data, { shape: v.shape });
      await workspace.FeedBlob(`un_gd_${c.op}`, dy.data, { shape: v.shape });
      await workspace.RunOperatorOnce(core.CreateOperator(gradOp, [`un_gv_${c.op}`, `un_gd_${c.op}`], [`un_gd_${c.op}`], c.args));
      expect(Array.from((await workspace.FetchBlob(`un_gd_${c.op}`)).data)).toEqual(Array.from(want!.data));
    });
  }
});

describe('unary gradient graphs and errors', () => {
  /** [type, inputs, outputs, args] of the gradient ops AddGradientOperators emits for one op. */
  function gradOps(type: string, args: Record<string, number> = {}, inPlace = false): unknown[] {
    const net = core.Net(`un_graph_${type}`);
    const y = inPlace ? 'x' : 'y';
    net.Proto().op.push(core.CreateOperator(type, ['x'], [y], args));
    net.AddGradientOperators({ [y]: 'dy' });
    return net.Proto().op.slice(1).map((o) => [o.type, o.input, o.output, o.arg]);
  }

  it('activations read the output, as Caffe2 does (so they work in place)', () => {
    expect(gradOps('Relu', {}, true)).toEqual([['ReluGradient', ['x', 'dy'], ['x_grad'], []]]);
    expect(gradOps('Tanh')).toEqual([['TanhGradient', ['y', 'dy'], ['x_grad'], []]]);
    expect(gradOps('LeakyRelu', { alpha: 0.3 })).toEqual([['LeakyReluGradient', ['y', 'dy'], ['x_grad'], [{ name: 'alpha', f: 0.3 }]]]);
    expect(gradOps('Clip', { min: 0, max: 1 })).toEqual([
      ['ClipGradient', ['y', 'dy'], ['x_grad'], [{ name: 'min', f: 0 }, { name: 'max', f: 1 }]],
    ]);
    expect(gradOps('Softsign')).toEqual([['SoftsignGradient', ['x', 'dy'], ['x_grad'], []]]);
  });

  it('Exp, Log, Sqrt, Sqr and Negative differentiate with ordinary ops', () => {
    expect(gradOps('Exp')).toEqual([['Mul', ['y', 'dy'], ['x_grad'], []]]);
    expect(gradOps('Log')).toEqual([['Div', ['dy', 'x'], ['x_grad'], []]]);
    expect(gradOps('Sqrt')).toEqual([
      ['Scale', ['dy'], ['x_grad'], [{ name: 'scale', f: 0.5 }]],
      ['Div', ['x_grad', 'y'], ['x_grad'], []],
    ]);
    expect(gradOps('Sqr')).toEqual([
      ['Scale', ['dy'], ['x_grad'], [{ name: 'scale', f: 2 }]],
      ['Mul', ['x_grad', 'x'], ['x_grad'], []],
    ]);
    expect(gradOps('Negative')).toEqual([['Negative', ['dy'], ['x_grad'], []]]);
  });

  it.each(['Softsign', 'Log', 'Sqr'])('%s in place has no gradient (it needs the overwritten input)', (type) => {
    expect(() => gradOps(type, {}, true)).toThrow(new RegExp(`cannot compute the gradient of an in-place ${type}`));
  });

  it('LeakyRelu defaults alpha to 0.01 and Clip to the float32 range', async () => {
    const x = { shape: [3], data: Float64Array.of(-2, 0.5, 3e38) };
    const [leaky] = await runOp('LeakyRelu', [x]);
    const [clip] = await runOp('Clip', [x]);
    expect(Array.from(leaky!.data)).toEqual([Math.fround(-0.02), 0.5, Math.fround(3e38)]);
    expect(Array.from(clip!.data)).toEqual(Array.from(x.data.map(Math.fround)));
  });

  it('Tanh and Sigmoid saturate without NaN', async () => {
    const x = { shape: [4], data: Float64Array.of(-100, -50, 50, 100) };
    const [t] = await runOp('Tanh', [x]);
    const [s] = await runOp('Sigmoid', [x]);
    expect(Array.from(t!.data)).toEqual([-1, -1, 1, 1]);
    expect([s!.data[0], s!.data[2], s!.data[3]]).toEqual([0, 1, 1]);
    expect(s!.data[1]! / (1 / (1 + Math.exp(50)))).toBeCloseTo(1, 4);
  });

  it('rejects an unknown argument with a hint', () => {
    expect(() => core.CreateOperator('LeakyRelu', ['un_arg'], ['un_arg_y'], { alpah: 0.1 })).toThrow(
      /LeakyRelu.*unknown argument "alpah".*Did you mean "alpha"/,
    );
  });

  it('gradient ops reject dY of another shape', async () => {
    await workspace.FeedBlob('un_gy', new Float32Array(6), { shape: [2, 3] });
    await workspace.FeedBlob('un_gdy', new Float32Array(6), { shape: [3, 2] });
    await expect(workspace.RunOperatorOnce(core.CreateOperator('ReluGradient', ['un_gy', 'un_gdy'], ['un_gdx']))).rejects.toThrow(
      /ReluGradient.*input un_gdy has shape \[3,2\], but un_gy has shape \[2,3\]/,
    );
  });
});

describe('unary fusable forms', () => {
  it('a chain of every unary op and gradient op gives, fused, exactly what the kernels give', async () => {
    const x = randomTensor(rng, [5, 7], 0.2, 2);
    const dy = randomTensor(rng, [5, 7]);
    const ops = [
      ...CASES.map((c) => core.CreateOperator(c.op, ['fz_x'], [`fz_${c.op}`], c.args)),
      ...CASES.filter((c) => c.gradOp).map((c) => core.CreateOperator(c.gradOp!, [`fz_${c.op}`, 'fz_dy'], [`fz_g_${c.op}`], c.args)),
      core.CreateOperator('Relu', ['fz_Negative'], ['fz_Negative']),
      core.CreateOperator('ReluGradient', ['fz_Negative', 'fz_dy'], ['fz_dy']),
    ];
    const names = [...ops.map((o) => o.output[0]!)];
    const { fused, unfused, dispatches } = await fusedAndUnfused(ops, { fz_x: x, fz_dy: dy }, names);
    expect(dispatches[0]).toBeLessThan(dispatches[1]);
    fused.forEach((t, i) => expect(Array.from(t.data), names[i]).toEqual(Array.from(unfused[i]!.data)));
  });
});
