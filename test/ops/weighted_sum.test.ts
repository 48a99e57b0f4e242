import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import type { HostTensor } from '../../src/ops/registry.js';
import { checkGradient, compareWithReference, makeRng, maxRelError, randomTensor, referenceOf, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(11);

/** X0, w0, X1, w1, … with random data; weights are one-element tensors of varied shapes. */
function pairs(count: number, shape: number[]): HostTensor[] {
  const out: HostTensor[] = [];
  const wShapes = [[1], [], [1, 1]];
  for (let p = 0; p < count; p++) out.push(randomTensor(rng, shape), randomTensor(rng, wShapes[p % 3]!, -2, 2));
  return out;
}

describe('WeightedSum', () => {
  it.each([
    [1, [1]],
    [2, [65]],
    [3, [3, 5]],
    [5, [2, 3, 4]],
  ])('matches the reference with %i pair(s), shape %j', async (count, shape) => {
    const [err] = await compareWithReference('WeightedSum', pairs(count, shape));
    expect(err).toBeLessThan(1e-5);
  });

  it('accepts X_i of another shape with X0\'s element count, and keeps X0\'s shape', async () => {
    const inputs = [randomTensor(rng, [2, 3]), randomTensor(rng, [1]), randomTensor(rng, [6]), randomTensor(rng, [1])];
    const [err] = await compareWithReference('WeightedSum', inputs);
    expect(err).toBeLessThan(1e-5);
  });

  it.each([1, 2, 3, 5])('runs in place W -> W with %i pair(s), binding W once (no copy dispatch)', async (count) => {
    const inputs = pairs(count, [7, 3]);
    const names = inputs.map((_, i) => `ip${count}_${i}`);
    for (const [i, t] of inputs.entries()) await workspace.FeedBlob(names[i]!, t.data, { shape: t.shape });
    const net = core.Net(`ws_in_place_${count}`);
    net.WeightedSum(names, names[0]!);
    await workspace.CreateNet(net);
    const before = await workspace.Stats();
    await workspace.RunNet(net.Name());
    const after = await workspace.Stats();
    // Three pairs per dispatch, X0 read through W's binding; an in-place temporary would add a copy dispatch.
    expect(after.dispatches - before.dispatches).toBe(Math.ceil(count / 3));
    const y = await workspace.FetchBlob(names[0]!);
    expect(maxRelError(y, referenceOf('WeightedSum', inputs)[0]!)).toBeLessThan(1e-5);
  });

  it('does the tutorial\'s SGD step W <- W + LR·W_grad repeatedly in one RunNet', async () => {
    const w = randomTensor(rng, [1, 2]);
    const g = randomTensor(rng, [1, 2]);
    await workspace.FeedBlob('sgd_W', w.data, { shape: [1, 2] });
    await workspace.FeedBlob('sgd_ONE', [1]);
    await workspace.FeedBlob('sgd_G', g.data, { shape: [1, 2] });
    await workspace.FeedBlob('sgd_LR', -0.1, { shape: [] });
    const net = core.Net('sgd');
    net.WeightedSum(['sgd_W', 'sgd_ONE', 'sgd_G', 'sgd_LR'], 'sgd_W');
    await workspace.CreateNet(net);
    await workspace.RunNet(net.Name(), 3);
    const y = await workspace.FetchBlob('sgd_W');
    const expected = { shape: [1, 2], data: w.data.map((v, j) => v - 0.3 * g.data[j]!) };
    expect(maxRelError(y, expected)).toBeLessThan(1e-5);
  });

  it('rejects an output that is X_i for i >= 1, with Caffe2\'s message', async () => {
    for (const [i, t] of pairs(2, [4]).entries()) await workspace.FeedBlob(`al${i}`, t.data, { shape: t.shape });
    await expect(workspace.RunOperatorOnce(core.CreateOperator('WeightedSum', ['al0', 'al1', 'al2', 'al3'], ['al2']))).rejects.toThrow(
      /WeightedSum \(op #0.*Input #2 is the same as output. If you want to do in-place updates, put the output as input #0/,
    );
  });

  it('rejects odd input counts, bad weights and mismatched sizes on the host', async () => {
    await workspace.FeedBlob('bx', [1, 2, 3]);
    await workspace.FeedBlob('bw', [1]);
    await workspace.FeedBlob('bw2', [1, 2]);
    await workspace.FeedBlob('bx4', [1, 2, 3, 4]);
    const run = (inputs: string[]): Promise<boolean> => workspace.RunOperatorOnce(core.CreateOperator('WeightedSum', inputs, ['by']));
    await expect(run(['bx', 'bw', 'bx'])).rejects.toThrow(/odd number of inputs \(3\)/);
    await expect(run(['bx', 'bw2'])).rejects.toThrow(/weight bw2 has shape \[2\], expected one element/);
    await expect(run(['bx', 'bw', 'bx4', 'bw'])).rejects.toThrow(/input bx4 has shape \[4\] \(4 elements\), but bx has 3 elements/);
  });

  it('has gradients for the X_i that pass finite differences (tolerance 1e-2)', async () => {
    const errs = await checkGradient('WeightedSum', pairs(3, [2, 3]), {}, { wrt: [0, 2, 4] });
    for (const e of errs) expect(e).toBeLessThan(1e-2);
  });

  it('with grad_on_w=1 also has weight gradients that pass finite differences (tolerance 1e-2)', async () => {
    const errs = await checkGradient('WeightedSum', pairs(2, [5]), { grad_on_w: 1 });
    expect(errs).toHaveLength(4);
    for (const e of errs) expect(e).toBeLessThan(1e-2);
  });
});

describe('WeightedSum vec4 pass plus scalar tail (relative error < 1e-5)', () => {
  // Below 1024 elements a count that is not a multiple of 4 runs scalar only; 4 and 1024+ use vec4s.
  const SIZES = [1, 3, 4, 5, 65, 1027];

  it.each(SIZES.flatMap((n) => [1, 2, 3].map((count) => [n, count] as const)))('out of place, n = %i, %i pair(s)', async (n, count) => {
    const [err] = await compareWithReference('WeightedSum', pairs(count, [n]));
    expect(err).toBeLessThan(1e-5);
  });

  it.each(SIZES.flatMap((n) => [1, 2, 4].map((count) => [n, count] as const)))('in place, n = %i, %i pair(s): one pass per three pairs, no copy', async (n, count) => {
    const inputs = pairs(count, [n]);
    const names = inputs.map((_, i) => `vp${n}_${count}_${i}`);
    for (const [i, t] of inputs.entries()) await workspace.FeedBlob(names[i]!, t.data, { shape: t.shape });
    const before = await workspace.Stats();
    await workspace.RunOperatorOnce(core.CreateOperator('WeightedSum', names, [names[0]!]));
    const after = await workspace.Stats();
    // Each pass is a vec4 dispatch and, for n = 1027, a scalar one for the last 3 elements.
    const passes = Math.ceil(count / 3);
    expect(after.dispatches - before.dispatches).toBe(passes * (n === 1027 ? 2 : 1));
    expect(maxRelError(await workspace.FetchBlob(names[0]!), referenceOf('WeightedSum', inputs)[0]!)).toBeLessThan(1e-5);
  });

  it('WeightedSumGradient at n = 1027, with weight gradients', async () => {
    const dy = randomTensor(rng, [1027]);
    const errs = await compareWithReference('WeightedSumGradient', [dy, ...pairs(2, [1027])], { grad_on_w: 1 }, 4);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
  });
});

describe('WeightedSumGradient', () => {
  it('matches the reference, with and without weight gradients', async () => {
    const dy = randomTensor(rng, [3, 4]);
    const inputs = [dy, ...pairs(3, [3, 4])];
    const errs = await compareWithReference('WeightedSumGradient', inputs, {}, 3);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
    const withW = await compareWithReference('WeightedSumGradient', inputs, { grad_on_w: 1 }, 6);
    for (const e of withW) expect(e).toBeLessThan(1e-5);
  });

  it('checks its output count against grad_on_w', async () => {
    await workspace.FeedBlob('gdy', [1, 2]);
    await workspace.FeedBlob('gw', [1]);
    await expect(
      workspace.RunOperatorOnce(core.CreateOperator('WeightedSumGradient', ['gdy', 'gdy', 'gw'], ['g0', 'g1'])),
    ).rejects.toThrow(/expected 1 outputs \(1 input gradients\), got 2/);
  });
});
