import { describe, expect, it } from 'vitest';
import { ArgumentError, DTypeError, ShapeError, core } from '../../src/index.js';
import type { HostTensor } from '../../src/ops/registry.js';
import { checkGradient, compareWithReference, makeRng, opError, randomIntTensor, randomTensor, referenceOf, runOp, useGpu, maxRelError } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(61);

/** Distinct values at least 0.05 apart in random order, so a finite-difference step never changes a maximum. */
function separated(shape: number[]): HostTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.05 + 0.01 * rng());
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return { shape, data: Float64Array.from(values, Math.fround) };
}

const KINDS = ['ReduceSum', 'ReduceMean', 'ReduceMax'] as const;

describe.each(KINDS)('%s', (type) => {
  it.each([
    [[3, 5, 7], undefined, 1],
    [[3, 5, 7], undefined, 0],
    [[3, 5, 7], [1], 1],
    [[3, 5, 7], [0, 2], 0],
    [[3, 5, 7], [-1], 0],
    [[2, 3, 4, 5], [1, 3], 1],
    [[1000, 3], [0], 1],
    [[3, 1001], [1], 0],
    [[65], [0], 0],
    [[4, 0, 3], [0], 1],
  ])('reduces %j over axes %j with keepdims=%i like the reference', async (shape, axes, keepdims) => {
    const args = { ...(axes && { axes }), keepdims };
    const [err] = await compareWithReference(type, [randomTensor(rng, shape)], args);
    expect(err).toBeLessThan(1e-5);
  });

  it('passes finite differences', async () => {
    for (const [shape, args] of [
      [[3, 5], { axes: [1] }],
      [[2, 3, 5], { axes: [0, 2], keepdims: 0 }],
      [[3, 4], {}],
    ] as const) {
      const [e] = await checkGradient(type, [separated([...shape])], args);
      expect(e, JSON.stringify([shape, args])).toBeLessThan(1e-3);
    }
  });

  it('its gradient op matches the reference', async () => {
    const x = separated([3, 4, 5]);
    const args = { axes: [0, 2], keepdims: 0 };
    const [y] = referenceOf(type, [x], args);
    const dy = randomTensor(rng, y!.shape);
    const [err] = await compareWithReference(`${type}Gradient`, [dy, x, { ...y!, data: y!.data.map(Math.fround) }], args);
    expect(err).toBeLessThan(1e-6);
  });

  it('rejects bad axes and int inputs', async () => {
    const x = randomTensor(rng, [2, 3]);
    const e1 = await opError(type, [x], { axes: [2] });
    expect(e1).toBeInstanceOf(ArgumentError);
    expect(e1.message).toMatch(new RegExp(`^${type} \\(op #0.*axes \\[2\\] has 2, out of range for a 2-d input`));
    expect((await opError(type, [x], { axes: [1, -1] })).message).toMatch(/names an axis twice/);
    expect(await opError(type, [randomIntTensor(rng, [2, 3], 0, 5)])).toBeInstanceOf(DTypeError);
    const e4 = await opError(`${type}Gradient`, [randomTensor(rng, [3]), x, randomTensor(rng, [2])], { axes: [1], keepdims: 0 });
    expect(e4).toBeInstanceOf(ShapeError);
  });
});

describe('reductions', () => {
  it('give values written out by hand', async () => {
    const x = { shape: [2, 3], data: Float64Array.from([1, 5, 3, 4, 2, 6]) };
    const [sum] = await runOp('ReduceSum', [x], { axes: [1] });
    expect(sum!.toArray()).toEqual([[9], [12]]);
    const [mean] = await runOp('ReduceMean', [x], { axes: [0], keepdims: 0 });
    expect(mean!.toArray()).toEqual([2.5, 3.5, 4.5]);
    const [max] = await runOp('ReduceMax', [x], { keepdims: 0 });
    expect(max!.shape).toEqual([]);
    expect(max!.toArray()).toBe(6);
  });

  it('ReduceMax gives the gradient to every tied maximum', async () => {
    const x = { shape: [1, 4], data: Float64Array.from([2, 7, 7, 1]) };
    const y = { shape: [1, 1], data: Float64Array.from([7]) };
    const dy = { shape: [1, 1], data: Float64Array.from([3]) };
    const [dx] = await runOp('ReduceMaxGradient', [dy, x, y], { axes: [1] });
    expect(Array.from(dx!.data)).toEqual([0, 3, 3, 0]);
    expect(maxRelError(dx!, referenceOf('ReduceMaxGradient', [dy, x, y], { axes: [1] })[0]!)).toBe(0);
  });

  it('wire gradients as Caffe2 does: Reduce*Gradient [dY, X, Y] with the forward args', () => {
    const net = core.Net('reduce_grad');
    net.Proto().op.push(core.CreateOperator('ReduceMean', ['X'], ['Y'], { axes: [1], keepdims: 0 }));
    net.AddGradientOperators({ Y: 'Y_grad' });
    const g = net.Proto().op.filter((o) => o.is_gradient_op);
    expect(g.map((o) => [o.type, o.input, o.output, o.arg.map((a) => a.name)])).toEqual([
      ['ReduceMeanGradient', ['Y_grad', 'X', 'Y'], ['X_grad'], ['axes', 'keepdims']],
    ]);
  });
});
