import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import { getOpSpec, type HostTensor } from '../../src/ops/registry.js';
import { makeOpContext } from '../../src/ops/op_context.js';
import { checkGradient, compareWithReference, makeRng, randomTensor, referenceOf, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(13);

interface Case {
  name: string;
  x: number[];
  w: number[];
  bias?: boolean;
  args: Record<string, unknown>;
}

/** Random X, W (and b) for a case. */
function inputs(c: Case): HostTensor[] {
  const t = [randomTensor(rng, c.x), randomTensor(rng, c.w)];
  if (c.bias !== false) t.push(randomTensor(rng, [c.w[0]!]));
  return t;
}

// Odd sizes, several tiles of output pixels, padding on every side, strides, dilation, groups, both orders, 1-D.
const cases: Case[] = [
  { name: 'LeNet conv1 shape (k5, NCHW)', x: [2, 1, 12, 13], w: [5, 1, 5, 5], args: { kernel: 5 } },
  { name: 'k3 pad1 stride2 NCHW', x: [2, 3, 9, 7], w: [4, 3, 3, 3], args: { kernel: 3, pad: 1, stride: 2 } },
  { name: 'uneven pads and strides', x: [1, 2, 8, 9], w: [3, 2, 3, 2], args: { kernel_h: 3, kernel_w: 2, pad_t: 2, pad_l: 0, pad_b: 1, pad_r: 1, stride_h: 2, stride_w: 1 } },
  { name: 'dilation 2', x: [1, 3, 9, 8], w: [2, 3, 3, 3], args: { kernel: 3, dilation: 2, pads: [1, 2, 0, 1] } },
  { name: 'groups 3 NCHW', x: [2, 6, 7, 5], w: [9, 2, 3, 3], args: { kernel: 3, group: 3, pad: 1 } },
  { name: 'NHWC k3 pad1', x: [2, 7, 6, 3], w: [5, 3, 3, 3], args: { kernel: 3, pad: 1, order: 'NHWC' } },
  { name: 'NHWC groups 2 stride 2', x: [1, 9, 8, 4], w: [6, 3, 2, 2], args: { kernels: [3, 2], strides: [2, 3], group: 2, order: 'NHWC' } },
  { name: 'no bias', x: [2, 3, 6, 5], w: [4, 3, 2, 3], bias: false, args: { kernels: [2, 3] } },
  { name: 'legacy_pad SAME (7 rows, stride 2: 4 outputs, pads 1/1; 8 columns: pads 0/1)', x: [1, 2, 7, 8], w: [3, 2, 3, 3], args: { kernel: 3, stride: 2, legacy_pad: 2 } },
  { name: '1-D NCHW', x: [2, 3, 17], w: [4, 3, 3], args: { kernels: [3], pads: [1, 2], strides: [2] } },
  { name: '1-D NHWC, group 2, dilation', x: [2, 11, 4], w: [6, 3, 2], args: { kernels: [3], dilations: [2], group: 2, order: 'NHWC' } },
  { name: 'many pixels (>64x64 tiles)', x: [3, 2, 15, 16], w: [70, 2, 1, 1], args: { kernel: 1 } },
  // Blocks of conv_direct.wgsl cut short: one pixel per image (1x1 output), 3 pixels (blocks of
  // 2, the last half empty), 6 pixels (blocks of 4), 9 filters per group (blocks of 8, the second
  // holding one).
  // Sliding rows of 8 (NCHW, unit stride and dilation along x): 10 columns (a block of 8 and one
  // of 2 plus 6 never stored), padding on both sides, stride and dilation along y only.
  { name: 'sliding rows: 10 columns, pads, stride and dilation along y', x: [2, 3, 11, 10], w: [5, 3, 3, 3], args: { kernels: [3, 3], dilations: [2, 1], strides: [2, 1], pads: [1, 1, 1, 1] } },
  { name: 'six output pixels, 9 filters, stride 2, pad 1', x: [2, 3, 4, 5], w: [9, 3, 3, 3], args: { kernel: 3, stride: 2, pad: 1 } },
  { name: 'one output pixel per image, 1-D', x: [3, 4, 3], w: [5, 4, 3], args: { kernels: [3] } },
  { name: 'three output pixels, groups 3 of 9 filters, NHWC', x: [2, 2, 6, 6], w: [27, 2, 2, 2], args: { kernel: 2, stride: 2, group: 3, order: 'NHWC' } },
  { name: 'three output pixels, 9 filters, pad and dilation', x: [2, 2, 3, 3], w: [9, 2, 2, 2], args: { kernel: 2, dilation: 2, pads: [0, 1, 0, 1] } },
  // Big enough for the GEMM kernels of ConvGradient (>= 16 tiles; dX also needs > 4 channels per group).
  { name: 'GEMM: 6 channels, stride 2, pad 1', x: [2, 6, 24, 24], w: [3, 6, 3, 3], args: { kernel: 3, stride: 2, pad: 1 } },
  { name: 'GEMM: NHWC groups 2 of 5, dilation 2', x: [2, 24, 22, 10], w: [4, 2, 2, 5], args: { kernel: 2, dilation: 2, group: 2, order: 'NHWC', pads: [1, 0, 0, 1] } },
  { name: 'GEMM: 1-D, 9 channels, stride 1', x: [3, 9, 360], w: [5, 9, 4], args: { kernels: [4], pads: [2, 1] } },
  // Big enough for the 128x128 tile (>= 4 of its tiles per group, >= 32 taps, and >= 16 64x64 tiles).
  { name: 'big tile: NCHW stride 2, pad 1', x: [2, 5, 45, 45], w: [7, 5, 3, 3], args: { kernel: 3, stride: 2, pad: 1 } },
  { name: 'big tile: NHWC groups 2, stride 2, pad 1', x: [2, 33, 33, 10], w: [8, 3, 3, 5], args: { kernel: 3, stride: 2, pad: 1, group: 2, order: 'NHWC' } },
  { name: 'big tile: NCHW groups 2, no bias', x: [1, 6, 41, 23], w: [6, 3, 4, 3], bias: false, args: { kernels: [4, 3], pads: [1, 2, 0, 1], group: 2 } },
];

/** The kernels an op would dispatch for these input shapes and arguments (no GPU involved). */
function shaders(type: string, shapes: number[][], args: Record<string, unknown>, outputs: number): string[] {
  const spec = getOpSpec(type);
  const op = core.CreateOperator(type, shapes.map((_, i) => `i${i}`), Array.from({ length: outputs }, (_, i) => `o${i}`), args);
  const ctx = makeOpContext(spec, op, 0, 'n', shapes.map((shape) => ({ shape, dtype: 'float32' as const })));
  return spec.kernels(ctx, spec.inferShape(ctx)).map((k) => k.shader);
}

describe('Conv forward', () => {
  it.each(cases.map((c) => [c.name, c] as const))('matches the float64 reference: %s', async (_, c) => {
    const [err] = await compareWithReference('Conv', inputs(c), c.args);
    expect(err).toBeLessThan(1e-5);
  });

  it('has Caffe2\'s output shapes', async () => {
    const byName = (prefix: string): Case => cases.find((c) => c.name.startsWith(prefix))!;
    const expected: Array<[string, number[]]> = [
      ['k3 pad1 stride2 NCHW', [2, 4, 5, 4]],
      ['1-D NCHW', [2, 4, 9]],
      ['NHWC k3 pad1', [2, 7, 6, 5]],
      ['legacy_pad SAME', [1, 3, 4, 4]],
    ];
    for (const [prefix, shape] of expected) {
      const c = byName(prefix);
      const [y] = await runOp('Conv', inputs(c), c.args);
      expect(y!.shape, prefix).toEqual(shape);
    }
  });

  it('gives an empty Y for an empty batch', async () => {
    const [y] = await runOp('Conv', [randomTensor(rng, [0, 2, 5, 5]), randomTensor(rng, [3, 2, 3, 3]), randomTensor(rng, [3])], { kernel: 3 });
    expect(y!.shape).toEqual([0, 3, 3, 3]);
  });
});

/**
 * ConvGradient against its float64 reference, each element's error over the reference computed on
 * |inputs|: fp32 rounding of a sum over thousands of pixels grows with the sum of the terms'
 * magnitudes, not with the (cancelling) result.
 */
async function gradientErrors(inputs: HostTensor[], args: Record<string, unknown>, outputs: number): Promise<number[]> {
  const gpu = await runOp('ConvGradient', inputs, args, outputs);
  const ref = referenceOf('ConvGradient', inputs, args);
  const scale = referenceOf('ConvGradient', inputs.map((t) => ({ ...t, data: t.data.map(Math.abs) })), args);
  return gpu.map((t, k) => {
    expect([...t.shape]).toEqual(ref[k]!.shape);
    return ref[k]!.data.reduce((worst, r, i) => Math.max(worst, Math.abs(t.data[i]! - r) / Math.max(1, scale[k]!.data[i]!)), 0);
  });
}

describe('ConvGradient', () => {
  it.each(cases.map((c) => [c.name, c] as const))('matches the float64 reference: %s', async (_, c) => {
    const [x, w] = inputs(c);
    const yShape = (await runOp('Conv', inputs(c), c.args))[0]!.shape;
    const dy = randomTensor(rng, [...yShape]);
    const noBias = c.bias === false;
    const errs = await gradientErrors([x!, w!, dy], { ...c.args, ...(noBias && { no_bias: 1 }) }, noBias ? 2 : 3);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
  });

  it('sums dW over a long batch in parts (NCHW and NHWC)', async () => {
    for (const order of ['NCHW', 'NHWC']) {
      const nhwc = order === 'NHWC';
      const x = randomTensor(rng, nhwc ? [9, 25, 24, 2] : [9, 2, 25, 24]);
      const w = randomTensor(rng, nhwc ? [3, 3, 3, 2] : [3, 2, 3, 3]);
      const dy = randomTensor(rng, nhwc ? [9, 23, 22, 3] : [9, 3, 23, 22]);
      const before = (await workspace.Stats()).dispatches;
      const errs = await gradientErrors([x, w, dy], { kernel: 3, order }, 3);
      // dW in parts (9*23*22 pixels, over the direct kernel's bound) and their sum, db in 2 parts
      // (8 and 1 images) and their sum, dX.
      expect((await workspace.Stats()).dispatches - before).toBe(5);
      for (const e of errs) expect(e).toBeLessThan(1e-5);
    }
  });

  /**
   * Random X, W and dY for a Conv of these shapes: asserts that ConvGradient dispatches `kernels`
   * in a row (the path under test), then checks its outputs against the reference.
   */
  async function checkPath(x: number[], w: number[], args: Record<string, unknown>, kernels: string[]): Promise<void> {
    const y = (await runOp('Conv', [randomTensor(rng, x), randomTensor(rng, w)], args))[0]!.shape;
    expect(shaders('ConvGradient', [x, w, [...y]], args, 3).join(' ')).toContain(kernels.join(' '));
    const errs = await gradientErrors([randomTensor(rng, x), randomTensor(rng, w), randomTensor(rng, [...y])], args, 3);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
  }

  const col = 'conv_grad_col2im.wgsl';
  it.each([
    ['register blocks, NCHW (a last block of 4 pixels)', [3, 8, 20, 20], [32, 8, 3, 3], { kernel: 3 }, ['conv_grad_dcol_blocked.wgsl', col]],
    ['register blocks, NCHW groups 2 of 10 filters, pad 1', [2, 16, 18, 18], [20, 8, 3, 3], { kernel: 3, pad: 1, group: 2 }, ['conv_grad_dcol_blocked.wgsl', col]],
    ['vec4 128x128 tile, NHWC groups 2, dilation 2', [2, 18, 18, 16], [64, 3, 3, 8], { kernel: 3, pad: 2, dilation: 2, group: 2, order: 'NHWC' }, ['conv_grad_dcol_big_v4.wgsl', col]],
    ['scalar 128x128 tile, stride 2, pad 1', [2, 5, 45, 45], [33, 5, 3, 3], { kernel: 3, stride: 2, pad: 1 }, ['conv_grad_dcol_big.wgsl', col]],
    ['scalar 128x128 tile, NHWC groups 2 of 33 filters', [2, 17, 19, 10], [66, 2, 3, 5], { kernels: [2, 3], pads: [1, 0, 0, 1], group: 2, order: 'NHWC' }, ['conv_grad_dcol_big.wgsl', col]],
    ['64x64 tile (45 taps), NCHW groups 3, stride 2 x 3, uneven pads', [2, 15, 21, 23], [9, 5, 3, 3], { kernels: [3, 3], strides: [2, 3], pads: [2, 1, 0, 2], group: 3 }, ['conv_grad_dcol.wgsl', col]],
    ['64x64 tile, 1-D NHWC', [3, 400, 7], [6, 3, 7], { kernels: [3], pads: [1, 1], dilations: [3], order: 'NHWC' }, ['conv_grad_dcol.wgsl', col]],
  ] as const)('computes dX through the column gradient: %s', async (_, x, w, args, kernels) => {
    await checkPath([...x], [...w], args, [...kernels]);
  });

  it('computes dX by the implicit GEMM when the column buffer is over ws_nbytes_limit', async () => {
    await checkPath([2, 5, 45, 45], [33, 5, 3, 3], { kernel: 3, stride: 2, pad: 1, ws_nbytes_limit: 1000 }, ['conv_grad_x_big.wgsl']);
    await checkPath([2, 6, 24, 24], [3, 6, 3, 3], { kernel: 3, stride: 2, pad: 1, order: 'NCHW', ws_nbytes_limit: 0 }, ['conv_grad_x.wgsl']);
  });

  it.each([
    ['LeNet conv1 on 27 x 27 images, batch 6 (4 parts)', [6, 1, 27, 27], [20, 1, 5, 5], { kernel: 5 }],
    ['NHWC groups 2, stride 2, dilation 2, pad 1 (7 parts)', [8, 60, 60, 4], [6, 3, 3, 2], { kernel: 3, stride: 2, dilation: 2, pad: 1, group: 2, order: 'NHWC' }],
    ['NCHW uneven pads and strides (5 parts)', [3, 3, 70, 41], [4, 3, 4, 3], { kernels: [4, 3], strides: [1, 2], pads: [0, 3, 2, 1] }],
  ] as const)('computes a small filter bank\'s dW one thread per element in parts: %s', async (_, x, w, args) => {
    await checkPath([...x], [...w], args, ['conv_grad_w_direct.wgsl', 'conv_grad_w_sum.wgsl']);
  });

  it.each([
    ['vec4, NHWC', [5, 36, 36, 16], [40, 5, 5, 16], { kernel: 5, order: 'NHWC' }, 'conv_grad_wcol_big_v4.wgsl'],
    ['scalar (435 pixels per image), stride 2 x 1, pad', [10, 16, 31, 31], [40, 16, 5, 5], { kernel: 5, strides: [2, 1], pad: 1 }, 'conv_grad_wcol_big.wgsl'],
    ['scalar (4107 pixels), NHWC groups 2, dilation 2', [3, 45, 45, 32], [80, 5, 5, 16], { kernel: 5, dilation: 2, group: 2, order: 'NHWC' }, 'conv_grad_wcol_big.wgsl'],
  ] as const)('computes a large dW from the column buffer on the 128x128 tile in parts: %s', async (_, x, w, args, gemm) => {
    await checkPath([...x], [...w], args, ['conv_grad_im2col.wgsl', gemm, 'conv_grad_w_sum.wgsl']);
  });

  it.each([
    ['NCHW, 17 parts', [5, 16, 36, 36], [40, 16, 5, 5], { kernel: 5 }],
    ['NCHW groups 3 of 5 filters and 45 taps (partial blocks), dilation 2', [11, 15, 20, 20], [15, 5, 3, 3], { kernel: 3, dilation: 2, pad: 2, group: 3 }],
  ] as const)('computes dW from the column buffer in register blocks: %s', async (_, x, w, args) => {
    await checkPath([...x], [...w], args, ['conv_grad_im2col.wgsl', 'conv_grad_wcol_blocked.wgsl', 'conv_grad_w_sum.wgsl']);
  });

  it('computes one image\'s dW (one part) and dX in register blocks', async () => {
    await checkPath([1, 16, 14, 14], [16, 16, 3, 3], { kernel: 3, pad: 1 }, ['conv_grad_im2col.wgsl', 'conv_grad_wcol_blocked.wgsl', 'conv_grad_b.wgsl', 'conv_grad_dcol_blocked.wgsl', col]);
  });

  it('computes dW by the implicit GEMM on mid-sized filter banks and over ws_nbytes_limit', async () => {
    await checkPath([6, 6, 31, 31], [60, 6, 3, 3], { kernel: 3 }, ['conv_grad_w.wgsl', 'conv_grad_w_sum.wgsl']);
    await checkPath([5, 16, 36, 36], [40, 16, 5, 5], { kernel: 5, ws_nbytes_limit: 1000 }, ['conv_grad_w_big.wgsl', 'conv_grad_w_sum.wgsl']);
  });

  it('gives zero dW and db and an empty dX for an empty batch', async () => {
    const [dW, db, dX] = await runOp('ConvGradient', [randomTensor(rng, [0, 2, 5, 5]), randomTensor(rng, [3, 2, 3, 3]), randomTensor(rng, [0, 3, 3, 3])], { kernel: 3 }, 3);
    expect([...dW!.data, ...db!.data].every((v) => v === 0)).toBe(true);
    expect([dW!.data.length, db!.data.length, dX!.shape[0]]).toEqual([54, 3, 0]);
  });

  it('emits ConvGradient [W_grad, b_grad, X_grad], or [W_grad, X_grad] with no_bias=1 for 2 inputs', () => {
    const net = core.Net('conv_grad_shape');
    net.Conv(['X', 'W', 'b'], 'Y', { kernel: 3 });
    net.Conv(['Y', 'W2'], 'Z', { kernel: 1 });
    net.AddGradientOperators({ Z: 'Z_grad' });
    const ops = net.Proto().op.filter((o) => o.is_gradient_op);
    expect(ops.map((o) => [o.type, o.input, o.output])).toEqual([
      ['ConvGradient', ['Y', 'W2', 'Z_grad'], ['W2_grad', 'Y_grad']],
      ['ConvGradient', ['X', 'W', 'Y_grad'], ['W_grad', 'b_grad', 'X_grad']],
    ]);
    expect(ops[0]!.arg.find((a) => a.name === 'no_bias')?.i).toBe(1);
  });

  it('leaves X_grad out with no_gradient_to_input=1, as Caffe2\'s GetConvGradient does', () => {
    const net = core.Net('conv_grad_no_dx');
    net.Conv(['X', 'W', 'b'], 'Y', { kernel: 3, no_gradient_to_input: 1 });
    net.Conv(['Y', 'W2'], 'Z', { kernel: 1, no_gradient_to_input: 1 });
    const grads = net.AddGradientOperators({ Z: 'Z_grad' });
    const ops = net.Proto().op.filter((o) => o.is_gradient_op);
    // Z's Conv gives Y no gradient, so Y's Conv sees none and emits nothing.
    expect(ops.map((o) => [o.type, o.input, o.output])).toEqual([['ConvGradient', ['Y', 'W2', 'Z_grad'], ['W2_grad']]]);
    expect([...grads.keys()].map(String).sort()).toEqual(['W2', 'Z']);
    const first = core.Net('conv_grad_first_layer');
    first.Conv(['X', 'W', 'b'], 'Y', { kernel: 3, no_gradient_to_input: 1 });
    first.AddGradientOperators({ Y: 'Y_grad' });
    expect(first.Proto().op.filter((o) => o.is_gradient_op).map((o) => o.output)).toEqual([['W_grad', 'b_grad']]);
  });

  // Conv is linear in each input: central differences are exact up to fp32 rounding of the loss.
  it.each([
    ['NCHW pad stride', [1, 2, 5, 4], [3, 2, 3, 2], { kernels: [3, 2], pads: [1, 0, 1, 1], strides: [2, 1] }],
    ['NHWC group 2 dilation', [1, 5, 4, 4], [2, 2, 2, 2], { kernel: 2, dilation: 2, group: 2, order: 'NHWC', pad: 1 }],
    ['1-D', [2, 2, 5], [2, 2, 3], { kernels: [3], pads: [1, 0] }],
  ] as const)('passes finite differences: %s', async (_, xs, ws, args) => {
    const t = [randomTensor(rng, [...xs]), randomTensor(rng, [...ws]), randomTensor(rng, [ws[0]])];
    for (const e of await checkGradient('Conv', t, args)) expect(e).toBeLessThan(1e-3);
  });

  it('passes finite differences without bias', async () => {
    const t = [randomTensor(rng, [1, 2, 4, 4]), randomTensor(rng, [2, 2, 3, 3])];
    for (const e of await checkGradient('Conv', t, { kernel: 3, pad: 1 })) expect(e).toBeLessThan(1e-3);
  });
});

describe('Conv errors', () => {
  async function planFails(type: string, blobs: Record<string, number[]>, args: Record<string, unknown>, outputs = ['Y']): Promise<unknown> {
    for (const [name, shape] of Object.entries(blobs)) await workspace.FeedBlob(name, randomTensor(rng, shape).data, { shape });
    const net = core.Net('train');
    net.Proto().op.push(core.CreateOperator(type, Object.keys(blobs), outputs, args));
    return workspace.CreateNet(net, true);
  }

  it('names the filter shape it expects', async () => {
    await expect(planFails('Conv', { X: [1, 3, 8, 8], W: [4, 2, 3, 3], b: [4] }, { kernel: 3 })).rejects.toThrow(
      /^Conv \(op #0 in net "train[^"]*"\): input W has shape \[4,2,3,3\], but X \[1,3,8,8\] with group=1 and kernel \[3,3\] needs \[4,3,3,3\]/,
    );
    await expect(planFails('Conv', { X: [1, 8, 8, 3], W: [4, 3, 3, 2], b: [4] }, { kernel: 3, order: 'NHWC' })).rejects.toThrow(/needs \[4,3,3,3\] \(NHWC/);
  });

  it('rejects channels or filters that group does not divide', async () => {
    await expect(planFails('Conv', { X: [1, 3, 8, 8], W: [4, 1, 3, 3], b: [4] }, { kernel: 3, group: 2 })).rejects.toThrow(/X has 3 channels, which group=2 does not divide/);
    await expect(planFails('Conv', { X: [1, 4, 8, 8], W: [3, 2, 3, 3], b: [3] }, { kernel: 3, group: 2 })).rejects.toThrow(/W has 3 filters \(dim 0\), which group=2 does not divide/);
  });

  it('rejects a bias of the wrong length', async () => {
    await expect(planFails('Conv', { X: [1, 3, 8, 8], W: [4, 3, 3, 3], b: [3] }, { kernel: 3 })).rejects.toThrow(/input b has shape \[3\], but W holds 4 filters \(expected b of shape \[4\]\)/);
  });

  it('rejects missing, conflicting and bad window arguments', async () => {
    const blobs = { X: [1, 3, 8, 8], W: [4, 3, 3, 3], b: [4] };
    await expect(planFails('Conv', blobs, {})).rejects.toThrow(/the kernel size must be set/);
    await expect(planFails('Conv', blobs, { kernel: 3, kernels: [3, 3] })).rejects.toThrow(/arguments kernels and kernel both set the kernel/);
    await expect(planFails('Conv', blobs, { kernel: 3, stride: 0 })).rejects.toThrow(/stride must be positive/);
    await expect(planFails('Conv', blobs, { kernel: 3, pad: -1 })).rejects.toThrow(/pads must be non-negative/);
    await expect(planFails('Conv', blobs, { kernel: 3, pad_t: 1 })).rejects.toThrow(/pad_t, pad_l, pad_b and pad_r must be given together/);
    await expect(planFails('Conv', blobs, { kernel: 3, order: 'CHWN' })).rejects.toThrow(/order must be "NCHW" or "NHWC", got "CHWN"/);
    await expect(planFails('Conv', blobs, { kernel: 3, strides: [1, 1, 1] })).rejects.toThrow(/stride has 3 value\(s\) \[1,1,1\] but the input has 2 spatial dim\(s\)/);
    await expect(planFails('Conv', { X: [1, 3, 8], W: [4, 3, 3], b: [4] }, { kernel: 3 })).rejects.toThrow(/use kernels=\[…\] for 1-D/);
  });

  it('rejects an image smaller than the dilated kernel and 3-D data', async () => {
    await expect(planFails('Conv', { X: [1, 3, 4, 4], W: [4, 3, 3, 3], b: [4] }, { kernel: 3, dilation: 2 })).rejects.toThrow(
      /spatial dims \[4,4\] with pads \[0,0,0,0\] are smaller than the dilated kernel \[5,5\]/,
    );
    await expect(planFails('Conv', { X: [1, 3, 4, 4, 4], W: [4, 3, 3, 3, 3], b: [4] }, { kernels: [3, 3, 3] })).rejects.toThrow(/3-D windows are not supported/);
  });

  it('rejects a dY that does not match Y, and the wrong output count', async () => {
    await expect(planFails('ConvGradient', { X: [1, 3, 8, 8], W: [4, 3, 3, 3], dY: [1, 4, 5, 6] }, { kernel: 3 }, ['dW', 'db', 'dX'])).rejects.toThrow(
      /input dY has shape \[1,4,5,6\], but Conv of X and W gives Y of shape \[1,4,6,6\]/,
    );
    await expect(planFails('ConvGradient', { X: [1, 3, 8, 8], W: [4, 3, 3, 3], dY: [1, 4, 6, 6] }, { kernel: 3, no_bias: 1 }, ['dW', 'db', 'dX'])).rejects.toThrow(
      /has 3 outputs; expected \[dW\] or \[dW, dX\] with no_bias=1/,
    );
  });
});

describe('Conv kernel choice', () => {
  it('runs small convolutions one thread per element and large ones as GEMM tiles', () => {
    // ConvGradient: one thread per element while pixels per image are not whole quads (169)…
    expect(shaders('ConvGradient', [[1, 16, 13, 13], [16, 16, 3, 3], [1, 16, 13, 13]], { kernel: 3, pad: 1 }, 3)).toEqual([
      'conv_grad_w_direct.wgsl',
      'conv_grad_b.wgsl',
      'conv_grad_x_rows.wgsl',
    ]);
    // (NHWC one thread per element of dX)…
    expect(shaders('ConvGradient', [[1, 13, 13, 16], [16, 3, 3, 16], [1, 13, 13, 16]], { kernel: 3, pad: 1, order: 'NHWC' }, 3).at(-1)).toBe('conv_grad_x_direct.wgsl');
    // …and register blocks over the column buffer at any size when they are (196).
    expect(shaders('ConvGradient', [[1, 16, 14, 14], [16, 16, 3, 3], [1, 16, 14, 14]], { kernel: 3, pad: 1 }, 3)).toEqual([
      'conv_grad_im2col.wgsl',
      'conv_grad_wcol_blocked.wgsl',
      'conv_grad_b.wgsl',
      'conv_grad_dcol_blocked.wgsl',
      'conv_grad_col2im.wgsl',
    ]);
  });

  it('runs LeNet\'s gradients at batch 64 on their fast paths', () => {
    // conv1: X's patches gathered into a [25, 36864] column buffer, dW in register blocks over
    // parts of the pixels, their sum; dX by rows of 4 elements for the one channel.
    expect(shaders('ConvGradient', [[64, 1, 28, 28], [20, 1, 5, 5], [64, 20, 24, 24]], { kernel: 5 }, 3)).toEqual([
      'conv_grad_im2col.wgsl',
      'conv_grad_wcol_blocked.wgsl',
      'conv_grad_w_sum.wgsl',
      'conv_grad_b.wgsl',
      'conv_grad_w_sum.wgsl',
      'conv_grad_x_rows.wgsl',
    ]);
    // conv2: the same for dW over a [500, 4096] column buffer, then dX through a column gradient of
    // that shape in the same buffer, also in register blocks (500 taps, 64 pixels per image).
    expect(shaders('ConvGradient', [[64, 20, 12, 12], [100, 20, 5, 5], [64, 100, 8, 8]], { kernel: 5 }, 3)).toEqual([
      'conv_grad_im2col.wgsl',
      'conv_grad_wcol_blocked.wgsl',
      'conv_grad_w_sum.wgsl',
      'conv_grad_b.wgsl',
      'conv_grad_dcol_blocked.wgsl',
      'conv_grad_col2im.wgsl',
    ]);
  });

  it('picks dX\'s column-gradient tile by shape and alignment, and falls back over the column limit', () => {
    const grad = (x: number[], w: number[], y: number[], args: Record<string, unknown>): string[] => shaders('ConvGradient', [x, w, y], args, 3).slice(-2);
    // NCHW with taps and pixels per image in whole quads: register blocks.
    expect(grad([8, 64, 28, 28], [64, 64, 3, 3], [8, 64, 28, 28], { kernel: 3, pad: 1 })).toEqual(['conv_grad_dcol_blocked.wgsl', 'conv_grad_col2im.wgsl']);
    // 45 taps: quads of W^T are not 16-byte aligned.
    expect(grad([2, 5, 45, 45], [33, 5, 3, 3], [2, 33, 23, 23], { kernel: 3, stride: 2, pad: 1 })).toEqual(['conv_grad_dcol_big.wgsl', 'conv_grad_col2im.wgsl']);
    // NHWC reads four channels of a group: 33 filters per group are not aligned, 32 are.
    expect(grad([2, 18, 18, 16], [66, 3, 3, 8], [2, 18, 18, 66], { kernel: 3, pad: 1, group: 2, order: 'NHWC' })).toEqual(['conv_grad_dcol_big.wgsl', 'conv_grad_col2im.wgsl']);
    expect(grad([2, 18, 18, 16], [64, 3, 3, 8], [2, 18, 18, 64], { kernel: 3, pad: 1, group: 2, order: 'NHWC' })).toEqual(['conv_grad_dcol_big_v4.wgsl', 'conv_grad_col2im.wgsl']);
    // A shallow sum (5 filters) stays on the 64x64 tile.
    expect(grad([2, 16, 50, 49], [5, 16, 5, 5], [2, 5, 46, 45], { kernel: 5 })).toEqual(['conv_grad_dcol.wgsl', 'conv_grad_col2im.wgsl']);
    // A dCol over 64 MiB (here 576 taps x 65536 pixels), or over ws_nbytes_limit: the implicit GEMM over input pixels.
    expect(grad([64, 64, 32, 32], [64, 64, 3, 3], [64, 64, 32, 32], { kernel: 3, pad: 1 }).at(-1)).toBe('conv_grad_x_big.wgsl');
    expect(grad([8, 64, 28, 28], [64, 64, 3, 3], [8, 64, 28, 28], { kernel: 3, pad: 1, ws_nbytes_limit: 2 ** 20 }).at(-1)).toBe('conv_grad_x_big.wgsl');
    expect(grad([4, 6, 40, 40], [3, 6, 3, 3], [4, 3, 38, 38], { kernel: 3, ws_nbytes_limit: 0 }).at(-1)).toBe('conv_grad_x.wgsl');
  });

  it('runs a small filter bank\'s dW one thread per element, in parts for long batches', () => {
    const w = (x: number[], wShape: number[], y: number[], args: Record<string, unknown>): string[] => shaders('ConvGradient', [x, wShape, y], args, 2).slice(0, 2);
    // 3 x 54 outputs fill 1 of 4 tiles' worth: direct, over 6084 pixels in parts.
    expect(w([4, 6, 41, 41], [3, 6, 3, 3], [4, 3, 39, 39], { kernel: 3 })).toEqual(['conv_grad_w_direct.wgsl', 'conv_grad_w_sum.wgsl']);
    // A long sum over whole quads of pixels per image: register blocks over the column buffer.
    expect(w([5, 16, 36, 36], [40, 16, 5, 5], [5, 40, 32, 32], { kernel: 5 })).toEqual(['conv_grad_im2col.wgsl', 'conv_grad_wcol_blocked.wgsl']);
    // NHWC: 40 x 400 fills more than half of its tiles, the GEMM over the column buffer.
    expect(w([5, 36, 36, 16], [40, 5, 5, 16], [5, 32, 32, 40], { kernel: 5, order: 'NHWC' })).toEqual(['conv_grad_im2col.wgsl', 'conv_grad_wcol_big_v4.wgsl']);
  });
});

describe('Conv forward blocks', () => {
  /** The pixel and filter blocking conv_direct.wgsl gets for these shapes and arguments. */
  function blocks(shapes: number[][], args: Record<string, unknown>): { shader: string; px?: number; fq?: number; slide?: number; threads: unknown } {
    const spec = getOpSpec('Conv');
    const op = core.CreateOperator('Conv', shapes.map((_, i) => `i${i}`), ['y'], args);
    const ctx = makeOpContext(spec, op, 0, 'n', shapes.map((shape) => ({ shape, dtype: 'float32' as const })));
    const [call] = spec.kernels(ctx, spec.inferShape(ctx));
    return { shader: call!.shader, px: call!.overrides?.PX, fq: call!.overrides?.FQ, slide: call!.overrides?.SLIDE, threads: call!.uniforms?.total };
  }

  it('blocks 8 pixels x 8 filters, less where the image or the group is smaller', () => {
    // LeNet at batch 64: rows of 24 and 8 outputs in sliding blocks of 8; 20 filters in 3 blocks of 8.
    expect(blocks([[64, 1, 28, 28], [20, 1, 5, 5], [20]], { kernel: 5 })).toEqual({ shader: 'conv_direct.wgsl', px: 8, fq: 2, slide: 1, threads: 64 * 3 * 24 * 3 });
    expect(blocks([[64, 20, 12, 12], [100, 20, 5, 5], [100]], { kernel: 5 })).toEqual({ shader: 'conv_direct.wgsl', px: 8, fq: 2, slide: 1, threads: 64 * 13 * 8 });
    // 5 rows of 10 columns: two sliding blocks per row; stride or dilation along x, NHWC, or rows under 8 do not slide.
    expect(blocks([[2, 3, 11, 10], [5, 3, 3, 3], [5]], { kernels: [3, 3], dilations: [2, 1], strides: [2, 1], pads: [1, 1, 1, 1] })).toMatchObject({ px: 8, slide: 1, threads: 2 * 5 * 2 });
    expect(blocks([[2, 3, 11, 20], [5, 3, 3, 3], [5]], { kernel: 3, stride: 2 })).toMatchObject({ px: 8, slide: 0 });
    expect(blocks([[2, 3, 11, 20], [5, 3, 3, 3], [5]], { kernel: 3, dilation: 2 })).toMatchObject({ px: 8, slide: 0 });
    expect(blocks([[2, 11, 20, 3], [5, 3, 3, 3], [5]], { kernel: 3, order: 'NHWC' })).toMatchObject({ px: 8, slide: 0 });
    // Groups of 4 filters take one quad; 49, 6, 3 and 1 pixels per image blocks of 8, 4, 2 and 1.
    expect(blocks([[2, 8, 9, 9], [8, 4, 3, 3]], { kernel: 3, group: 2 })).toEqual({ shader: 'conv_direct.wgsl', px: 8, fq: 1, slide: 0, threads: 2 * 2 * 1 * 7 });
    expect(blocks([[2, 3, 4, 5], [9, 3, 3, 3], [9]], { kernel: 3, stride: 2, pad: 1 })).toMatchObject({ px: 4, fq: 2, slide: 0, threads: 2 * 2 * 2 });
    expect(blocks([[2, 2, 6, 6], [27, 2, 2, 2], [27]], { kernel: 2, stride: 2, group: 3, order: 'NHWC' })).toMatchObject({ px: 2, fq: 2, threads: 2 * 3 * 2 * 2 });
    expect(blocks([[3, 4, 3], [5, 4, 3], [5]], { kernels: [3] })).toMatchObject({ px: 1, fq: 2, threads: 3 });
  });
});

describe('Conv geometry layout', () => {
  it('packs the ConvGeom members in the WGSL struct\'s order', () => {
    const wgsl = readFileSync(join(import.meta.dirname, '../../shaders/conv_geom.wgsl'), 'utf8');
    const body = /struct ConvGeom \{([^}]*)\}/.exec(wgsl)![1]!;
    const members = [...body.matchAll(/^\s*(\w+): i32,/gm)].map((m) => m[1]);
    expect(members).toEqual(['n', 'c', 'h', 'w', 'm', 'oh', 'ow', 'kh', 'kw', 'sh', 'sw', 'pt', 'pl', 'dh', 'dw', 'cg', 'mg', 'parts']);
    const ts = readFileSync(join(import.meta.dirname, '../../src/ops/conv.ts'), 'utf8');
    expect(ts).toContain('[g.n, g.c, g.h, g.w, d.m, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.dh, g.dw, d.cg, d.mg, parts]');
  });
});
