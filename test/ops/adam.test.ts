import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import type { HostTensor } from '../../src/ops/registry.js';
import { compareWithReference, makeRng, maxRelError, randomTensor, referenceOf, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(31);

const iterT = (v: number): HostTensor => ({ shape: [1], data: Float64Array.of(v), dtype: 'int32' });

/** [param, moment_1, moment_2 (non-negative), grad, lr, iter]. */
function state(shape: number[], iter: number, lr = -0.01): HostTensor[] {
  return [randomTensor(rng, shape), randomTensor(rng, shape, -0.1, 0.1), randomTensor(rng, shape, 0, 0.01), randomTensor(rng, shape), { shape: [], data: Float64Array.of(lr) }, iterT(iter)];
}

describe('Adam', () => {
  it.each([
    [[1], 0],
    [[65], 1],
    [[3, 5], 9],
    [[2, 3, 4], 100000],
  ])('one step out of place matches the reference (shape %j, iter %i)', async (shape, iter) => {
    const errs = await compareWithReference('Adam', state(shape, iter), {}, 3);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
  });

  it('writes the effective gradient as an optional 4th output', async () => {
    const errs = await compareWithReference('Adam', state([4, 6], 3), { beta1: 0.8, beta2: 0.99, epsilon: 1e-4 }, 4);
    expect(errs).toHaveLength(4);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
  });

  it('computes the bias correction at t = 1 without cancellation (β2 = 0.999)', async () => {
    // t = 1: correction = sqrt(0.001)/0.1; moments start at 0, so param moves by lr·correction·(0.1g)/(sqrt(0.001)|g| + ε).
    const inputs = [{ shape: [1], data: Float64Array.of(0) }, { shape: [1], data: Float64Array.of(0) }, { shape: [1], data: Float64Array.of(0) }, { shape: [1], data: Float64Array.of(1) }, { shape: [], data: Float64Array.of(-1) }, iterT(0)];
    const [p] = await compareWithReference('Adam', inputs, { epsilon: 0 }, 3);
    expect(p).toBeLessThan(1e-6);
    expect(referenceOf('Adam', inputs, { epsilon: 0 })[0]!.data[0]).toBeCloseTo(-1, 6);
  });

  it('several steps in place, with Iter in the net, match the reference step by step', async () => {
    let cur = state([5, 7], 0);
    const names = ['ad_p', 'ad_m1', 'ad_m2', 'ad_g', 'ad_lr', 'ad_it'];
    for (const [i, t] of cur.entries()) await workspace.FeedBlob(names[i]!, t.data, { shape: t.shape, dtype: t.dtype ?? 'float32' });
    const net = core.Net('adam_steps');
    net.Iter('ad_it', 'ad_it');
    net.Adam(names, names.slice(0, 3));
    await workspace.CreateNet(net);
    const before = await workspace.Stats();
    await workspace.RunNet(net.Name(), 5);
    // Iter and Adam: two dispatches per iteration, no in-place copies.
    expect((await workspace.Stats()).dispatches - before.dispatches).toBe(10);
    for (let s = 1; s <= 5; s++) {
      const [p, m1, m2] = referenceOf('Adam', [...cur.slice(0, 5), iterT(s)]);
      cur = [p!, m1!, m2!, ...cur.slice(3)];
    }
    const out = await workspace.FetchBlobs(names.slice(0, 3));
    out.forEach((t, i) => expect(maxRelError(t, cur[i]!)).toBeLessThan(1e-5));
  });

  it.each([
    ['all out of place', ['ao_p2', 'ao_m12', 'ao_m22']],
    ['param in place, moments out of place', ['ao_p', 'ao_m12', 'ao_m22']],
    ['moments in place, param out of place, with the effective gradient', ['ao_p2', 'ao_m1', 'ao_m2', 'ao_eg']],
  ])('%s: two passes (moments, then param), no copies, Caffe2\'s values', async (_, outputs) => {
    const inputs = state([3, 67], 4);
    const names = ['ao_p', 'ao_m1', 'ao_m2', 'ao_g', 'ao_lr', 'ao_it'];
    for (const [i, t] of inputs.entries()) await workspace.FeedBlob(names[i]!, t.data, { shape: t.shape, dtype: t.dtype ?? 'float32' });
    const before = (await workspace.Stats()).dispatches;
    await workspace.RunOperatorOnce(core.CreateOperator('Adam', names, outputs));
    expect((await workspace.Stats()).dispatches - before).toBe(2);
    const expected = referenceOf('Adam', inputs);
    const got = await workspace.FetchBlobs(outputs);
    got.forEach((t, k) => expect(maxRelError(t, expected[k]!)).toBeLessThan(1e-5));
  });

  it('rejects a float iteration, a non-scalar lr and betas outside [0, 1) on the host', async () => {
    const [p, m1, m2, g] = state([3], 0);
    for (const [n, t] of [['ap', p], ['am1', m1], ['am2', m2], ['ag', g]] as const) await workspace.FeedBlob(n, t.data, { shape: t.shape });
    await workspace.FeedBlob('alr', -0.1, { shape: [] });
    await workspace.FeedBlob('alr2', [0.1, 0.2]);
    await workspace.FeedBlob('ait', new Int32Array([0]));
    await workspace.FeedBlob('aitf', [0]);
    const run = (lr: string, it: string, args = {}): Promise<boolean> =>
      workspace.RunOperatorOnce(core.CreateOperator('Adam', ['ap', 'am1', 'am2', 'ag', lr, it], ['ap', 'am1', 'am2'], args));
    await expect(run('alr', 'aitf')).rejects.toThrow(/Adam \(op #0.*input aitf has dtype float32, expected the iteration counter/);
    await expect(run('alr2', 'ait')).rejects.toThrow(/input alr2 has shape \[2\], expected the learning rate/);
    await expect(run('alr', 'ait', { beta2: 1 })).rejects.toThrow(/beta2=1 must be in \[0, 1\)/);
  });
});
