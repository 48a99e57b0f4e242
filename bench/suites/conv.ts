/**
 * conv: Conv forward and ConvGradient (dW, db, dX) at LeNet's two conv layers and a 3×3
 * ResNet-style layer, GFLOP/s (forward 2·N·Ho·Wo·M·C·k², backward twice that), against tfjs-webgpu's
 * conv2d and its two backprop kernels on the same adapter. Ours runs Caffe2's default NCHW; tfjs
 * runs its NHWC. Every output is checked against tfjs's on the same data (transposed).
 */
import { core, workspace } from '../../src/index.js';
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import { closeCheck, measure, randomFloats, speedRatio, type BenchSize, type CaseEnv, type CaseResult, type Check, type Suite } from '../harness.js';

/** Relative to the largest |value|: fp32 sums of up to a few thousand products stay inside this. */
const TOL = 1e-4;

interface ConvShape {
  name: string;
  n: number;
  c: number;
  h: number;
  m: number;
  k: number;
  pad: number;
}

/** Batch and the ResNet layer's side per size: a software adapter needs seconds per big conv. */
function shapes(size: BenchSize): ConvShape[] {
  const batch = { quick: 1, default: 16, full: 64 }[size];
  const res = { quick: { n: 1, c: 8, h: 10 }, default: { n: 2, c: 64, h: 28 }, full: { n: 8, c: 64, h: 56 } }[size];
  return [
    { name: `LeNet conv1 (batch ${batch}, 1→20, 28², k5)`, n: batch, c: 1, h: 28, m: 20, k: 5, pad: 0 },
    { name: `LeNet conv2 (batch ${batch}, 20→50, 12², k5)`, n: batch, c: 20, h: 12, m: 50, k: 5, pad: 0 },
    { name: `ResNet 3×3 (batch ${res.n}, ${res.c}→${res.c}, ${res.h}², pad 1)`, n: res.n, c: res.c, h: res.h, m: res.c, k: 3, pad: 1 },
  ];
}

/** The conv suite: forward and backward of each shape. */
export const convSuite: Suite = {
  name: 'conv',
  description: 'Conv forward and ConvGradient, GFLOP/s, against tfjs conv2d and its backprop kernels (outputs checked against them)',
  cases: (config) => shapes(config.size).map((s) => ({ name: s.name, run: (env) => convCase(env, s) })),
};

/** NCHW [n, c, h, w] data as NHWC. */
function toNhwc(x: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * w; i++) out[(b * h * w + i) * c + ch] = x[(b * c + ch) * h * w + i]!;
  return out;
}

/** Filters [m, c, k, k] as tfjs's [k, k, c, m]. */
export function toHwio(w: Float32Array, m: number, c: number, k: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let o = 0; o < m; o++) for (let ch = 0; ch < c; ch++) for (let i = 0; i < k * k; i++) out[(i * c + ch) * m + o] = w[(o * c + ch) * k * k + i]!;
  return out;
}

/** Largest |a - b| and |b| over two equally laid-out arrays, as a check. */
function compare(name: string, ours: ArrayLike<number>, theirs: ArrayLike<number>): Check {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < theirs.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i]! - theirs[i]!));
    scale = Math.max(scale, Math.abs(theirs[i]!));
  }
  return closeCheck(name, ours.length === theirs.length ? diff : Infinity, scale, TOL);
}

