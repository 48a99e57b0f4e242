import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import { checkGradient, compareWithReference, makeRng, randomTensor, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(7);

describe('Copy', () => {
  it.each([[[1]], [[65]], [[3, 5]], [[2, 3, 4]]])('matches the reference for shape %j', async (shape) => {
    const [err] = await compareWithReference('Copy', [randomTensor(rng, shape)]);
    expect(err).toBe(0);
  });

  it('copies int32 blobs bit for bit', async () => {
    await workspace.FeedBlob('ci', new Int32Array([-5, 7, 2147483647]));
    await workspace.RunOperatorOnce(core.CreateOperator('Copy', ['ci'], ['co']));
    const t = await workspace.FetchBlob('co');
    expect(t.dtype).toBe('int32');
    expect(Array.from(t.data)).toEqual([-5, 7, 2147483647]);
  });

  it('has a gradient that passes finite differences', async () => {
    const [err] = await checkGradient('Copy', [randomTensor(rng, [2, 3])]);
    expect(err).toBeLessThan(1e-3);
  });
});

describe('StopGradient', () => {
  it('is the identity forward', async () => {
    const [err] = await compareWithReference('StopGradient', [randomTensor(rng, [4, 3])]);
    expect(err).toBe(0);
  });

  it('in place, runs no kernel', async () => {
    await workspace.FeedBlob('sg', [1, 2, 3]);
    const before = (await workspace.Stats()).dispatches;
    await workspace.RunOperatorOnce(core.CreateOperator('StopGradient', ['sg'], ['sg']));
    expect((await workspace.Stats()).dispatches).toBe(before);
    expect(Array.from((await workspace.FetchBlob('sg')).data)).toEqual([1, 2, 3]);
  });
});
