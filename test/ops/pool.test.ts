import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import { makeOpContext } from '../../src/ops/op_context.js';
import { getOpSpec, type HostTensor } from '../../src/ops/registry.js';
import { checkGradient, compareWithReference, makeRng, maxRelError, randomTensor, referenceOf, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(17);

/** Distinct values 0.1 apart in random order: windows have one max that small steps cannot change. */
function distinctTensor(shape: number[]): HostTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: n }, (_, i) => Math.fround((i - n / 2) * 0.1));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return { shape, data: Float64Array.from(v) };
}

const cases: Array<[string, number[], Record<string, unknown>]> = [
  ['MNIST 2x2 stride 2', [2, 3, 8, 8], { kernel: 2, stride: 2 }],
  ['k3 s2 pad1, odd sizes', [2, 3, 9, 7], { kernel: 3, stride: 2, pad: 1 }],
  ['uneven kernels, strides and pads', [1, 2, 10, 9], { kernel_h: 3, kernel_w: 2, stride_h: 2, stride_w: 3, pad_t: 2, pad_l: 1, pad_b: 0, pad_r: 1 }],
  ['overlapping windows NHWC', [2, 7, 6, 3], { kernel: 3, stride: 1, pad: 1, order: 'NHWC' }],
  ['global pooling NCHW', [2, 5, 6, 7], { global_pooling: 1 }],
  ['global pooling NCHW, 90-position windows (64 lanes)', [1, 3, 9, 10], { global_pooling: 1 }],
  ['global pooling NHWC, large window (workgroup lanes)', [2, 20, 19, 3], { global_pooling: 1, order: 'NHWC' }],
  ['1-D NCHW', [2, 3, 11], { kernels: [3], strides: [2], pads: [1, 1] }],
  ['1-D NHWC', [2, 11, 3], { kernels: [2], order: 'NHWC' }],
  ['windows tiling the input, NHWC 3x2', [2, 9, 4, 5], { kernel_h: 3, kernel_w: 2, stride_h: 3, stride_w: 2, order: 'NHWC' }],
  ['1-D windows tiling the input', [2, 3, 12], { kernels: [3], strides: [3] }],
];

describe.each(['MaxPool', 'AveragePool'])('%s', (type) => {
  it.each(cases)('matches the float64 reference: %s', async (_, shape, args) => {
    const [err] = await compareWithReference(type, [randomTensor(rng, shape)], args);
    expect(err).toBeLessThan(1e-5);
  });

  it.each(cases)('gradient matches the float64 reference: %s', async (_, shape, args) => {
    const x = distinctTensor(shape);
    const [y] = await runOp(type, [x], args);
    const yT = { shape: [...y!.shape], data: Float64Array.from(y!.data) };
    const dy = randomTensor(rng, [...y!.shape]);
    const [err] = await compareWithReference(`${type}Gradient`, [x, yT, dy], args);
    expect(err).toBeLessThan(1e-5);
  });

  it.each([
    ['NCHW k3 s2 pad1', [1, 2, 5, 4], { kernel: 3, stride: 2, pad: 1 }],
    ['NHWC k2', [1, 3, 4, 2], { kernel: 2, order: 'NHWC' }],
    ['global', [2, 2, 3, 3], { global_pooling: 1 }],
  ] as const)('passes finite differences: %s', async (_, shape, args) => {
    const [err] = await checkGradient(type, [distinctTensor([...shape])], args, { eps: 1e-3 });
    expect(err).toBeLessThan(1e-3);
  });
});