async function convCase(env: CaseEnv, s: ConvShape): Promise<CaseResult> {
  const { n, c, h, m, k, pad } = s;
  const o = h + 2 * pad - k + 1;
  const x = randomFloats(n * 31 + c, n * c * h * h);
  const w = randomFloats(m * 7 + k, m * c * k * k);
  const b = randomFloats(m + 3, m);
  const dy = randomFloats(o * 11 + m, n * m * o * o);
  const flops = 2 * n * o * o * m * c * k * k;
  const args = { kernel: k, pad };

  workspace.ResetWorkspace();
  await workspace.FeedBlob('X', x, { shape: [n, c, h, h] });
  await workspace.FeedBlob('W', w, { shape: [m, c, k, k] });
  await workspace.FeedBlob('b', b, { shape: [m] });
  await workspace.FeedBlob('dY', dy, { shape: [n, m, o, o] });
  const fwd = { name: 'bench_conv_fwd', op: [core.CreateOperator('Conv', ['X', 'W', 'b'], ['Y'], args)], external_input: ['X', 'W', 'b'], external_output: ['Y'] };
  const bwd = { name: 'bench_conv_bwd', op: [core.CreateOperator('ConvGradient', ['X', 'W', 'dY'], ['dW', 'db', 'dX'], args)], external_input: ['X', 'W', 'dY'], external_output: ['dW', 'db', 'dX'] };
  await workspace.CreateNet(fwd, true);
  await workspace.CreateNet(bwd, true);
  const timed = (net: string) => async (iters: number) => {
    await workspace.RunNet(net, iters);
    await workspace.Sync();
  };
  env.note('ours Conv');
  const oursFwd = await measure(env.config, { impl: 'ours Conv', role: 'ours', unit: 'GFLOP/s', work: flops, run: timed(fwd.name) });
  env.note('ours ConvGradient');
  const oursBwd = await measure(env.config, { impl: 'ours ConvGradient', role: 'ours', unit: 'GFLOP/s', work: 2 * flops, run: timed(bwd.name) });
  const [y, dW, db, dX] = await workspace.FetchBlobs(['Y', 'dW', 'db', 'dX']);
  workspace.ResetWorkspace();

  const { tf } = env.peer;
  const tx = tf.tensor4d(toNhwc(x, n, c, h, h), [n, h, h, c]);
  const tw = tf.tensor4d(toHwio(w, m, c, k), [k, k, c, m]);
  const tb = tf.tensor1d(b);
  const tdy = tf.tensor4d(toNhwc(dy, n, m, o, o), [n, o, o, m]);
  const conv = { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1] };
  const forward = (): TfTensor => tf.add(tf.conv2d(tx, tw, 1, pad), tb);
  const backward = (): TfTensor[] => [
    tf.engine().runKernel('Conv2DBackpropFilter', { x: tx, dy: tdy }, { ...conv, filterShape: [k, k, c, m] }) as TfTensor,
    tf.sum(tdy, [0, 1, 2]),
    tf.engine().runKernel('Conv2DBackpropInput', { dy: tdy, filter: tw }, { ...conv, inputShape: [n, h, h, c] }) as TfTensor,
  ];
  try {
    env.note('tfjs conv2d');
    const peerFwd = await measure(env.config, {
      impl: 'tfjs conv2d',
      role: 'tfjs',
      unit: 'GFLOP/s',
      work: flops,
      async run(iters) {
        for (let i = 0; i < iters; i++) tf.tidy(forward);
        await env.peer.sync();
      },
    });
    env.note('tfjs conv2d backprop');
    const peerBwd = await measure(env.config, {
      impl: 'tfjs conv2d backprop',
      role: 'tfjs',
      unit: 'GFLOP/s',
      work: 2 * flops,
      async run(iters) {
        for (let i = 0; i < iters; i++) tf.tidy(() => void backward());
        await env.peer.sync();
      },
    });
    const [ty, [tdW, tdb, tdX]] = [forward(), backward()] as [TfTensor, TfTensor[]];
    const data = await Promise.all([ty, tdW!, tdb!, tdX!].map(async (t) => (await t.data()) as Float32Array));
    for (const t of [ty, tdW!, tdb!, tdX!]) t.dispose();
    const checks = [
      compare('ours Y matches tfjs conv2d + b', toNhwc(y!.data as Float32Array, n, m, o, o), data[0]!),
      compare('ours dW matches tfjs Conv2DBackpropFilter', toHwio(dW!.data as Float32Array, m, c, k), data[1]!),
      compare('ours db matches tfjs sum of dY', db!.data, data[2]!),
      compare('ours dX matches tfjs Conv2DBackpropInput', toNhwc(dX!.data as Float32Array, n, c, h, h), data[3]!),
    ];
    return {
      suite: 'conv',
      case: s.name,
      params: { N: n, C: c, H: h, M: m, k, pad },
      measurements: [oursFwd, peerFwd, oursBwd, peerBwd],
      ratios: [speedRatio(oursFwd, peerFwd), speedRatio(oursBwd, peerBwd)],
      checks,
    };
  } finally {
    for (const t of [tx, tw, tb, tdy]) t.dispose();
  }
}
