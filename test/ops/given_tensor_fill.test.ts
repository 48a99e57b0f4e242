import { describe, expect, it } from 'vitest';
import { compareWithReference, makeRng, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(5);

describe('GivenTensorFill and relatives', () => {
  it.each([[[1]], [[65]], [[1, 2]], [[3, 2, 2]]])('GivenTensorFill reproduces random values of shape %j', async (shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: n }, () => rng() * 20 - 10);
    const [err] = await compareWithReference('GivenTensorFill', [], { shape, values });
    expect(err).toBe(0);
  });

  it('fills a 0-d tensor', async () => {
    const [t] = await runOp('GivenTensorFill', [], { shape: [], values: [0.5] });
    expect(t!.shape).toEqual([]);
    expect(t!.data[0]).toBe(0.5);
  });

  it('int variants store int32 exactly', async () => {
    for (const type of ['GivenTensorIntFill', 'GivenTensorInt64Fill']) {
      const [t] = await runOp(type, [], { shape: [4], values: [-2147483648, -1, 0, 2147483647] });
      expect(t!.dtype).toBe('int32');
      expect(Array.from(t!.data)).toEqual([-2147483648, -1, 0, 2147483647]);
    }
    const [b] = await runOp('GivenTensorBoolFill', [], { shape: [3], values: [1, 0, 1] });
    expect(Array.from(b!.data)).toEqual([1, 0, 1]);
  });

  it('rejects a value count that does not match the shape, and out-of-range ints', async () => {
    await expect(runOp('GivenTensorFill', [], { shape: [2, 2], values: [1, 2, 3] })).rejects.toThrow(
      /GivenTensorFill \(op #0 in net ".*"\): shape \[2,2\] holds 4 values, but values has 3/,
    );
    await expect(runOp('GivenTensorInt64Fill', [], { shape: [1], values: [2 ** 40] })).rejects.toThrow(/values\[0\] = 1099511627776 does not fit int32/);
    await expect(runOp('GivenTensorBoolFill', [], { shape: [1], values: [2] })).rejects.toThrow(/is not a bool/);
    await expect(runOp('GivenTensorIntFill', [], { shape: [1], values: [1.5] })).rejects.toThrow(/argument "values" must be a list of integers/);
  });
});
