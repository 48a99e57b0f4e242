import { describe, expect, it } from 'vitest';
import { brew, model_helper, optimizer, workspace } from '../../src/index.js';
import { makeRng, useGpu } from '../helpers/gpu.js';

useGpu();

const N = 24;
const D = 5;
const H = 7;
const K = 3;

/** A separable problem: the label is the argmax of X · T for a fixed random T [K, D]. */
async function feedData(seed: number): Promise<{ x: Float32Array; labels: Int32Array }> {
  const rng = makeRng(seed);
  const t = Array.from({ length: K * D }, () => rng() * 2 - 1);
  const x = Float32Array.from({ length: N * D }, () => rng() * 2 - 1);
  const labels = Int32Array.from({ length: N }, (_, i) => {
    const s = Array.from({ length: K }, (_, k) => t.slice(k * D, (k + 1) * D).reduce((a, w, j) => a + w * x[i * D + j]!, 0));
    return s.indexOf(Math.max(...s));
  });
  await workspace.FeedBlob('data', x, { shape: [N, D] });
  await workspace.FeedBlob('label', labels);
  return { x, labels };
}

type Model = ReturnType<typeof model_helper.ModelHelper>;

/** The MLP the tutorials build with brew: fc → relu → fc → softmax, cross-entropy loss. */
function forward(model: Model): void {
  const h = brew.relu(model, brew.fc(model, 'data', 'fc1', D, H), 'h');
  const pred = brew.fc(model, h, 'pred', H, K);
  const softmax = brew.softmax(model, pred, 'softmax');
  brew.accuracy(model, [softmax, 'label'], 'accuracy');
  const xent = model.LabelCrossEntropy([softmax, 'label'], 'xent');
  model.AveragedLoss(xent, 'loss');
}

const configs: Array<[string, (m: Model) => void]> = [
  ['build_sgd', (m) => optimizer.build_sgd(m, 0.5, { policy: 'step', stepsize: 10, gamma: 0.99 })],
  ['build_sgd with momentum', (m) => optimizer.build_sgd(m, 0.1, { momentum: 0.9 })],
  ['build_adam', (m) => optimizer.build_adam(m, 0.05)],
  ['build_adagrad', (m) => optimizer.build_adagrad(m, 0.3)],
  [
    'add_weight_decay + build_sgd',
    (m) => {
      optimizer.add_weight_decay(m, 1e-3);
      optimizer.build_sgd(m, 0.5);
    },
  ],
];

