import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import { compareWithReference, makeRng, randomTensor, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(11);

describe('ConstantFill', () => {
  it.each([[[]], [[1]], [[65]], [[3, 4]], [[2, 1, 3]]])('fills shape %j with the value (float by default)', async (shape) => {
    const value = Math.fround(rng() * 10 - 5);
    const [err] = await compareWithReference('ConstantFill', [], { shape, value });
    expect(err).toBe(0);
    const [t] = await runOp('ConstantFill', [], { shape, value });
    expect(t!.dtype).toBe('float32');
    expect(t!.shape).toEqual(shape);
  });

  it('fills int32 / INT64 / BOOL as int32 storage', async () => {
    for (const dtype of [core.DataType.INT32, core.DataType.INT64, core.DataType.BOOL]) {
      const [t] = await runOp('ConstantFill', [], { shape: [3], value: 1, dtype });
      expect(t!.dtype).toBe('int32');
      expect(Array.from(t!.data)).toEqual([1, 1, 1]);
    }
    const [neg] = await runOp('ConstantFill', [], { shape: [2], value: -7, dtype: core.DataType.INT32 });
    expect(Array.from(neg!.data)).toEqual([-7, -7]);
  });

  it('takes its shape from an input plus extra_shape', async () => {
    const x = randomTensor(rng, [2, 3]);
    const [err] = await compareWithReference('ConstantFill', [x], { value: 2.5, extra_shape: [4] });
    expect(err).toBe(0);
    const [t] = await runOp('ConstantFill', [x], { value: 2.5, extra_shape: [4] });
    expect(t!.shape).toEqual([2, 3, 4]);
  });

  it('reads the shape from a fed int tensor with input_as_shape', async () => {
    await workspace.FeedBlob('shape_in', new Int32Array([2, 5]));
    await workspace.RunOperatorOnce(core.CreateOperator('ConstantFill', ['shape_in'], ['cf_out'], { value: 1, input_as_shape: 1 }));
    expect((await workspace.FetchBlob('cf_out')).shape).toEqual([2, 5]);
  });

  it('rejects bad arguments naming the op', async () => {
    await expect(runOp('ConstantFill', [], { shape: [2], value: 1.5, dtype: core.DataType.INT32 })).rejects.toThrow(
      /ConstantFill \(op #0 in net ".*"\): value 1.5 is not an integer that fits int32, as dtype INT32 needs/,
    );
    await expect(runOp('ConstantFill', [], { shape: [2], dtype: core.DataType.STRING })).rejects.toThrow(/dtype STRING cannot be filled/);
    await expect(runOp('ConstantFill', [randomTensor(rng, [2])], { shape: [2] })).rejects.toThrow(/either an input or the shape argument, not both/);
    await expect(runOp('ConstantFill', [], { extra_shape: [2] })).rejects.toThrow(/extra_shape needs an input/);
    await expect(runOp('ConstantFill', [randomTensor(rng, [2])], { input_as_shape: 1 })).rejects.toThrow(/must be a non-empty 1-d int tensor/);
  });
});
