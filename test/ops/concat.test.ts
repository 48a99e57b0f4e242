import { describe, expect, it } from 'vitest';
import { ArgumentError, DTypeError, ShapeError, core, workspace } from '../../src/index.js';
import type { HostTensor } from '../../src/ops/registry.js';
import { checkGradient, compareWithReference, makeRng, opError, randomIntTensor, randomTensor, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(53);

const ints = (values: number[]): HostTensor => ({ shape: [values.length], data: Float64Array.from(values), dtype: 'int32' });

describe('Concat', () => {
  it.each([
    [[[2, 3, 5], [2, 4, 5], [2, 1, 5]], {}],
    [[[2, 3, 5], [2, 3, 5]], { axis: 0 }],
    [[[3, 5], [3, 7]], { axis: -1 }],
    [[[65], [3]], { axis: 0 }],
    [[[2, 3, 4, 5], [2, 3, 4, 2]], { order: 'NHWC' }],
    [[[2, 3, 5], [2, 3, 5], [2, 3, 5]], { axis: 1, add_axis: 1 }],
    [[[2, 3], [2, 3]], { axis: 2, add_axis: 1 }],
    [[[2, 0, 3], [2, 2, 3]], { axis: 1 }],
  ])('joins %j with %j like the reference (split_info too)', async (shapes, args) => {
    const inputs = shapes.map((s) => randomTensor(rng, s));
    expect(await compareWithReference('Concat', inputs, args, 2)).toEqual([0, 0]);
  });

  it('writes split_info as int32 sizes along the axis', async () => {
    const [y, info] = await runOp('Concat', [randomIntTensor(rng, [2, 3], 0, 9), randomIntTensor(rng, [2, 5], 0, 9)], { axis: 1 }, 2);
    expect(y!.shape).toEqual([2, 8]);
    expect(y!.dtype).toBe('int32');
    expect(info!.dtype).toBe('int32');
    expect(Array.from(info!.data)).toEqual([3, 5]);
  });

  it('passes finite differences for every input; its gradient is Split on split_info', async () => {
    const inputs = [randomTensor(rng, [2, 3, 2]), randomTensor(rng, [2, 1, 2]), randomTensor(rng, [2, 2, 2])];
    for (const e of await checkGradient('Concat', inputs, { axis: 1 }, { outputCount: 2 })) expect(e).toBeLessThan(1e-3);
    const stacked = [randomTensor(rng, [2, 3]), randomTensor(rng, [2, 3])];
    for (const e of await checkGradient('Concat', stacked, { axis: 0, add_axis: 1 }, { outputCount: 2 })) expect(e).toBeLessThan(1e-3);
    const net = core.Net('concat_grad');
    net.Proto().op.push(core.CreateOperator('Concat', ['A', 'B'], ['Y', 'info'], { axis: 0 }));
    net.AddGradientOperators({ Y: 'Y_grad' });
    const g = net.Proto().op.filter((o) => o.is_gradient_op);
    expect(g.map((o) => [o.type, o.input, o.output, o.arg])).toEqual([['Split', ['Y_grad', 'info'], ['A_grad', 'B_grad'], [{ name: 'axis', i: 0 }]]]);
  });

  it('rejects mismatched shapes, dtypes and axes', async () => {
    const e1 = await opError('Concat', [randomTensor(rng, [2, 3]), randomTensor(rng, [3, 3])], { axis: 1 }, 2);
    expect(e1).toBeInstanceOf(ShapeError);
    expect(e1.message).toMatch(/Concat \(op #0.*input in1_\d+ has shape \[3,3\], but in0_\d+ has shape \[2,3\] \(expected the same dims except along axis 1\)/);
    const e2 = await opError('Concat', [randomTensor(rng, [2, 3]), randomTensor(rng, [2, 4])], { axis: 0, add_axis: 1 }, 2);
    expect(e2.message).toMatch(/expected identical shapes with add_axis=1/);
    const e3 = await opError('Concat', [randomTensor(rng, [2, 3]), randomIntTensor(rng, [2, 3], 0, 1)], { axis: 0 }, 2);
    expect(e3).toBeInstanceOf(DTypeError);
    const e4 = await opError('Concat', [randomTensor(rng, [2, 3])], { axis: 2 }, 2);
    expect(e4).toBeInstanceOf(ArgumentError);
    expect(e4.message).toMatch(/axis=2 is out of range for a 2-d input/);
    expect(await opError('Concat', [randomTensor(rng, [2, 3])], { axis: 0, order: 'NCHW' }, 2)).toBeInstanceOf(ArgumentError);
    expect(await opError('Concat', [randomTensor(rng, [2, 3])], { order: 'NHWC' }, 2)).toBeInstanceOf(ShapeError);
  });
});

describe('Split', () => {
  it.each([
    [[2, 7, 3], { axis: 1, split: [2, 4, 1] }],
    [[2, 6, 3], { split: [3, 3] }],
    [[65, 2], { axis: 0, split: [64, 1] }],
    [[4, 3], { axis: -1, split: [1, 0, 2] }],
    [[2, 3, 5], { axis: 1, add_axis: 1 }],
  ])('splits %j with %j like the reference', async (shape, args) => {
    const x = randomTensor(rng, shape);
    const count = 'split' in args ? args.split.length : 3;
    const errs = await compareWithReference('Split', [x], args, count);
    expect(errs).toEqual(new Array(count).fill(0));
  });

  it('splits into equal parts without split, and by a fed split input', async () => {
    const x = randomTensor(rng, [2, 6]);
    const parts = await runOp('Split', [x], { axis: 1 }, 3);
    expect(parts.map((p) => p.shape)).toEqual([[2, 2], [2, 2], [2, 2]]);
    const ref = await compareWithReference('Split', [x], { axis: 1, split: [2, 2, 2] }, 3);
    expect(ref).toEqual([0, 0, 0]);
    expect(await compareWithReference('Split', [x, ints([1, 5])], { axis: 1 }, 2)).toEqual([0, 0]);
  });

  it('passes finite differences; outputs without a gradient count as zeros', async () => {
    const [e] = await checkGradient('Split', [randomTensor(rng, [2, 5])], { axis: 1, split: [2, 3] }, { outputCount: 2 });
    expect(e).toBeLessThan(1e-3);
    const net = core.Net('split_grad');
    net.Proto().op.push(core.CreateOperator('Split', ['X'], ['A', 'B'], { axis: 1, split: [2, 3] }));
    net.AddGradientOperators({ A: 'A_grad' });
    const g = net.Proto().op.filter((o) => o.is_gradient_op);
    expect(g.map((o) => [o.type, o.input, o.output])).toEqual([
      ['ConstantFill', ['B'], ['_B_zero_grad']],
      ['Concat', ['A_grad', '_B_zero_grad'], ['X_grad', '_X_grad_dims']],
    ]);
    await workspace.FeedBlob('X', randomTensor(rng, [2, 5]).data, { shape: [2, 5] });
    await workspace.FeedBlob('A_grad', [[1, 2], [3, 4]]);
    await workspace.RunNetOnce(net);
    expect((await workspace.FetchBlob('X_grad')).toArray()).toEqual([[1, 2, 0, 0, 0], [3, 4, 0, 0, 0]]);
  });

  it('rejects sizes that do not add up', async () => {
    const x = randomTensor(rng, [2, 5]);
    const e1 = await opError('Split', [x], { axis: 1, split: [2, 2] }, 2);
    expect(e1).toBeInstanceOf(ShapeError);
    expect(e1.message).toMatch(/Split \(op #0.*split \[2,2\] adds up to 4, but the axis has 5 entries/);
    const e2 = await opError('Split', [x], { axis: 1 }, 2);
    expect(e2.message).toMatch(/5 entries, which do not divide into 2 equal outputs/);
    const e3 = await opError('Split', [x], { axis: 1, split: [5] }, 2);
    expect(e3).toBeInstanceOf(ArgumentError);
    expect(e3.message).toMatch(/split \[5\] has 1 sizes for 2 outputs/);
    const e4 = await opError('Split', [x, ints([2, 3])], { axis: 1, split: [2, 3] }, 2);
    expect(e4.message).toMatch(/do not pass the split argument as well/);
    const e5 = await opError('Split', [x], { axis: 1, add_axis: 1 }, 2);
    expect(e5.message).toMatch(/do not divide into 2 equal outputs|every output takes one entry/);
  });
});
