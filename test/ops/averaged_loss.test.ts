import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import { checkGradient, compareWithReference, makeRng, randomTensor, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(23);
const shapes = [[[1]], [[65]], [[64, 2]], [[]], [[3, 4, 5]], [[5000]]];

describe('AveragedLoss', () => {
  it.each(shapes)('matches the reference for shape %j', async (shape) => {
    const [err] = await compareWithReference('AveragedLoss', [randomTensor(rng, shape)]);
    expect(err).toBeLessThan(1e-5);
  });

  it('gives a 0-d mean', async () => {
    const [y] = await runOp('AveragedLoss', [{ shape: [2, 2], data: Float64Array.of(1, 2, 3, 6) }]);
    expect([...y!.shape]).toEqual([]);
    expect(Array.from(y!.data)).toEqual([3]);
  });

  it('reduces every element of a large input (strided loop and tree both matter)', async () => {
    // Positive values: a dropped slice cannot cancel out.
    const [err] = await compareWithReference('AveragedLoss', [randomTensor(rng, [5003], 1, 2)]);
    expect(err).toBeLessThan(1e-5);
  });

  it('rejects an int32 input', async () => {
    await workspace.FeedBlob('al_i', new Int32Array([1, 2]));
    await expect(workspace.RunOperatorOnce(core.CreateOperator('AveragedLoss', ['al_i'], ['al_y']))).rejects.toThrow(
      /AveragedLoss.*input al_i has dtype int32, expected float32/,
    );
  });
});

describe('SumElements', () => {
  it.each(shapes)('matches the reference for shape %j, average 0 and 1', async (shape) => {
    const x = randomTensor(rng, shape);
    const [sumErr] = await compareWithReference('SumElements', [x]);
    const [meanErr] = await compareWithReference('SumElements', [x], { average: 1 });
    expect(Math.max(sumErr!, meanErr!)).toBeLessThan(1e-5);
  });

  it('sums or averages to a 0-d value', async () => {
    const x = { shape: [4], data: Float64Array.of(1, 2, 3, 6) };
    const [s] = await runOp('SumElements', [x]);
    const [m] = await runOp('SumElements', [x], { average: true });
    expect([...s!.shape]).toEqual([]);
    expect([s!.data[0], m!.data[0]]).toEqual([12, 3]);
  });
});

describe('AveragedLossGradient and SumElementsGradient', () => {
  it.each([[[1]], [[65]], [[]], [[3, 4]]])('match the reference for shape %j', async (shape) => {
    const x = randomTensor(rng, shape);
    const dy = randomTensor(rng, []);
    const [a] = await compareWithReference('AveragedLossGradient', [x, dy]);
    const [s] = await compareWithReference('SumElementsGradient', [x, dy]);
    const [m] = await compareWithReference('SumElementsGradient', [x, dy], { average: 1 });
    expect(Math.max(a!, s!, m!)).toBeLessThan(1e-5);
  });

  it('accept dY of shape [1] and use its value', async () => {
    const [dx] = await runOp('AveragedLossGradient', [randomTensor(rng, [4]), { shape: [1], data: Float64Array.of(2) }]);
    expect(Array.from(dx!.data)).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('reject a dY with more than one value', async () => {
    await workspace.FeedBlob('alg_x', new Float32Array(4));
    await workspace.FeedBlob('alg_dy', new Float32Array(2));
    await expect(workspace.RunOperatorOnce(core.CreateOperator('AveragedLossGradient', ['alg_x', 'alg_dy'], ['alg_dx']))).rejects.toThrow(
      /AveragedLossGradient.*input alg_dy has shape \[2\], expected a single value/,
    );
  });

  // Central differences of the fp32 forward: relative tolerance 1e-2.
  it.each([[[4, 3]], [[]]])('AveragedLoss passes finite differences for shape %j', async (shape) => {
    const [err] = await checkGradient('AveragedLoss', [randomTensor(rng, shape)]);
    expect(err).toBeLessThan(1e-2);
  });

  it.each([0, 1])('SumElements (average %i) passes finite differences', async (average) => {
    const [err] = await checkGradient('SumElements', [randomTensor(rng, [5])], { average });
    expect(err).toBeLessThan(1e-2);
  });

  it('AveragedLoss gradient carries the incoming gradient, not just 1/n', async () => {
    const net = core.Net('al_grad');
    net.AveragedLoss(['alx'], 'alloss');
    const grads = net.AddGradientOperators({ alloss: 'alseed' });
    const gradOps = net.Proto().op.slice(1);
    expect(gradOps.map((o) => [o.type, o.input, o.output])).toEqual([['AveragedLossGradient', ['alx', 'alseed'], ['alx_grad']]]);
    await workspace.FeedBlob('alx', new Float32Array(4));
    await workspace.FeedBlob('alseed', 8, { shape: [] });
    await workspace.RunNetOnce(net);
    expect(Array.from((await workspace.FetchBlob(grads.get('alx')!.name)).data)).toEqual([2, 2, 2, 2]);
  });
});
