import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import { checkGradient, compareWithReference, makeRng, randomTensor, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(43);

describe('Scale', () => {
  it.each([
    [[1], 2.5],
    [[65], -0.3],
    [[64, 2], 1],
    [[], 7],
    [[3, 4, 5], 0.1],
  ])('matches the reference for shape %j, scale %f', async (shape, scale) => {
    const [err] = await compareWithReference('Scale', [randomTensor(rng, shape as number[])], { scale });
    expect(err).toBeLessThan(1e-5);
  });

  it('defaults to scale 1', async () => {
    await workspace.FeedBlob('sc_d', [1.5, -2]);
    await workspace.RunOperatorOnce(core.CreateOperator('Scale', ['sc_d'], ['sc_dy']));
    expect(Array.from((await workspace.FetchBlob('sc_dy')).data)).toEqual([1.5, -2]);
  });

  it('runs in place in one dispatch (no temporary)', async () => {
    await workspace.FeedBlob('sc_x', [1, -2, 3]);
    const before = (await workspace.Stats()).dispatches;
    await workspace.RunOperatorOnce(core.CreateOperator('Scale', ['sc_x'], ['sc_x'], { scale: -2 }));
    expect((await workspace.Stats()).dispatches - before).toBe(1);
    expect(Array.from((await workspace.FetchBlob('sc_x')).data)).toEqual([-2, 4, -6]);
  });

  it('rejects an int32 input', async () => {
    await workspace.FeedBlob('sc_i', new Int32Array([1, 2]));
    await expect(workspace.RunOperatorOnce(core.CreateOperator('Scale', ['sc_i'], ['sc_o'], { scale: 2 }))).rejects.toThrow(
      /Scale.*input sc_i has dtype int32, expected float32/,
    );
  });

  it('has a Scale gradient with the same factor', () => {
    const net = core.Net('scale_grad');
    net.Scale(['scg_x'], 'scg_y', { scale: 0.25 });
    const grads = net.AddGradientOperators(['scg_y']);
    const g = net.Proto().op.at(-1)!;
    expect([g.type, g.input, g.output, g.arg]).toEqual(['Scale', ['scg_y_autogen_grad'], ['scg_x_grad'], [{ name: 'scale', f: 0.25 }]]);
    expect(grads.get('scg_x')?.name).toBe('scg_x_grad');
  });

  // Central differences of the fp32 forward: relative tolerance 1e-2.
  it.each([[[4, 3], 0.5], [[], -3]])('passes finite differences for shape %j, scale %f', async (shape, scale) => {
    const [err] = await checkGradient('Scale', [randomTensor(rng, shape as number[])], { scale });
    expect(err).toBeLessThan(1e-2);
  });
});
