import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError, core } from '../../src/index.js';
import { checkGradient, compareWithReference, makeRng, opError, randomTensor, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(43);

describe('ExpandDims', () => {
  it.each([
    [[3, 5], [0], [1, 3, 5]],
    [[3, 5], [2], [3, 5, 1]],
    [[3, 5], [1, 0, 1], [1, 1, 3, 5]],
    [[3, 5], [0, 3], [1, 3, 5, 1]],
    [[], [0], [1]],
  ])('inserts dims into %j at %j', async (shape, dims, expected) => {
    const x = randomTensor(rng, shape);
    const [y] = await runOp('ExpandDims', [x], { dims });
    expect(y!.shape).toEqual(expected);
    expect(await compareWithReference('ExpandDims', [x], { dims })).toEqual([0]);
  });

  it('has Squeeze as its gradient', async () => {
    const [e] = await checkGradient('ExpandDims', [randomTensor(rng, [3, 5])], { dims: [1, 3] });
    expect(e).toBeLessThan(1e-3);
    const net = core.Net('expand_grad');
    net.Proto().op.push(core.CreateOperator('ExpandDims', ['X'], ['Y'], { dims: [0] }));
    net.AddGradientOperators({ Y: 'Y_grad' });
    const g = net.Proto().op.filter((o) => o.is_gradient_op);
    expect(g.map((o) => [o.type, o.input, o.output, o.arg])).toEqual([['Squeeze', ['Y_grad'], ['X_grad'], [{ name: 'dims', ints: [0] }]]]);
  });

  it('rejects missing, negative and out-of-range dims', async () => {
    const x = randomTensor(rng, [3, 5]);
    const e1 = await opError('ExpandDims', [x]);
    expect(e1).toBeInstanceOf(ArgumentError);
    expect(e1.message).toMatch(/ExpandDims \(op #0.*argument dims must be given/);
    expect(await opError('ExpandDims', [x], { dims: [-1] })).toBeInstanceOf(ArgumentError);
    const e3 = await opError('ExpandDims', [x], { dims: [4] });
    expect(e3).toBeInstanceOf(ShapeError);
    expect(e3.message).toMatch(/has 2 dims, but dims \[4\] needs at least 4/);
  });
});

describe('Squeeze', () => {
  it.each([
    [[1, 3, 1, 5], [0], [3, 1, 5]],
    [[1, 3, 1, 5], [0, 2], [3, 5]],
    [[3, 5, 1], [2, 2], [3, 5]],
    [[1], [0], []],
  ])('removes dims of %j at %j', async (shape, dims, expected) => {
    const x = randomTensor(rng, shape);
    const [y] = await runOp('Squeeze', [x], { dims });
    expect(y!.shape).toEqual(expected);
    expect(await compareWithReference('Squeeze', [x], { dims })).toEqual([0]);
  });

  it('has ExpandDims as its gradient', async () => {
    const [e] = await checkGradient('Squeeze', [randomTensor(rng, [1, 3, 1, 5])], { dims: [0, 2] });
    expect(e).toBeLessThan(1e-3);
  });

  it('rejects dims that are not 1 or do not exist', async () => {
    const x = randomTensor(rng, [1, 3]);
    const e1 = await opError('Squeeze', [x], { dims: [1] });
    expect(e1).toBeInstanceOf(ShapeError);
    expect(e1.message).toMatch(/dim 1 of input in0_\d+ \[1,3\] is 3, but only dims of size 1 can be squeezed/);
    const e2 = await opError('Squeeze', [x], { dims: [2] });
    expect(e2).toBeInstanceOf(ShapeError);
    expect(e2.message).toMatch(/has 2 dims, but dims \[2\] names dim 2/);
    expect(await opError('Squeeze', [x])).toBeInstanceOf(ArgumentError);
  });
});
