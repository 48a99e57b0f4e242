import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import type { HostTensor } from '../../src/ops/registry.js';
import { compareWithReference, makeRng, maxRelError, randomTensor, referenceOf, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(21);

const scalar = (v: number, shape: number[] = []): HostTensor => ({ shape, data: Float64Array.of(Math.fround(v)) });

/** [grad, moment, lr, param] with random state. */
function state(shape: number[], lr = 0.05): HostTensor[] {
  return [randomTensor(rng, shape), randomTensor(rng, shape), scalar(lr), randomTensor(rng, shape)];
}

describe('MomentumSGDUpdate', () => {
  it.each([
    [[1], 0, 0],
    [[65], 0.9, 0],
    [[3, 5], 0.9, 1],
    [[2, 3, 4], 0.5, 1],
  ])('one step out of place matches the reference (shape %j, momentum %d, nesterov %d)', async (shape, momentum, nesterov) => {
    const errs = await compareWithReference('MomentumSGDUpdate', state(shape), { momentum, nesterov }, 3);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
  });

  it.each([0, 1])('several steps in place (nesterov %d), one dispatch each, match the reference', async (nesterov) => {
    let cur = state([7, 5], 0.1);
    const names = ['ms_g', 'ms_m', 'ms_lr', 'ms_p'].map((n) => `${n}${nesterov}`);
    for (const [i, t] of cur.entries()) await workspace.FeedBlob(names[i]!, t.data, { shape: t.shape });
    const net = core.Net(`momentum_${nesterov}`);
    const args = { momentum: 0.9, nesterov };
    net.MomentumSGDUpdate(names, [names[0]!, names[1]!, names[3]!], args);
    await workspace.CreateNet(net);
    const before = await workspace.Stats();
    await workspace.RunNet(net.Name(), 4);
    expect((await workspace.Stats()).dispatches - before.dispatches).toBe(4);
    for (let s = 0; s < 4; s++) {
      const [g, m, p] = referenceOf('MomentumSGDUpdate', cur, args);
      cur = [g!, m!, cur[2]!, p!];
    }
    const out = await workspace.FetchBlobs([names[0]!, names[1]!, names[3]!]);
    expect(maxRelError(out[0]!, cur[0]!)).toBeLessThan(1e-5);
    expect(maxRelError(out[1]!, cur[1]!)).toBeLessThan(1e-5);
    expect(maxRelError(out[2]!, cur[3]!)).toBeLessThan(1e-5);
  });

  it('updates param in place and grad, moment out of place in one dispatch, inputs left as they were', async () => {
    const cur = state([9], 0.1);
    const names = ['mx_g', 'mx_m', 'mx_lr', 'mx_p'];
    for (const [i, t] of cur.entries()) await workspace.FeedBlob(names[i]!, t.data, { shape: t.shape });
    const args = { momentum: 0.9, nesterov: 1 };
    const before = await workspace.Stats();
    await workspace.RunOperatorOnce(core.CreateOperator('MomentumSGDUpdate', names, ['mx_g2', 'mx_m2', 'mx_p'], args));
    expect((await workspace.Stats()).dispatches - before.dispatches).toBe(1);
    const want = referenceOf('MomentumSGDUpdate', cur, args);
    const out = await workspace.FetchBlobs(['mx_g2', 'mx_m2', 'mx_p', 'mx_g', 'mx_m']);
    [want[0]!, want[1]!, want[2]!, cur[0]!, cur[1]!].forEach((w, k) => expect(maxRelError(out[k]!, w)).toBeLessThan(1e-5));
  });

  it('follows the formulas on a hand-checked element', async () => {
    const inputs = [scalar(2, [1]), scalar(1, [1]), scalar(0.5, [1]), scalar(10, [1])];
    const plain = referenceOf('MomentumSGDUpdate', inputs, { momentum: 0.9 });
    // a = 0.5·2 + 0.9·1 = 1.9; param = 10 − 1.9.
    expect([plain[0]!.data[0], plain[1]!.data[0], plain[2]!.data[0]].map((v) => Math.fround(v!))).toEqual([1.9, 1.9, 8.1].map(Math.fround));
    const nest = referenceOf('MomentumSGDUpdate', inputs, { momentum: 0.9, nesterov: 1 });
    // m' = 0.9·1 + 0.5·2 = 1.9; g' = 1.9·1.9 − 0.9·1 = 2.71.
    expect(nest[0]!.data[0]).toBeCloseTo(2.71, 6);
    expect(nest[2]!.data[0]).toBeCloseTo(7.29, 6);
    const errs = await compareWithReference('MomentumSGDUpdate', inputs, { momentum: 0.9, nesterov: 1 }, 3);
    for (const e of errs) expect(e).toBeLessThan(1e-6);
  });

  it('rejects mismatched sizes and a non-scalar lr on the host', async () => {
    await workspace.FeedBlob('mg', [1, 2, 3]);
    await workspace.FeedBlob('mm', [1, 2]);
    await workspace.FeedBlob('mlr', [0.1, 0.2]);
    await workspace.FeedBlob('mlr1', [0.1]);
    await workspace.FeedBlob('mp', [1, 2, 3]);
    const run = (inputs: string[]): Promise<boolean> =>
      workspace.RunOperatorOnce(core.CreateOperator('MomentumSGDUpdate', inputs, ['mg', 'mm', 'mp']));
    await expect(run(['mg', 'mm', 'mlr1', 'mp'])).rejects.toThrow(/MomentumSGDUpdate \(op #0.*input mm has 2 elements \[2\], but mg has 3 \[3\]/);
    await workspace.FeedBlob('mm', [1, 2, 3]);
    await expect(run(['mg', 'mm', 'mlr', 'mp'])).rejects.toThrow(/input mlr has shape \[2\], expected the learning rate/);
  });

  it('must not be differentiated', () => {
    const net = core.Net('msgd_grad');
    net.MomentumSGDUpdate(['a', 'b', 'c', 'd'], ['a', 'b', 'd']);
    expect(() => net.AddGradientOperators(['d'])).toThrow(/must not be differentiated/);
  });
});
