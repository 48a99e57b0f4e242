import { describe, expect, it } from 'vitest';
import { ArgumentError, core } from '../../src/index.js';
import { checkGradient, compareWithReference, makeRng, opError, randomIntTensor, randomTensor, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(47);

describe('Transpose', () => {
  it.each([
    [[3, 5], undefined],
    [[3, 5, 7], undefined],
    [[3, 5, 7], [0, 2, 1]],
    [[3, 5, 7], [1, 0, 2]],
    [[2, 3, 5, 7], [0, 2, 3, 1]],
    [[2, 3, 5, 7], [3, 0, 1, 2]],
    [[2, 1, 3, 1, 2, 3, 2, 1, 2], [8, 7, 6, 5, 4, 3, 2, 1, 0]],
    [[65, 3], [1, 0]],
    [[4], [0]],
    [[], []],
    [[0, 3], [1, 0]],
  ])('permutes %j by %j like the reference', async (shape, axes) => {
    const args = axes ? { axes } : {};
    const x = randomTensor(rng, shape);
    expect(await compareWithReference('Transpose', [x], args)).toEqual([0]);
  });

  it('transposes a small matrix to the values written out by hand', async () => {
    const [y] = await runOp('Transpose', [{ shape: [2, 3], data: Float64Array.from([1, 2, 3, 4, 5, 6]) }]);
    expect(y!.shape).toEqual([3, 2]);
    expect(Array.from(y!.data)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('reverses the dims by default and keeps int32 values', async () => {
    const x = randomIntTensor(rng, [2, 3, 4], -100, 100);
    const [y] = await runOp('Transpose', [x]);
    expect(y!.shape).toEqual([4, 3, 2]);
    expect(y!.dtype).toBe('int32');
    expect(await compareWithReference('Transpose', [x])).toEqual([0]);
  });

  it('passes finite differences; the gradient transposes by the inverse permutation', async () => {
    const [e] = await checkGradient('Transpose', [randomTensor(rng, [2, 3, 5])], { axes: [1, 2, 0] });
    expect(e).toBeLessThan(1e-3);
    const [e2] = await checkGradient('Transpose', [randomTensor(rng, [3, 5])]);
    expect(e2).toBeLessThan(1e-3);
    const net = core.Net('transpose_grad');
    net.Proto().op.push(core.CreateOperator('Transpose', ['X'], ['Y'], { axes: [1, 2, 0] }));
    net.AddGradientOperators({ Y: 'Y_grad' });
    const g = net.Proto().op.filter((o) => o.is_gradient_op);
    expect(g.map((o) => [o.type, o.arg])).toEqual([['Transpose', [{ name: 'axes', ints: [2, 0, 1] }]]]);
  });

  it('rejects axes that are not a permutation', async () => {
    const x = randomTensor(rng, [2, 3]);
    for (const axes of [[0], [0, 0], [0, 2], [1, 0, 2]]) {
      const e = await opError('Transpose', [x], { axes });
      expect(e).toBeInstanceOf(ArgumentError);
      expect(e.message).toMatch(/Transpose \(op #0.*axes \[.*\] is not a permutation of 0\.\.1 for input in0_\d+ \[2,3\]/);
    }
  });
});
