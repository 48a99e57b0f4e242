import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import type { HostTensor } from '../../src/ops/registry.js';
import { checkGradient, compareWithReference, fusedAndUnfused, makeRng, randomIntTensor, randomTensor, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(97);

/** Random probability rows [rows, cols] (float32 values, each row summing to 1 within float32). */
function probRows(rows: number, cols: number): HostTensor {
  const t = randomTensor(rng, [rows, cols], 0.05, 1);
  for (let i = 0; i < rows; i++) {
    const row = t.data.subarray(i * cols, (i + 1) * cols);
    const s = row.reduce((a, b) => a + b, 0);
    row.forEach((v, j) => (row[j] = Math.fround(v / s)));
  }
  return t;
}

interface Case {
  name: string;
  x: number[];
  labels: () => HostTensor;
  weights?: number;
  args: Record<string, number>;
}

const CASES: Case[] = [
  { name: 'int labels [N]', x: [7, 5], labels: () => randomIntTensor(rng, [7], 0, 4), args: {} },
  { name: 'int labels [N,1], scale 2.5', x: [7, 5], labels: () => randomIntTensor(rng, [7, 1], 0, 4), args: { scale: 2.5 } },
  { name: 'weights', x: [9, 3], labels: () => randomIntTensor(rng, [9], 0, 2), weights: 9, args: {} },
  { name: 'axis 2 of [3,5,7]', x: [3, 5, 7], labels: () => randomIntTensor(rng, [3, 5], 0, 6), args: { axis: 2 } },
  { name: 'label_prob', x: [5, 7], labels: () => probRows(5, 7), args: { label_prob: 1 } },
  { name: 'label_prob with weights and scale', x: [5, 7], labels: () => probRows(5, 7), weights: 5, args: { label_prob: 1, scale: 0.5 } },
];

function inputsOf(c: Case): HostTensor[] {
  const ins = [randomTensor(rng, c.x, -3, 3), c.labels()];
  if (c.weights) ins.push(randomTensor(rng, [c.weights], 0.1, 2));
  return ins;
}

describe('SoftmaxWithLoss', () => {
  it.each(CASES)('matches the float64 reference: $name', async (c) => {
    const errs = await compareWithReference('SoftmaxWithLoss', inputsOf(c), c.args, 2);
    expect(Math.max(...errs)).toBeLessThan(1e-5);
  });

  it('gives a 0-d loss and P shaped like the logits', async () => {
    const [p, loss] = await runOp('SoftmaxWithLoss', [randomTensor(rng, [2, 3, 2]), { shape: [2], data: Float64Array.of(5, 0), dtype: 'int32' }], {}, 2);
    expect([...p!.shape]).toEqual([2, 3, 2]);
    expect([...loss!.shape]).toEqual([]);
  });

  it('gives loss 0 when the weights sum to 0', async () => {
    const [, loss] = await runOp(
      'SoftmaxWithLoss',
      [randomTensor(rng, [2, 3]), { shape: [2], data: Float64Array.of(1, 2), dtype: 'int32' }, { shape: [2], data: Float64Array.of(0, 0) }],
      {},
      2,
    );
    expect(loss!.data[0]).toBe(0);
  });

  it('stays finite for logits far apart (log-softmax, not log of an underflowed P)', async () => {
    const [, loss] = await runOp('SoftmaxWithLoss', [{ shape: [1, 2], data: Float64Array.of(0, 200) }, { shape: [1], data: Float64Array.of(0), dtype: 'int32' }], {}, 2);
    expect(loss!.data[0]).toBeCloseTo(200, 3);
  });

  it('rejects labels known on the host that are out of range or not distributions', async () => {
    await workspace.FeedBlob('swl_x', new Float32Array(6), { shape: [2, 3] });
    await workspace.FeedBlob('swl_t', new Int32Array([0, 3]));
    await expect(workspace.RunOperatorOnce(core.CreateOperator('SoftmaxWithLoss', ['swl_x', 'swl_t'], ['swl_p', 'swl_l']))).rejects.toThrow(
      /SoftmaxWithLoss \(op #0.*input swl_t has label 3 at row 1, outside the 3 classes \[0, 3\)/,
    );
    await workspace.FeedBlob('swl_q', new Float32Array([0.5, 0.5, 0, 0.2, 0.2, 0.2]), { shape: [2, 3] });
    await expect(
      workspace.RunOperatorOnce(core.CreateOperator('SoftmaxWithLoss', ['swl_x', 'swl_q'], ['swl_p', 'swl_l'], { label_prob: 1 })),
    ).rejects.toThrow(/input swl_q: row 1 sums to 0.6\d*, expected 1/);
  });

  it('makes the loss NaN for a bad label it only meets on the GPU', async () => {
    await workspace.FeedBlob('swl_gx', new Float32Array(6), { shape: [2, 3] });
    await workspace.FeedBlob('swl_gt0', new Int32Array([0, 7]));
    const net = core.Net('swl_gpu_labels');
    net.Proto().op.push(core.CreateOperator('Copy', ['swl_gt0'], ['swl_gt']));
    net.Proto().op.push(core.CreateOperator('SoftmaxWithLoss', ['swl_gx', 'swl_gt'], ['swl_gp', 'swl_gl']));
    await workspace.RunNetOnce(net);
    expect(Number.isNaN((await workspace.FetchBlob('swl_gl')).data[0])).toBe(true);
  });

  it.each([
    ['float labels without label_prob', [2, 3], new Float32Array([0, 1]), [2], {}, /input swl_b has dtype float32, expected int32/],
    ['labels of the wrong count', [2, 3], new Int32Array([0, 1, 2]), [3], {}, /input swl_b has shape \[3\], expected 2 class indices/],
    ['prob labels of the wrong shape', [2, 3], new Float32Array(6), [6], { label_prob: 1 }, /with label_prob=1, input swl_b has shape \[6\]/],
    ['order NHWC', [2, 3], new Int32Array([0, 1]), [2], { order: 'NHWC' }, /order "NHWC" is not supported/],
    ['a negative scale', [2, 3], new Int32Array([0, 1]), [2], { scale: -1 }, /scale must be >= 0/],
    ['axis out of range', [2, 3], new Int32Array([0, 1]), [2], { axis: 3 }, /argument axis=3 is out of range/],
  ])('rejects %s', async (_, xShape, labels, lShape, args, message) => {
    await workspace.FeedBlob('swl_a', new Float32Array(6), { shape: xShape });
    await workspace.FeedBlob('swl_b', labels, { shape: lShape });
    await expect(workspace.RunOperatorOnce(core.CreateOperator('SoftmaxWithLoss', ['swl_a', 'swl_b'], ['swl_p', 'swl_l'], args))).rejects.toThrow(
      message,
    );
  });

  it('rejects weights of the wrong count', async () => {
    await workspace.FeedBlob('swl_wx', new Float32Array(6), { shape: [2, 3] });
    await workspace.FeedBlob('swl_wt', new Int32Array([0, 1]));
    await workspace.FeedBlob('swl_ww', new Float32Array(3));
    await expect(workspace.RunOperatorOnce(core.CreateOperator('SoftmaxWithLoss', ['swl_wx', 'swl_wt', 'swl_ww'], ['swl_p', 'swl_l']))).rejects.toThrow(
      /input swl_ww \(weights\) has shape \[3\], expected 2 values/,
    );
  });
});

describe('SoftmaxWithLoss gradient', () => {
  it('emits SoftmaxWithLossGradient [X, T, (W,) P, dloss] from the loss gradient only', () => {
    const net = core.Net('swl_graph');
    net.Proto().op.push(core.CreateOperator('SoftmaxWithLoss', ['x', 't', 'w'], ['p', 'l'], { scale: 2 }));
    net.AddGradientOperators({ l: 'dl' });
    const g = net.Proto().op[1]!;
    expect([g.type, g.input, g.output, g.arg]).toEqual(['SoftmaxWithLossGradient', ['x', 't', 'w', 'p', 'dl'], ['x_grad'], [{ name: 'scale', f: 2 }]]);
    const only = core.Net('swl_graph_p');
    only.Proto().op.push(core.CreateOperator('SoftmaxWithLoss', ['x', 't'], ['p', 'l']));
    expect(() => only.AddGradientOperators({ p: 'dp' })).toThrow(/a gradient reaches only the softmax output "p"/);
  });

  it.each(CASES)('SoftmaxWithLossGradient matches the float64 reference: $name', async (c) => {
    const ins = inputsOf(c);
    const [p] = await runOp('SoftmaxWithLoss', ins, c.args, 2);
    const gradIns = [...ins, { shape: [...p!.shape], data: Float64Array.from(p!.data) }, randomTensor(rng, [])];
    const [err] = await compareWithReference('SoftmaxWithLossGradient', gradIns, c.args);
    expect(err).toBeLessThan(1e-5);
  });

  // Central differences of the fp32 forward: relative tolerance 1e-2.
  it.each(CASES.filter((c) => c.name !== 'int labels [N]'))('passes finite differences: $name', async (c) => {
    const [err] = await checkGradient('SoftmaxWithLoss', inputsOf(c), c.args, { wrt: [0], outputCount: 2, output: 1 });
    expect(err).toBeLessThan(1e-2);
  });
});

describe('SoftmaxWithLoss fusable form', () => {
  it.each(CASES)('gives, fused, what the kernels give (P exactly, loss and gradient to rounding): $name', async (c) => {
    const ins = inputsOf(c);
    const names = ['swf_x', 'swf_t', ...(c.weights ? ['swf_w'] : [])];
    const feeds = Object.fromEntries(names.map((n, i) => [n, ins[i]!]));
    const ops = [
      core.CreateOperator('SoftmaxWithLoss', names, ['swf_p', 'swf_l'], c.args),
      core.CreateOperator('SoftmaxWithLossGradient', [...names, 'swf_p', 'swf_dl'], ['swf_dx'], c.args),
    ];
    const out = ['swf_p', 'swf_l', 'swf_dx'];
    const { fused, unfused, dispatches } = await fusedAndUnfused(ops, { ...feeds, swf_dl: randomTensor(rng, []) }, out);
    expect(dispatches[0]).toBeLessThan(dispatches[1]);
    expect(Array.from(fused[0]!.data)).toEqual(Array.from(unfused[0]!.data));
    for (const k of [1, 2]) {
      unfused[k]!.data.forEach((v, i) => expect(Math.abs(fused[k]!.data[i]! - v), `${out[k]}[${i}]`).toBeLessThan(1e-6 * Math.max(1, Math.abs(v))));
    }
  });

  it('fused, still gives NaN for a bad label met on the GPU', async () => {
    const ops = [core.CreateOperator('Copy', ['swn_t0'], ['swn_t']), core.CreateOperator('SoftmaxWithLoss', ['swn_x', 'swn_t'], ['swn_p', 'swn_l'])];
    const feeds = { swn_x: randomTensor(rng, [2, 3]), swn_t0: { shape: [2], data: Float64Array.of(0, 3), dtype: 'int32' as const } };
    const { fused } = await fusedAndUnfused(ops, feeds, ['swn_l']);
    expect(Number.isNaN(fused[0]!.data[0])).toBe(true);
  });
});