describe('pooling details', () => {
  it('AveragePool divides by kh*kw with count_include_pad=1, by the in-image count otherwise', async () => {
    const x = { shape: [1, 1, 2, 2], data: Float64Array.from([1, 2, 3, 4]) };
    const [excl] = await runOp('AveragePool', [x], { kernel: 2, pad: 1, stride: 2 });
    expect(Array.from(excl!.data)).toEqual([1, 2, 3, 4]);
    const [incl] = await runOp('AveragePool', [x], { kernel: 2, pad: 1, stride: 2, count_include_pad: 1 });
    expect(Array.from(incl!.data)).toEqual([0.25, 0.5, 0.75, 1]);
    const shape = [2, 3, 7, 6];
    const args = { kernel: 3, pad: 1, stride: 2, count_include_pad: 1 };
    const [err] = await compareWithReference('AveragePool', [randomTensor(rng, shape)], args);
    expect(err).toBeLessThan(1e-5);
    const xd = distinctTensor(shape);
    const [y] = await runOp('AveragePool', [xd], args);
    const dy = randomTensor(rng, [...y!.shape]);
    const [gerr] = await compareWithReference('AveragePoolGradient', [xd, { shape: [...y!.shape], data: Float64Array.from(y!.data) }, dy], args);
    expect(gerr).toBeLessThan(1e-5);
  });

  it('MaxPool padding never wins over negative inputs', async () => {
    const x = { shape: [1, 1, 2, 2], data: Float64Array.from([-4, -3, -2, -1]) };
    const [y] = await runOp('MaxPool', [x], { kernel: 2, pad: 1, stride: 2 });
    expect(Array.from(y!.data)).toEqual([-4, -3, -2, -1]);
  });

  it('MaxPoolGradient gives dY to every tied maximum', async () => {
    const x = { shape: [1, 1, 2, 4], data: Float64Array.from([5, 5, 1, 2, 5, 0, 2, 2]) };
    const y = { shape: [1, 1, 1, 2], data: Float64Array.from([5, 2]) };
    const dy = { shape: [1, 1, 1, 2], data: Float64Array.from([0.5, 3]) };
    const [dx] = await runOp('MaxPoolGradient', [x, y, dy], { kernel: 2, stride: 2 });
    expect(Array.from(dx!.data)).toEqual([0.5, 0.5, 0, 3, 0.5, 0, 3, 3]);
    expect(maxRelError(dx!, referenceOf('MaxPoolGradient', [x, y, dy], { kernel: 2, stride: 2 })[0]!)).toBe(0);
  });

  it('emits <Pool>Gradient [X, Y, Y_grad] -> X_grad', () => {
    const net = core.Net('pool_grad_shape');
    net.MaxPool(['X'], 'Y', { kernel: 2 });
    net.AveragePool(['Y'], 'Z', { kernel: 2 });
    net.AddGradientOperators({ Z: 'Z_grad' });
    const ops = net.Proto().op.filter((o) => o.is_gradient_op);
    expect(ops.map((o) => [o.type, o.input, o.output])).toEqual([
      ['AveragePoolGradient', ['Y', 'Z', 'Z_grad'], ['Y_grad']],
      ['MaxPoolGradient', ['X', 'Y', 'Y_grad'], ['X_grad']],
    ]);
  });
});

describe('pooling kernel choice', () => {
  /** The kernels an op would dispatch for these input shapes and arguments (no GPU involved). */
  function shaders(type: string, shapes: number[][], args: Record<string, unknown>): string[] {
    const spec = getOpSpec(type);
    const op = core.CreateOperator(type, shapes.map((_, i) => `i${i}`), ['o'], args);
    const ctx = makeOpContext(spec, op, 0, 'n', shapes.map((shape) => ({ shape, dtype: 'float32' as const })));
    return spec.kernels(ctx, spec.inferShape(ctx)).map((k) => k.shader);
  }

  it('walks windows of up to 64 positions in one thread, larger ones across a workgroup', () => {
    expect(shaders('MaxPool', [[64, 20, 24, 24]], { kernel: 2, stride: 2 })).toEqual(['pool_direct.wgsl']);
    expect(shaders('AveragePool', [[2, 5, 6, 7]], { global_pooling: 1 })).toEqual(['pool_direct.wgsl']);
    expect(shaders('AveragePool', [[1, 3, 9, 10]], { global_pooling: 1 })).toEqual(['pool.wgsl']);
  });

  it('writes a gradient window by window where the windows tile the input, input by input otherwise', () => {
    expect(shaders('MaxPoolGradient', [[2, 3, 8, 8], [2, 3, 4, 4], [2, 3, 4, 4]], { kernel: 2, stride: 2 })).toEqual(['pool_grad_tiled.wgsl']);
    expect(shaders('AveragePoolGradient', [[2, 3, 9, 8], [2, 3, 4, 4], [2, 3, 4, 4]], { kernel: 2, stride: 2 })).toEqual(['pool_grad.wgsl']);
    expect(shaders('MaxPoolGradient', [[2, 3, 8, 8], [2, 3, 7, 7], [2, 3, 7, 7]], { kernel: 2, stride: 1 })).toEqual(['pool_grad.wgsl']);
    expect(shaders('MaxPoolGradient', [[2, 3, 8, 8], [2, 3, 5, 5], [2, 3, 5, 5]], { kernel: 2, stride: 2, pad: 1 })).toEqual(['pool_grad.wgsl']);
  });
});

