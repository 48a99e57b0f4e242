import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import { fusionSettings } from '../../src/runtime/fusion.js';
import { makeRng, useGpu } from '../helpers/gpu.js';

useGpu();

const N = 32;
const D = 4;
const H = 8;
const K = 3;

/** A separable toy problem: labels are the argmax of X · T for a fixed random T [K, D]. */
function data(seed: number): { x: Float32Array; labels: Int32Array } {
  const rng = makeRng(seed);
  const t = Array.from({ length: K * D }, () => rng() * 2 - 1);
  const x = Float32Array.from({ length: N * D }, () => rng() * 2 - 1);
  const labels = Int32Array.from({ length: N }, (_, i) => {
    const scores = Array.from({ length: K }, (_, k) => t.slice(k * D, (k + 1) * D).reduce((s, w, j) => s + w * x[i * D + j]!, 0));
    return scores.indexOf(Math.max(...scores));
  });
  return { x, labels };
}

/** Feeds data and fresh parameters (small random weights, zero biases). */
async function feedAll(seed: number): Promise<void> {
  workspace.ResetWorkspace();
  const rng = makeRng(seed + 1);
  const { x, labels } = data(seed);
  await workspace.FeedBlob('X', x, { shape: [N, D] });
  await workspace.FeedBlob('label', labels);
  await workspace.FeedBlob('W1', Float32Array.from({ length: H * D }, () => (rng() * 2 - 1) * 0.5), { shape: [H, D] });
  await workspace.FeedBlob('b1', new Float32Array(H));
  await workspace.FeedBlob('W2', Float32Array.from({ length: K * H }, () => (rng() * 2 - 1) * 0.5), { shape: [K, H] });
  await workspace.FeedBlob('b2', new Float32Array(K));
  await workspace.FeedBlob('ONE', [1], { shape: [1] });
  await workspace.FeedBlob('LR', [-0.5], { shape: [1] });
}

/** The MNIST tutorial's head on a two-layer MLP; `fused` uses SoftmaxWithLoss instead of Softmax + LabelCrossEntropy + AveragedLoss. */
function buildTrain(name: string, fused: boolean): ReturnType<typeof core.Net> {
  const net = core.Net(name);
  const add = (type: string, i: string[], o: string[], args: Record<string, unknown> = {}) => net.Proto().op.push(core.CreateOperator(type, i, o, args));
  add('FC', ['X', 'W1', 'b1'], ['h']);
  add('Relu', ['h'], ['h']);
  add('FC', ['h', 'W2', 'b2'], ['logits']);
  if (fused) {
    add('SoftmaxWithLoss', ['logits', 'label'], ['softmax', 'loss']);
  } else {
    add('Softmax', ['logits'], ['softmax']);
    add('LabelCrossEntropy', ['softmax', 'label'], ['xent']);
    add('AveragedLoss', ['xent'], ['loss']);
  }
  add('Accuracy', ['softmax', 'label'], ['accuracy']);
  net.AddGradientOperators(['loss']);
  for (const p of ['W1', 'b1', 'W2', 'b2']) add('WeightedSum', [p, 'ONE', `${p}_grad`, 'LR'], [p]);
  return net;
}

describe('a small classifier with the MNIST tutorial\'s operators', () => {
  it('Softmax + LabelCrossEntropy + AveragedLoss and SoftmaxWithLoss give the same loss and parameter gradients', async () => {
    const results: number[][][] = [];
    for (const fused of [false, true]) {
      await feedAll(7);
      await workspace.RunNetOnce(buildTrain(`clf_once_${fused}`, fused));
      results.push((await workspace.FetchBlobs(['loss', 'W1_grad', 'b2_grad'])).map((t) => Array.from(t.data)));
    }
    const [split, fused] = results as [number[][], number[][]];
    split.forEach((values, k) => values.forEach((v, i) => expect(fused[k]![i]!).toBeCloseTo(v, 5)));
  });

  it.each([false, true])('trains (fused loss: %s): loss falls and accuracy reaches 0.9, in one dispatch when fusion is on', async (fused) => {
    await feedAll(11);
    const net = buildTrain(`clf_train_${fused}`, fused);
    await workspace.CreateNet(net);
    await workspace.RunNet(net.Name());
    const first = (await workspace.FetchBlob('loss')).data[0]!;
    const before = (await workspace.Stats()).dispatches;
    await workspace.RunNet(net.Name(), 300);
    // Every op here has a fusable form: the 300 iterations loop inside one kernel.
    if (fusionSettings().enabled) expect((await workspace.Stats()).dispatches - before).toBe(1);
    const last = (await workspace.FetchBlob('loss')).data[0]!;
    expect(last).toBeLessThan(first * 0.5);
    expect((await workspace.FetchBlob('accuracy')).data[0]).toBeGreaterThanOrEqual(0.9);
  });
});
