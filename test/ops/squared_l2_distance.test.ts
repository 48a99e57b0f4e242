import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import { checkGradient, compareWithReference, makeRng, randomTensor, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(11);

describe('SquaredL2Distance', () => {
  it.each([[[64, 1]], [[64, 2]], [[1]], [[65]], [[3, 4, 5]], [[2, 300]]])('matches the reference for shape %j', async (shape) => {
    const [err] = await compareWithReference('SquaredL2Distance', [randomTensor(rng, shape), randomTensor(rng, shape)]);
    expect(err).toBeLessThan(1e-5);
  });

  it('gives one value per element of a 1-d input, with the ½ factor', async () => {
    const [z] = await runOp('SquaredL2Distance', [
      { shape: [5], data: Float64Array.of(1, 2, 3, 4, 5) },
      { shape: [5], data: Float64Array.of(0, 0, 1, 4, 8) },
    ]);
    expect([...z!.shape]).toEqual([5]);
    expect(Array.from(z!.data)).toEqual([0.5, 2, 2, 0, 4.5]);
  });

  it('treats a 0-d input as one row and gives shape [1]', async () => {
    const [z] = await runOp('SquaredL2Distance', [
      { shape: [], data: Float64Array.of(3) },
      { shape: [], data: Float64Array.of(1) },
    ]);
    expect([...z!.shape]).toEqual([1]);
    expect(Array.from(z!.data)).toEqual([2]);
  });

  it('rejects inputs of different shapes, naming both', async () => {
    await workspace.FeedBlob('sq_x', new Float32Array(6), { shape: [2, 3] });
    await workspace.FeedBlob('sq_y', new Float32Array(6), { shape: [3, 2] });
    await expect(workspace.RunOperatorOnce(core.CreateOperator('SquaredL2Distance', ['sq_x', 'sq_y'], ['sq_z']))).rejects.toThrow(
      /SquaredL2Distance \(op #0.*input sq_y has shape \[3,2\], but sq_x has shape \[2,3\]/,
    );
  });

  it('rejects int32 inputs', async () => {
    await workspace.FeedBlob('sq_i', new Int32Array([1, 2]));
    await workspace.FeedBlob('sq_f', new Float32Array([1, 2]));
    await expect(workspace.RunOperatorOnce(core.CreateOperator('SquaredL2Distance', ['sq_i', 'sq_f'], ['sq_z']))).rejects.toThrow(
      /SquaredL2Distance.*input sq_i has dtype int32, expected float32/,
    );
  });
});

describe('SquaredL2DistanceGradient', () => {
  it.each([[[64, 1]], [[65]], [[3, 4, 5]], [[]]])('matches the reference for shape %j', async (shape) => {
    const rows = shape.length ? shape[0]! : 1;
    const errs = await compareWithReference(
      'SquaredL2DistanceGradient',
      [randomTensor(rng, shape), randomTensor(rng, shape), randomTensor(rng, [rows])],
      {},
      2,
    );
    expect(Math.max(...errs)).toBeLessThan(1e-5);
  });

  it('rejects dZ whose length is not the number of rows', async () => {
    await workspace.FeedBlob('sqg_x', new Float32Array(6), { shape: [2, 3] });
    await workspace.FeedBlob('sqg_dz', new Float32Array(3), { shape: [3] });
    const op = core.CreateOperator('SquaredL2DistanceGradient', ['sqg_x', 'sqg_x', 'sqg_dz'], ['sqg_dx', 'sqg_dy']);
    await expect(workspace.RunOperatorOnce(op)).rejects.toThrow(
      /SquaredL2DistanceGradient.*input sqg_dz has shape \[3\], but sqg_x has shape \[2,3\] \(expected sqg_dz of shape \[2\]\)/,
    );
  });

  // Central differences of the fp32 forward: relative tolerance 1e-2.
  it.each([[[4, 3]], [[5]], [[]]])('passes finite differences for shape %j', async (shape) => {
    const errs = await checkGradient('SquaredL2Distance', [randomTensor(rng, shape), randomTensor(rng, shape)]);
    expect(errs).toHaveLength(2);
    expect(Math.max(...errs)).toBeLessThan(1e-2);
  });
});