describe('legacy padding', () => {
  it.each([
    // Caffe's ceil rule: 6 + 2 pads, k3 s2 gives 4 outputs where Caffe2's floor gives 3.
    ['MaxPool', [1, 2, 6, 6], { kernel: 3, stride: 2, pad: 1, legacy_pad: 3 }, [1, 2, 4, 4]],
    ['AveragePool', [2, 1, 8, 7], { kernel: 3, stride: 2, legacy_pad: 3 }, [2, 1, 4, 3]],
    ['AveragePool', [1, 3, 7, 8], { kernel: 3, stride: 2, legacy_pad: 2, order: 'NCHW' }, [1, 3, 4, 4]],
    ['MaxPool', [1, 7, 8, 3], { kernel: 3, stride: 2, legacy_pad: 1, order: 'NHWC' }, [1, 3, 3, 3]],
  ] as const)('%s with %j: Caffe2\'s output size and values, and its gradient', async (type, shape, args, out) => {
    const x = distinctTensor([...shape]);
    const [y] = await runOp(type, [x], args);
    expect(y!.shape).toEqual(out);
    expect(maxRelError(y!, referenceOf(type, [x], args)[0]!)).toBeLessThan(1e-5);
    const dy = randomTensor(rng, [...out]);
    const [err] = await compareWithReference(`${type}Gradient`, [x, { shape: [...out], data: Float64Array.from(y!.data) }, dy], args);
    expect(err).toBeLessThan(1e-5);
  });
});

describe('pooling errors', () => {
  async function planFails(type: string, blobs: Record<string, number[]>, args: Record<string, unknown>): Promise<unknown> {
    for (const [name, shape] of Object.entries(blobs)) await workspace.FeedBlob(name, randomTensor(rng, shape).data, { shape });
    const net = core.Net('train');
    net.Proto().op.push(core.CreateOperator(type, Object.keys(blobs), ['Y'], args));
    return workspace.CreateNet(net, true);
  }

  it('rejects global_pooling with a kernel, stride or pad', async () => {
    await expect(planFails('MaxPool', { X: [1, 2, 4, 4] }, { global_pooling: 1, kernel: 2 })).rejects.toThrow(/global_pooling takes the whole image as the window/);
    await expect(planFails('MaxPool', { X: [1, 2, 4, 4] }, { global_pooling: 1, stride: 2 })).rejects.toThrow(/If global_pooling is set pad, dilation and stride shouldn't be set/);
  });

  it('rejects pads as large as the kernel, dilation, and unknown arguments', async () => {
    await expect(planFails('AveragePool', { X: [1, 2, 4, 4] }, { kernel: 2, pad: 2 })).rejects.toThrow(
      /^AveragePool \(op #0 in net "train[^"]*"\): pads \[2,2,2,2\] must be smaller than the kernel \[2,2\]/,
    );
    await expect(planFails('MaxPool', { X: [1, 2, 4, 4] }, { kernel: 2, dilation: 2 })).rejects.toThrow(/pooling does not support dilation/);
    await expect(planFails('MaxPool', { X: [1, 2, 4, 4] }, { kernel: 2, count_include_pad: 1 })).rejects.toThrow(/unknown argument "count_include_pad"/);
  });

  it('rejects explicit pads with VALID or SAME, dilation with legacy padding, and unknown modes', async () => {
    await expect(planFails('MaxPool', { X: [1, 2, 6, 6] }, { kernel: 2, pad: 1, legacy_pad: 2 })).rejects.toThrow(/If you use legacy padding VALID or SAME, you should not specify any specific padding values/);
    await expect(planFails('Conv', { X: [1, 2, 6, 6], W: [2, 2, 2, 2] }, { kernel: 2, dilation: 2, legacy_pad: 2 })).rejects.toThrow(/legacy_pad=2 does not support dilation/);
    await expect(planFails('MaxPool', { X: [1, 2, 6, 6] }, { kernel: 2, legacy_pad: 4 })).rejects.toThrow(/legacy_pad=4 is not a LegacyPadding value/);
  });

  it('rejects a missing kernel, a 2-d input and a dY of the wrong shape', async () => {
    await expect(planFails('MaxPool', { X: [1, 2, 4, 4] }, {})).rejects.toThrow(/the kernel size must be set/);
    await expect(planFails('MaxPool', { X: [4, 4] }, { kernel: 2 })).rejects.toThrow(/input X has shape \[4,4\]; expected 3 or 4 dims/);
    await expect(planFails('MaxPoolGradient', { X: [1, 2, 4, 4], Yp: [1, 2, 2, 2], dY: [1, 2, 3, 2] }, { kernel: 2, stride: 2 })).rejects.toThrow(
      /input dY has shape \[1,2,3,2\], but pooling X \[1,2,4,4\] gives \[1,2,2,2\]/,
    );
  });
});
