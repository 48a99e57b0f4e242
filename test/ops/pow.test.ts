import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import { checkGradient, compareWithReference, fusedAndUnfused, makeRng, randomTensor, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(113);

describe('Pow with the exponent argument', () => {
  it.each([2, 3, 0.5, -1, -1.5, 0])('matches the float64 reference for exponent %f on [3,5,7]', async (exponent) => {
    const lo = Number.isInteger(exponent) ? -2 : 0.2;
    const [err] = await compareWithReference('Pow', [randomTensor(rng, [3, 5, 7], lo, 2)], { exponent });
    expect(err).toBeLessThan(1e-5);
  });

  it('follows std::pow on negative bases and zero', async () => {
    const [y] = await runOp('Pow', [{ shape: [4], data: Float64Array.of(-2, -2, 0, -1) }], { exponent: 3 });
    expect(Array.from(y!.data)).toEqual([-8, -8, 0, -1]);
    const [r] = await runOp('Pow', [{ shape: [3], data: Float64Array.of(-2, 0, 4) }], { exponent: -0.5 });
    expect(Number.isNaN(r!.data[0])).toBe(true);
    expect(Array.from(r!.data.slice(1))).toEqual([Infinity, 0.5]);
  });

  it('runs in place', async () => {
    await workspace.FeedBlob('pw_ip', [1.5, -2, 3]);
    await workspace.RunOperatorOnce(core.CreateOperator('Pow', ['pw_ip'], ['pw_ip'], { exponent: 2 }));
    expect(Array.from((await workspace.FetchBlob('pw_ip')).data)).toEqual([2.25, 4, 9]);
  });

  it('differentiates as Caffe2 does: Pow(e−1), Mul by dY, Scale by e (args not copied)', () => {
    const net = core.Net('pw_graph');
    net.Proto().op.push(core.CreateOperator('Pow', ['x'], ['y'], { exponent: 3 }));
    net.AddGradientOperators({ y: 'dy' });
    expect(net.Proto().op.slice(1).map((o) => [o.type, o.input, o.output, o.arg])).toEqual([
      ['Pow', ['x'], ['x_grad'], [{ name: 'exponent', f: 2 }]],
      ['Mul', ['x_grad', 'dy'], ['x_grad'], []],
      ['Scale', ['x_grad'], ['x_grad'], [{ name: 'scale', f: 3 }]],
    ]);
  });

  it('in place, differentiates through Y with exponent (e−1)/e, as Caffe2 does', async () => {
    const net = core.Net('pw_inplace_grad');
    net.Proto().op.push(core.CreateOperator('Pow', ['pwg_x'], ['pwg_x'], { exponent: 3 }));
    net.AddGradientOperators({ pwg_x: 'pwg_dx' });
    expect(net.Proto().op[1]!.arg).toEqual([{ name: 'exponent', f: 2 / 3 }]);
    await workspace.FeedBlob('pwg_x', [1.5, 2]);
    await workspace.FeedBlob('pwg_dx', [1, -0.5]);
    await workspace.RunNetOnce(net);
    const g = Array.from((await workspace.FetchBlob('pwg_x_grad')).data);
    expect(g[0]).toBeCloseTo(3 * 1.5 ** 2, 4);
    expect(g[1]).toBeCloseTo(-0.5 * 3 * 4, 4);
  });

  // Central differences of the fp32 forward: relative tolerance 1e-2.
  it.each([3, 0.5, -1.5])('passes finite differences for exponent %f', async (exponent) => {
    const [err] = await checkGradient('Pow', [randomTensor(rng, [2, 3], 0.5, 2)], { exponent });
    expect(err).toBeLessThan(1e-2);
  });
});

describe('Pow with an exponent input', () => {
  it.each([
    ['same shape', [3, 5, 7], [3, 5, 7], {}],
    ['a single value', [3, 5, 7], [1], { broadcast: 1 }],
    ['suffix block', [3, 5, 7], [5, 7], { broadcast: 1 }],
    ['axis 1 block', [3, 5, 7], [5], { broadcast: 1, axis: 1 }],
    ['axis_str C in NCHW', [2, 3, 4, 5], [3], { broadcast: 1, axis_str: 'C' }],
    ['block with trailing 1 stripped', [3, 5, 7], [3, 1], { broadcast: 1, axis: 0 }],
  ])('matches the float64 reference: %s', async (_, a, b, args) => {
    const [err] = await compareWithReference('Pow', [randomTensor(rng, a as number[], 0.2, 2), randomTensor(rng, b as number[], -2, 2)], args);
    expect(err).toBeLessThan(1e-5);
  });

  it.each([
    ['no broadcast', [3, 4], [3, 4], {}],
    ['broadcast over a block', [3, 4], [4], { broadcast: 1 }],
    ['broadcast of a single value', [2, 3], [1], { broadcast: 1 }],
  ])('passes finite differences for both inputs: %s', async (_, a, b, args) => {
    const errs = await checkGradient('Pow', [randomTensor(rng, a as number[], 0.5, 2), randomTensor(rng, b as number[], -1.5, 1.5)], args);
    expect(errs).toHaveLength(2);
    expect(Math.max(...errs)).toBeLessThan(1e-2);
  });

  it('differentiates with Caffe2\'s op sequence, ending in SumReduceLike under broadcast', () => {
    const net = core.Net('pw_graph2');
    net.Proto().op.push(core.CreateOperator('Pow', ['a', 'b'], ['y'], { broadcast: 1, axis: 0 }));
    net.AddGradientOperators({ y: 'dy' });
    const bargs = [{ name: 'broadcast', i: 1 }, { name: 'axis', i: 0 }];
    expect(net.Proto().op.slice(1).map((o) => [o.type, o.input, o.output, o.arg])).toEqual([
      ['ConstantFill', ['b'], ['b_grad'], [{ name: 'value', f: 1 }]],
      ['Sub', ['b', 'b_grad'], ['b_grad'], []],
      ['Pow', ['a', 'b_grad'], ['a_grad'], bargs],
      ['Mul', ['a_grad', 'dy'], ['a_grad'], []],
      ['Mul', ['a_grad', 'b'], ['a_grad'], bargs],
      ['Log', ['a'], ['b_grad_autogen_pre_red'], []],
      ['Mul', ['b_grad_autogen_pre_red', 'y'], ['b_grad_autogen_pre_red'], []],
      ['Mul', ['b_grad_autogen_pre_red', 'dy'], ['b_grad_autogen_pre_red'], []],
      ['SumReduceLike', ['b_grad_autogen_pre_red', 'b'], ['b_grad'], [{ name: 'axis', i: 0 }]],
    ]);
  });
});

describe('Pow errors', () => {
  it.each([
    ['no exponent at all', ['pe_a'], {}, /Pow \(op #0.*needs the `exponent` argument/],
    ['both an exponent argument and input', ['pe_a', 'pe_b'], { exponent: 2 }, /got both the exponent argument \(2\) and an exponent input \(pe_b\)/],
    ['shapes that differ without broadcast', ['pe_a', 'pe_b'], {}, /exponent input has shape \[3\], but the base has shape \[2,3\].*did you forget broadcast=1/],
    ['axis without broadcast', ['pe_a', 'pe_a'], { axis: 0 }, /axis and axis_str are only used with broadcast=1/],
    ['a block that does not fit', ['pe_a', 'pe_b'], { broadcast: 1, axis: 0 }, /cannot be broadcast against the base \[2,3\]/],
    ['an int32 base', ['pe_i'], { exponent: 2 }, /input pe_i has dtype int32, expected float32/],
  ])('rejects %s', async (_, inputs, args, message) => {
    await workspace.FeedBlob('pe_a', new Float32Array(6), { shape: [2, 3] });
    await workspace.FeedBlob('pe_b', new Float32Array(3));
    await workspace.FeedBlob('pe_i', new Int32Array(3));
    await expect(workspace.RunOperatorOnce(core.CreateOperator('Pow', inputs, ['pe_y'], args))).rejects.toThrow(message);
  });

  it('refuses the gradient of a two-input Pow in place', () => {
    const net = core.Net('pw_graph3');
    net.Proto().op.push(core.CreateOperator('Pow', ['a', 'b'], ['a']));
    expect(() => net.AddGradientOperators({ a: 'da' })).toThrow(/cannot differentiate a two-input Pow computed in place/);
  });
});

describe('Pow fusable form', () => {
  it('both forms give, fused, exactly what the kernels give', async () => {
    const ops = [
      core.CreateOperator('Pow', ['pwf_a'], ['pwf_y'], { exponent: 3 }),
      core.CreateOperator('Pow', ['pwf_a', 'pwf_b'], ['pwf_z'], { broadcast: 1, axis: 1 }),
      core.CreateOperator('Pow', ['pwf_a', 'pwf_c'], ['pwf_w']),
    ];
    const feeds = { pwf_a: randomTensor(rng, [3, 5, 7], -2, 2), pwf_b: randomTensor(rng, [5], -2, 2), pwf_c: randomTensor(rng, [3, 5, 7], -2, 2) };
    const names = ['pwf_y', 'pwf_z', 'pwf_w'];
    const { fused, unfused, dispatches } = await fusedAndUnfused(ops, feeds, names);
    expect(dispatches[0]).toBeLessThan(dispatches[1]);
    fused.forEach((t, i) => expect(Array.from(t.data), names[i]).toEqual(Array.from(unfused[i]!.data)));
  });
});
