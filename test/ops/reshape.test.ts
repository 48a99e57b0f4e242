import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError, core, workspace } from '../../src/index.js';
import type { HostTensor } from '../../src/ops/registry.js';
import { checkGradient, compareWithReference, makeRng, opError, randomIntTensor, randomTensor, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(41);

const ints = (values: number[]): HostTensor => ({ shape: [values.length], data: Float64Array.from(values), dtype: 'int32' });

describe('Reshape', () => {
  it.each([
    [[3, 5, 7], [5, 21]],
    [[3, 5, 7], [0, -1]],
    [[3, 5, 7], [-1, 7]],
    [[3, 5, 7], [0, 0, 7, 1]],
    [[65], [5, 13]],
    [[2, 3], [6]],
    [[1], []],
  ])('reshapes %j with shape %j like the reference, old_shape = input dims', async (inShape, shape) => {
    const x = randomTensor(rng, inShape);
    const errs = await compareWithReference('Reshape', [x], { shape }, 2);
    expect(errs).toEqual([0, 0]);
  });

  it('takes the shape from a fed int input', async () => {
    const x = randomTensor(rng, [4, 3, 5]);
    const [y, old] = await runOp('Reshape', [x, ints([0, -1])], {}, 2);
    expect(y!.shape).toEqual([4, 15]);
    expect(Array.from(y!.data)).toEqual(Array.from(x.data, Math.fround));
    expect(old!.dtype).toBe('int32');
    expect(Array.from(old!.data)).toEqual([4, 3, 5]);
  });

  it('infers -1 as 0 for an empty input', async () => {
    const [y] = await runOp('Reshape', [randomTensor(rng, [4, 0])], { shape: [0, -1] }, 2);
    expect(y!.shape).toEqual([4, 0]);
  });

  it('passes finite differences, and its gradient is a Reshape back to old_shape', async () => {
    const [e] = await checkGradient('Reshape', [randomTensor(rng, [3, 5])], { shape: [5, -1, 1] }, { outputCount: 2 });
    expect(e).toBeLessThan(1e-3);
    const net = core.Net('reshape_grad');
    net.Proto().op.push(core.CreateOperator('Reshape', ['X'], ['Y', 'old'], { shape: [-1] }));
    net.AddGradientOperators({ Y: 'Y_grad' });
    const g = net.Proto().op.filter((o) => o.is_gradient_op);
    expect(g.map((o) => [o.type, o.input, o.output, o.arg])).toEqual([['Reshape', ['Y_grad', 'old'], ['X_grad', '_X_grad_dims'], []]]);
  });

  it('runs the gradient of a shape given by an input', async () => {
    const [e] = await checkGradient('Reshape', [randomTensor(rng, [2, 7]), ints([7, 2])], {}, { outputCount: 2, wrt: [0] });
    expect(e).toBeLessThan(1e-3);
  });

  it('rejects bad shapes with clear errors', async () => {
    const x = randomTensor(rng, [3, 5]);
    const cases: Array<[Record<string, unknown>, HostTensor[], typeof ShapeError | typeof ArgumentError, RegExp]> = [
      [{ shape: [4, -1] }, [x], ShapeError, /input in\d+_\d+ \[3,5\] holds 15 elements, which shape \[4,-1\] cannot hold/],
      [{ shape: [4, 4] }, [x], ShapeError, /holds 15 elements, but shape \[4,4\] holds 16/],
      [{ shape: [-1, -1] }, [x], ArgumentError, /more than one -1/],
      [{ shape: [-2, 1] }, [x], ArgumentError, /invalid dimension -2 at index 0/],
      [{ shape: [15, 1, 0] }, [x], ShapeError, /0 \(copy the input's dim\) at index 2, but the input \[3,5\] has only 2 dims/],
      [{}, [x], ArgumentError, /new shape is missing/],
      [{ shape: [15] }, [x, ints([15])], ArgumentError, /do not pass the shape argument as well/],
      [{}, [x, randomTensor(rng, [1])], ShapeError, /must be a 1-d int tensor, got float32 \[1\]/],
    ];
    for (const [args, inputs, type, message] of cases) {
      const e = await opError('Reshape', inputs, args, 2);
      expect(e, message.source).toBeInstanceOf(type);
      expect(e.message).toMatch(/^Reshape \(op #0/);
      expect(e.message).toMatch(message);
    }
  });

  it('needs the values of a new_shape input at plan time', async () => {
    await workspace.FeedBlob('rs_x', randomTensor(rng, [2, 3]).data, { shape: [2, 3] });
    await workspace.FeedBlob('rs_s', new Int32Array([3, 2]));
    const net = core.Net('reshape_computed_shape');
    net.Proto().op.push(core.CreateOperator('Copy', ['rs_s'], ['rs_s2']));
    net.Proto().op.push(core.CreateOperator('Reshape', ['rs_x', 'rs_s2'], ['rs_y', 'rs_old']));
    await expect(workspace.CreateNet(net)).rejects.toThrow(/values of input rs_s2 \(new_shape\) must be known when the net is planned/);
  });

  it('plans again when the new_shape input is re-fed with other values', async () => {
    await workspace.FeedBlob('rf_x', randomTensor(rng, [2, 6]).data, { shape: [2, 6] });
    await workspace.FeedBlob('rf_s', new Int32Array([3, 4]));
    const net = core.Net('reshape_refeed');
    net.Proto().op.push(core.CreateOperator('Reshape', ['rf_x', 'rf_s'], ['rf_y', 'rf_old']));
    await workspace.CreateNet(net);
    await workspace.RunNet(net.Name());
    expect((await workspace.FetchBlob('rf_y')).shape).toEqual([3, 4]);
    await workspace.FeedBlob('rf_s', new Int32Array([4, -1]));
    await workspace.RunNet(net.Name());
    expect((await workspace.FetchBlob('rf_y')).shape).toEqual([4, 3]);
    const plans = (await workspace.Stats()).plans;
    await workspace.RunNet(net.Name());
    expect((await workspace.Stats()).plans).toBe(plans);
  });

  it('works on int32 data', async () => {
    const errs = await compareWithReference('Reshape', [randomIntTensor(rng, [3, 4], -9, 9)], { shape: [2, -1] }, 2);
    expect(errs).toEqual([0, 0]);
  });
});

describe('Flatten, FlattenToVec, ResizeLike', () => {
  it.each([
    [[3, 5, 7], 1],
    [[3, 5, 7], 0],
    [[3, 5, 7], 3],
    [[3, 5, 7], 2],
    [[65], 1],
  ])('Flatten %j at axis %i matches the reference', async (shape, axis) => {
    const [err] = await compareWithReference('Flatten', [randomTensor(rng, shape)], { axis });
    expect(err).toBe(0);
  });

  it('Flatten defaults to axis 1', async () => {
    const [y] = await runOp('Flatten', [randomTensor(rng, [2, 3, 5])]);
    expect(y!.shape).toEqual([2, 15]);
  });

  it('FlattenToVec and ResizeLike match the reference', async () => {
    expect(await compareWithReference('FlattenToVec', [randomTensor(rng, [3, 1, 5])])).toEqual([0]);
    expect(await compareWithReference('ResizeLike', [randomTensor(rng, [3, 5]), randomTensor(rng, [5, 1, 3])])).toEqual([0]);
  });

  it('pass finite differences through ResizeLike', async () => {
    for (const [type, shape] of [['Flatten', [3, 2, 5]], ['FlattenToVec', [2, 3]]] as const) {
      const [e] = await checkGradient(type, [randomTensor(rng, [...shape])]);
      expect(e, type).toBeLessThan(1e-3);
    }
    const net = core.Net('flatten_grad');
    net.Proto().op.push(core.CreateOperator('Flatten', ['X'], ['Y']));
    net.AddGradientOperators({ Y: 'Y_grad' });
    const g = net.Proto().op.filter((o) => o.is_gradient_op);
    expect(g.map((o) => [o.type, o.input, o.output])).toEqual([['ResizeLike', ['Y_grad', 'X'], ['X_grad']]]);
  });

  it('reject bad axes and sizes', async () => {
    const e1 = await opError('Flatten', [randomTensor(rng, [2, 3])], { axis: 3 });
    expect(e1).toBeInstanceOf(ArgumentError);
    expect(e1.message).toMatch(/axis=3 is out of range .* \(expected 0 <= axis <= 2\)/);
    const e2 = await opError('FlattenToVec', [randomTensor(rng, [])]);
    expect(e2).toBeInstanceOf(ShapeError);
    const e3 = await opError('ResizeLike', [randomTensor(rng, [2, 3]), randomTensor(rng, [5])]);
    expect(e3).toBeInstanceOf(ShapeError);
    expect(e3.message).toMatch(/holds 6 elements, but in1_\d+ \[5\] holds 5/);
  });
});
