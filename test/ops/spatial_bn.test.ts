import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import type { HostTensor } from '../../src/ops/registry.js';
import { checkGradient, compareWithReference, makeRng, maxRelError, randomTensor, referenceOf, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(19);

/** X (offset from zero so that centring matters) and per-channel scale, bias, running mean, running var (> 0). */
function bnInputs(shape: number[], nhwc = false): HostTensor[] {
  const c = nhwc ? shape[shape.length - 1]! : shape[1]!;
  return [randomTensor(rng, shape, 1, 4), randomTensor(rng, [c]), randomTensor(rng, [c]), randomTensor(rng, [c]), randomTensor(rng, [c], 0.5, 2)];
}

const fround = (t: HostTensor): HostTensor => ({ ...t, data: t.data.map(Math.fround) });

const cases: Array<[string, number[], Record<string, unknown>]> = [
  ['NCHW', [3, 5, 4, 7], {}],
  ['NHWC', [2, 5, 3, 6], { order: 'NHWC' }],
  ['3-d NCHW', [4, 3, 9], { epsilon: 1e-3, momentum: 0.5 }],
  ['2-d (N, C)', [17, 6], {}],
  ['one channel, long batch (workgroup strides)', [40, 1, 30], {}],
];

describe('SpatialBN', () => {
  it.each(cases)('training matches the float64 reference (Y, running moments, saved stats): %s', async (_, shape, args) => {
    const errs = await compareWithReference('SpatialBN', bnInputs(shape, args.order === 'NHWC'), args, 5);
    expect(errs).toHaveLength(5);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
  });

  it.each(cases)('is_test matches the float64 reference: %s', async (_, shape, args) => {
    const [err] = await compareWithReference('SpatialBN', bnInputs(shape, args.order === 'NHWC'), { ...args, is_test: 1 });
    expect(err).toBeLessThan(1e-5);
  });

  it('updates the running moments in place, once per run', async () => {
    const inputs = bnInputs([2, 3, 4, 5]);
    ['X', 'scale', 'bias', 'rm', 'rv'].forEach((n, i) => void workspace.FeedBlob(n, inputs[i]!.data, { shape: inputs[i]!.shape }));
    const net = core.Net('bn_in_place');
    net.Proto().op.push(core.CreateOperator('SpatialBN', ['X', 'scale', 'bias', 'rm', 'rv'], ['Y', 'rm', 'rv', 'sm', 'siv'], { momentum: 0.8 }));
    await workspace.CreateNet(net);
    await workspace.RunNet(net.Name(), 2);
    let state = inputs;
    for (let k = 0; k < 2; k++) {
      const out = referenceOf('SpatialBN', state, { momentum: 0.8 });
      state = [inputs[0]!, inputs[1]!, inputs[2]!, fround(out[1]!), fround(out[2]!)];
    }
    expect(maxRelError(await workspace.FetchBlob('rm'), state[3]!)).toBeLessThan(1e-6);
    expect(maxRelError(await workspace.FetchBlob('rv'), state[4]!)).toBeLessThan(1e-6);
  });
});

describe('SpatialBNGradient', () => {
  it.each(cases)('training matches the float64 reference: %s', async (_, shape, args) => {
    const inputs = bnInputs(shape, args.order === 'NHWC');
    const [, , , savedMean, savedInv] = referenceOf('SpatialBN', inputs, args);
    const gradInputs = [inputs[0]!, inputs[1]!, randomTensor(rng, shape), fround(savedMean!), fround(savedInv!)];
    const errs = await compareWithReference('SpatialBNGradient', gradInputs, args, 3);
    for (const e of errs) expect(e).toBeLessThan(1e-4);
  });

  it('is_test matches the float64 reference (statistics held constant)', async () => {
    const inputs = bnInputs([2, 4, 3, 3]);
    const gradInputs = [inputs[0]!, inputs[1]!, randomTensor(rng, [2, 4, 3, 3]), inputs[3]!, inputs[4]!];
    const errs = await compareWithReference('SpatialBNGradient', gradInputs, { is_test: 1 }, 3);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
  });

  it.each([
    ['training NCHW', [2, 2, 3, 2], {}],
    ['training NHWC', [2, 3, 2, 3], { order: 'NHWC' }],
    ['is_test', [2, 2, 3], { is_test: 1 }],
  ] as const)('passes finite differences for X, scale and bias: %s', async (_, shape, args) => {
    const inputs = bnInputs([...shape], 'order' in args);
    const errs = await checkGradient('SpatialBN', inputs, args, { wrt: [0, 1, 2], eps: 1e-3, outputCount: 'is_test' in args ? 1 : 5 });
    for (const e of errs) expect(e).toBeLessThan(5e-3);
  });

  it('emits SpatialBNGradient [X, scale, Y_grad, saved_mean, saved_inv_std] -> [X_grad, scale_grad, bias_grad]', () => {
    const net = core.Net('bn_grad_shape');
    net.Proto().op.push(core.CreateOperator('SpatialBN', ['X', 's', 'b', 'rm', 'rv'], ['Y', 'rm', 'rv', 'sm', 'siv'], {}));
    net.AddGradientOperators({ Y: 'Y_grad' });
    const test = core.Net('bn_grad_test');
    test.Proto().op.push(core.CreateOperator('SpatialBN', ['X', 's', 'b', 'rm', 'rv'], ['Y'], { is_test: 1 }));
    test.AddGradientOperators({ Y: 'Y_grad' });
    const grads = [net, test].map((n) => n.Proto().op.filter((o) => o.is_gradient_op).map((o) => [o.type, o.input, o.output]));
    expect(grads).toEqual([
      [['SpatialBNGradient', ['X', 's', 'Y_grad', 'sm', 'siv'], ['X_grad', 's_grad', 'b_grad']]],
      [['SpatialBNGradient', ['X', 's', 'Y_grad', 'rm', 'rv'], ['X_grad', 's_grad', 'b_grad']]],
    ]);
  });
});

describe('SpatialBN errors', () => {
  async function planFails(type: string, blobs: Record<string, number[]>, args: Record<string, unknown>, outputs: string[]): Promise<unknown> {
    for (const [name, shape] of Object.entries(blobs)) await workspace.FeedBlob(name, randomTensor(rng, shape).data, { shape });
    const net = core.Net('train');
    net.Proto().op.push(core.CreateOperator(type, Object.keys(blobs), outputs, args));
    return workspace.CreateNet(net, true);
  }
  const blobs = { X: [2, 3, 4, 4], s: [3], b: [3], rm: [3], rv: [3] };
  const trainOut = ['Y', 'rm', 'rv', 'sm', 'siv'];

  it('rejects per-channel inputs of the wrong length', async () => {
    await expect(planFails('SpatialBN', { ...blobs, s: [4] }, {}, trainOut)).rejects.toThrow(
      /^SpatialBN \(op #0 in net "train[^"]*"\): input s has shape \[4\], but X \[2,3,4,4\] has 3 channels \(expected \[3\]\)/,
    );
    await expect(planFails('SpatialBN', { ...blobs, X: [2, 4, 4, 4] }, { order: 'NHWC' }, trainOut)).rejects.toThrow(/has 4 channels/);
  });

  it('rejects the wrong output count for the mode', async () => {
    await expect(planFails('SpatialBN', blobs, {}, ['Y'])).rejects.toThrow(/has 1 outputs; expected 5 with is_test=0/);
    await expect(planFails('SpatialBN', blobs, { is_test: 1 }, trainOut)).rejects.toThrow(/has 5 outputs; expected 1 with is_test=1/);
  });

  it('rejects unsupported arguments and a dY of the wrong shape', async () => {
    await expect(planFails('SpatialBN', blobs, { num_batches: 2 }, trainOut)).rejects.toThrow(/num_batches=2 is not supported/);
    await expect(planFails('SpatialBN', blobs, { order: 'HWCN' }, trainOut)).rejects.toThrow(/order must be "NCHW" or "NHWC"/);
    await expect(planFails('SpatialBN', { ...blobs, X: [6] }, {}, trainOut)).rejects.toThrow(/expected at least 2 dims/);
    await expect(planFails('SpatialBN', { ...blobs, X: [0, 3, 4] }, {}, trainOut)).rejects.toThrow(/training needs at least one value per channel/);
    await expect(planFails('SpatialBNGradient', { X: [2, 3, 4], s: [3], dY: [2, 3, 5], sm: [3], siv: [3] }, {}, ['dX', 'ds', 'db'])).rejects.toThrow(
      /input dY has shape \[2,3,5\], but X has shape \[2,3,4\]/,
    );
  });
});
