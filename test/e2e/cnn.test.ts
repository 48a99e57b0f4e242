import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import { makeRng, useGpu } from '../helpers/gpu.js';

useGpu();

const N = 12;
const SIDE = 10;
const K = 3;

/** Images with a bright 3x3 patch in one of three places (noise elsewhere); the label is the place. */
function data(seed: number): { x: Float32Array; labels: Int32Array } {
  const rng = makeRng(seed);
  const x = Float32Array.from({ length: N * SIDE * SIDE }, () => (rng() - 0.5) * 0.4);
  const labels = Int32Array.from({ length: N }, (_, i) => i % K);
  const corners = [[1, 1], [1, 6], [6, 3]] as const;
  labels.forEach((k, i) => {
    const [y0, x0] = corners[k]!;
    for (let y = y0; y < y0 + 3; y++) for (let c = x0; c < x0 + 3; c++) x[i * SIDE * SIDE + y * SIDE + c] = 1;
  });
  return { x, labels };
}

const PARAMS: Record<string, number[]> = { w1: [4, 1, 3, 3], b1: [4], s1: [4], o1: [4], w2: [6, 4, 2, 2], b2: [6], w3: [K, 6], b3: [K] };

/** Feeds data, small random weights, unit BN scale, zero offsets and biases, running moments (0, 1). */
async function feedAll(seed: number): Promise<void> {
  workspace.ResetWorkspace();
  workspace.SetSeed(seed);
  const rng = makeRng(seed + 1);
  const { x, labels } = data(seed);
  await workspace.FeedBlob('data', x, { shape: [N, 1, SIDE, SIDE] });
  await workspace.FeedBlob('label', labels);
  for (const [name, shape] of Object.entries(PARAMS)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const fill = name.startsWith('w') ? () => (rng() * 2 - 1) * 0.5 : () => (name === 's1' ? 1 : 0);
    await workspace.FeedBlob(name, Float32Array.from({ length: n }, fill), { shape });
  }
  await workspace.FeedBlob('rm1', new Float32Array(4), { shape: [4] });
  await workspace.FeedBlob('rv1', new Float32Array(4).fill(1), { shape: [4] });
  await workspace.FeedBlob('ONE', [1], { shape: [1] });
  await workspace.FeedBlob('LR', [-0.3], { shape: [1] });
}

/** Conv → SpatialBN → Relu (in place) → MaxPool → Conv → global AveragePool → Dropout → FC → SoftmaxWithLoss, SGD on every parameter. */
function buildTrain(): ReturnType<typeof core.Net> {
  const net = core.Net('cnn_train');
  const add = (type: string, i: string[], o: string[], args: Record<string, unknown> = {}) => net.Proto().op.push(core.CreateOperator(type, i, o, args));
  add('Conv', ['data', 'w1', 'b1'], ['conv1'], { kernel: 3, pad: 1 });
  add('SpatialBN', ['conv1', 's1', 'o1', 'rm1', 'rv1'], ['bn1', 'rm1', 'rv1', 'sm1', 'siv1'], { momentum: 0.9 });
  add('Relu', ['bn1'], ['bn1']);
  add('MaxPool', ['bn1'], ['pool1'], { kernel: 2, stride: 2 });
  add('Conv', ['pool1', 'w2', 'b2'], ['conv2'], { kernel: 2 });
  add('AveragePool', ['conv2'], ['pool2'], { global_pooling: 1 });
  add('Dropout', ['pool2'], ['drop', 'mask'], { ratio: 0.1 });
  add('FC', ['drop', 'w3', 'b3'], ['logits']);
  add('SoftmaxWithLoss', ['logits', 'label'], ['softmax', 'loss']);
  net.AddGradientOperators(['loss']);
  for (const p of Object.keys(PARAMS)) add('WeightedSum', [p, 'ONE', `${p}_grad`, 'LR'], [p]);
  return net;
}

describe('a small CNN with the LeNet operators', () => {
  it('trains: the loss falls, every parameter moves, the running moments follow the batch', async () => {
    await feedAll(3);
    const net = buildTrain();
    const types = net.Proto().op.filter((o) => o.is_gradient_op).map((o) => o.type);
    expect(types).toEqual(expect.arrayContaining(['ConvGradient', 'SpatialBNGradient', 'MaxPoolGradient', 'AveragePoolGradient', 'DropoutGrad']));
    const before = await workspace.FetchBlobs(Object.keys(PARAMS));
    await workspace.CreateNet(net);
    await workspace.RunNet(net.Name(), 1);
    const first = (await workspace.FetchBlob('loss')).data[0]!;
    await workspace.RunNet(net.Name(), 20);
    const last = (await workspace.FetchBlob('loss')).data[0]!;
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(0.5 * first);
    const after = await workspace.FetchBlobs(Object.keys(PARAMS));
    after.forEach((t, i) => expect(Array.from(t.data), Object.keys(PARAMS)[i]).not.toEqual(Array.from(before[i]!.data)));
    // After 21 runs at momentum 0.9 the running mean keeps 0.9^21 ≈ 0.11 of its start (0) and sits near the batch means.
    const [rm, sm] = await workspace.FetchBlobs(['rm1', 'sm1']);
    rm.data.forEach((v, c) => {
      expect(v).not.toBe(0);
      expect(Math.abs(v - sm.data[c]!)).toBeLessThan(0.1);
    });
  }, 90_000);
});