describe('a brew-built MLP trains with each optimizer (SwiftShader)', () => {
  it.each(configs)('%s lowers the loss', async (name, addOptimizer) => {
    workspace.ResetWorkspace();
    await feedData(3);
    const model = model_helper.ModelHelper({ name: `mlp_${name.replace(/\W+/g, '_')}` });
    forward(model);
    model.AddGradientOperators(['loss']);
    addOptimizer(model);
    await workspace.RunNetOnce(model.param_init_net);
    await workspace.CreateNet(model.net);
    await workspace.RunNet(model.net.Name());
    const first = (await workspace.FetchBlob('loss')).data[0]!;
    await workspace.RunNet(model.net.Name(), 60);
    const last = (await workspace.FetchBlob('loss')).data[0]!;
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(first * 0.6);
    // The shared counter counted every run.
    expect((await workspace.FetchBlob('optimizer_iteration')).data[0]).toBe(61);
  });

  it('a test model with init_params false runs on the trained parameters already in the workspace', async () => {
    workspace.ResetWorkspace();
    const { x } = await feedData(5);
    const train = model_helper.ModelHelper({ name: 'mlp_train_for_test' });
    forward(train);
    train.AddGradientOperators(['loss']);
    optimizer.build_sgd(train, 0.5);
    await workspace.RunNetOnce(train.param_init_net);
    await workspace.CreateNet(train.net);
    await workspace.RunNet(train.net.Name(), 20);

    const test = model_helper.ModelHelper({ name: 'mlp_test', init_params: false });
    forward(test);
    expect(test.param_init_net.Proto().op).toHaveLength(0);
    await workspace.RunNetOnce(test.param_init_net);
    await workspace.RunNetOnce(test.net);
    const [w1, b1, w2, b2, softmax] = (await workspace.FetchBlobs(['fc1_w', 'fc1_b', 'pred_w', 'pred_b', 'softmax'])).map((t) => t.data);
    // float64 forward from the fetched parameters
    for (let i = 0; i < N; i++) {
      const h = Array.from({ length: H }, (_, j) => Math.max(0, b1![j]! + Array.from({ length: D }, (_, d) => w1![j * D + d]! * x[i * D + d]!).reduce((a, v) => a + v, 0)));
      const z = Array.from({ length: K }, (_, k) => b2![k]! + h.reduce((a, v, j) => a + v * w2![k * H + j]!, 0));
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const s = e.reduce((a, v) => a + v, 0);
      e.forEach((v, k) => expect(softmax![i * K + k]!).toBeCloseTo(v / s, 4));
    }
  });

  it('brew.iter makes an INT64 counter that model.LearningRate reads; each run counts once', async () => {
    workspace.ResetWorkspace();
    const model = model_helper.ModelHelper({ name: 'iter_lr' });
    const ITER = brew.iter(model, 'ITER');
    model.LearningRate(ITER, 'LR', { base_lr: -0.1, policy: 'step', stepsize: 1, gamma: 0.5 });
    await workspace.RunNetOnce(model.param_init_net);
    await workspace.CreateNet(model.net);
    await workspace.RunNet(model.net.Name(), 3);
    expect((await workspace.FetchBlob('ITER')).data[0]).toBe(3);
    expect((await workspace.FetchBlob('LR')).data[0]).toBeCloseTo(-0.1 * 0.5 ** 3, 6);
  });

  it('a small brew CNN (conv, spatial_bn, relu, max_pool, dropout, fc) trains with build_sgd', async () => {
    workspace.ResetWorkspace();
    const rng = makeRng(9);
    const n = 6;
    const img = Float32Array.from({ length: n * 1 * 6 * 6 }, () => rng() * 2 - 1);
    await workspace.FeedBlob('img', img, { shape: [n, 1, 6, 6] });
    await workspace.FeedBlob('label', Int32Array.from({ length: n }, (_, i) => i % 2));
    const model = model_helper.ModelHelper({ name: 'cnn_train', arg_scope: { order: 'NCHW' } });
    const conv = brew.conv(model, 'img', 'conv1', 1, 4, 3);
    const bn = brew.spatial_bn(model, conv, 'bn1', 4, { epsilon: 1e-5 });
    const relu = brew.relu(model, bn, bn);
    const pool = brew.max_pool(model, relu, 'pool1', { kernel: 2, stride: 2 });
    const drop = brew.dropout(model, pool, 'drop1', { ratio: 0.1 });
    const pred = brew.fc(model, drop, 'pred', 4 * 2 * 2, 2);
    const softmax = brew.softmax(model, pred, 'softmax');
    model.AveragedLoss(model.LabelCrossEntropy([softmax, 'label'], 'xent'), 'loss');
    model.AddGradientOperators(['loss']);
    expect(model.GetParams().map(String)).toEqual(['conv1_w', 'conv1_b', 'bn1_s', 'bn1_b', 'pred_w', 'pred_b']);
    expect([...model.param_to_grad.keys()]).toEqual(model.GetParams().map(String));
    optimizer.build_sgd(model, 0.2);
    await workspace.RunNetOnce(model.param_init_net);
    await workspace.CreateNet(model.net);
    await workspace.RunNet(model.net.Name());
    const first = (await workspace.FetchBlob('loss')).data[0]!;
    await workspace.RunNet(model.net.Name(), 40);
    const last = (await workspace.FetchBlob('loss')).data[0]!;
    expect(last).toBeLessThan(first * 0.7);
  });
});
