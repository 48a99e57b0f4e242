import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import type { HostTensor } from '../../src/ops/registry.js';
import { compareWithReference, makeRng, maxRelError, randomTensor, referenceOf, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(41);

/** [param, moment (non-negative), grad, lr]. */
function state(shape: number[], lr = -0.1): HostTensor[] {
  return [randomTensor(rng, shape), randomTensor(rng, shape, 0, 1), randomTensor(rng, shape), { shape: [1], data: Float64Array.of(Math.fround(lr)) }];
}

describe('Adagrad', () => {
  it.each([
    [[1], {}],
    [[65], { epsilon: 1e-3 }],
    [[3, 5], { decay: 0.9 }],
    [[2, 3, 4], { epsilon: 1e-6, decay: 0.5 }],
  ])('one step out of place matches the reference (shape %j, args %j)', async (shape, args) => {
    const errs = await compareWithReference('Adagrad', state(shape), args, 2);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
  });

  it.each([3, 4])('writes the optional outputs (%i outputs)', async (count) => {
    const errs = await compareWithReference('Adagrad', state([5, 3]), { decay: 0.95 }, count);
    expect(errs).toHaveLength(count);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
  });

  it('several steps in place, one dispatch each, match the reference', async () => {
    let cur = state([6, 6]);
    const names = ['ag_p', 'ag_h', 'ag_g', 'ag_lr'];
    for (const [i, t] of cur.entries()) await workspace.FeedBlob(names[i]!, t.data, { shape: t.shape });
    const net = core.Net('adagrad_steps');
    net.Adagrad(names, names.slice(0, 2), { decay: 0.9 });
    await workspace.CreateNet(net);
    const before = await workspace.Stats();
    await workspace.RunNet(net.Name(), 6);
    expect((await workspace.Stats()).dispatches - before.dispatches).toBe(6);
    for (let s = 0; s < 6; s++) {
      const [p, h] = referenceOf('Adagrad', cur, { decay: 0.9 });
      cur = [p!, h!, cur[2]!, cur[3]!];
    }
    const out = await workspace.FetchBlobs(names.slice(0, 2));
    out.forEach((t, i) => expect(maxRelError(t, cur[i]!)).toBeLessThan(1e-5));
  });

  it('rejects mismatched sizes and a non-float lr on the host', async () => {
    await workspace.FeedBlob('gp', [1, 2]);
    await workspace.FeedBlob('gh', [1, 2]);
    await workspace.FeedBlob('gg', [1, 2, 3]);
    await workspace.FeedBlob('glr', new Int32Array([1]));
    await workspace.FeedBlob('glrf', [0.1]);
    const run = (inputs: string[]): Promise<boolean> => workspace.RunOperatorOnce(core.CreateOperator('Adagrad', inputs, ['gp', 'gh']));
    await expect(run(['gp', 'gh', 'gg', 'glrf'])).rejects.toThrow(/Adagrad \(op #0.*input gg has 3 elements \[3\], but gp has 2 \[2\]/);
    await workspace.FeedBlob('gg', [1, 2]);
    await expect(run(['gp', 'gh', 'gg', 'glr'])).rejects.toThrow(/input glr has dtype int32, expected the learning rate/);
  });

  it('allows in place only as param -> param and moment -> moment', () => {
    expect(() => core.CreateOperator('Adagrad', ['gp2', 'gh2', 'gp2', 'glr2'], ['gp2', 'gh2'])).toThrow(/output #0 "gp2" is the same blob as input #2/);
  });
});
