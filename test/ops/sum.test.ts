import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import { checkGradient, compareWithReference, makeRng, randomIntTensor, randomTensor, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(31);

async function dispatchesOf(run: () => Promise<unknown>): Promise<number> {
  const before = (await workspace.Stats()).dispatches;
  await run();
  return (await workspace.Stats()).dispatches - before;
}

describe('Sum', () => {
  it.each([
    [1, [65]],
    [2, [1]],
    [2, [64, 2]],
    [2, []],
    [4, [65]],
    [4, [3, 4, 5]],
  ])('matches the reference for %i inputs of shape %j', async (count, shape) => {
    const inputs = Array.from({ length: count }, () => randomTensor(rng, shape as number[]));
    const [err] = await compareWithReference('Sum', inputs);
    expect(err).toBeLessThan(1e-5);
  });

  it('adds int32 inputs exactly, wrapping on overflow', async () => {
    const inputs = [randomIntTensor(rng, [65], -1e6, 1e6), randomIntTensor(rng, [65], -1e6, 1e6), randomIntTensor(rng, [65], -1e6, 1e6)];
    const [err] = await compareWithReference('Sum', inputs);
    expect(err).toBe(0);
    await workspace.FeedBlob('si_a', new Int32Array([2147483647, -5]));
    await workspace.FeedBlob('si_b', new Int32Array([1, 3]));
    await workspace.RunOperatorOnce(core.CreateOperator('Sum', ['si_a', 'si_b'], ['si_y']));
    const y = await workspace.FetchBlob('si_y');
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.data)).toEqual([-2147483648, -2]);
  });

  it('runs in place on input 0 with one dispatch per further input (no temporary)', async () => {
    await workspace.FeedBlob('sp_a', [1, 2, 3]);
    await workspace.FeedBlob('sp_b', [10, 20, 30]);
    await workspace.FeedBlob('sp_c', [100, 200, 300]);
    const n = await dispatchesOf(() => workspace.RunOperatorOnce(core.CreateOperator('Sum', ['sp_a', 'sp_b', 'sp_c'], ['sp_a'])));
    expect(n).toBe(2);
    expect(Array.from((await workspace.FetchBlob('sp_a')).data)).toEqual([111, 222, 333]);
  });

  it('out of place copies input 0 and then accumulates', async () => {
    await workspace.FeedBlob('so_a', [1, 2]);
    await workspace.FeedBlob('so_b', [3, 4]);
    const n = await dispatchesOf(() => workspace.RunOperatorOnce(core.CreateOperator('Sum', ['so_a', 'so_b', 'so_a'], ['so_y'])));
    expect(n).toBe(3);
    expect(Array.from((await workspace.FetchBlob('so_y')).data)).toEqual([5, 8]);
    expect(Array.from((await workspace.FetchBlob('so_a')).data)).toEqual([1, 2]);
  });

  it('of one input in place does nothing', async () => {
    await workspace.FeedBlob('s1', [4, 5]);
    const n = await dispatchesOf(() => workspace.RunOperatorOnce(core.CreateOperator('Sum', ['s1'], ['s1'])));
    expect(n).toBe(0);
    expect(Array.from((await workspace.FetchBlob('s1')).data)).toEqual([4, 5]);
  });

  it('rejects an output that is input #1 when the op is built', () => {
    expect(() => core.CreateOperator('Sum', ['sx_a', 'sx_b'], ['sx_b'])).toThrow(
      /Sum \(CreateOperator\): output #0 "sx_b" is the same blob as input #1, which this operator does not allow in place/,
    );
    expect(() => core.Net('sum_bad').Sum(['sx_a', 'sx_b'], 'sx_b')).toThrow(/output #0 "sx_b" is the same blob as input #1/);
  });

  it('rejects inputs of different shapes or dtypes, naming the blobs', async () => {
    await workspace.FeedBlob('ss_a', new Float32Array(6), { shape: [2, 3] });
    await workspace.FeedBlob('ss_b', new Float32Array(6), { shape: [2, 3] });
    await workspace.FeedBlob('ss_c', new Float32Array(6), { shape: [3, 2] });
    await workspace.FeedBlob('ss_i', new Int32Array(6), { shape: [2, 3] });
    await expect(workspace.RunOperatorOnce(core.CreateOperator('Sum', ['ss_a', 'ss_b', 'ss_c'], ['ss_y']))).rejects.toThrow(
      /Sum.*input ss_c has shape \[3,2\], but ss_a has shape \[2,3\]/,
    );
    await expect(workspace.RunOperatorOnce(core.CreateOperator('Sum', ['ss_a', 'ss_i'], ['ss_y']))).rejects.toThrow(
      /Sum.*input ss_i has dtype int32, but ss_a has dtype float32/,
    );
  });
});

describe('Sum gradient', () => {
  it('is pure aliasing: no gradient op, every input maps to the output gradient', () => {
    const net = core.Net('sum_grad');
    net.Sum(['sg_a', 'sg_b'], 'sg_y');
    const grads = net.AddGradientOperators(['sg_y']);
    const gradOps = net.Proto().op.slice(1);
    expect(gradOps.map((o) => o.type)).toEqual(['ConstantFill']);
    expect(grads.get('sg_a')?.name).toBe('sg_y_autogen_grad');
    expect(grads.get('sg_b')?.name).toBe('sg_y_autogen_grad');
  });

  // Central differences of the fp32 forward: relative tolerance 1e-2.
  it('passes finite differences', async () => {
    const errs = await checkGradient('Sum', [randomTensor(rng, [2, 3]), randomTensor(rng, [2, 3]), randomTensor(rng, [2, 3])]);
    expect(errs).toHaveLength(3);
    expect(Math.max(...errs)).toBeLessThan(1e-2);
  });
});
