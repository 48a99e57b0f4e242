/**
 * lenet: one training step of the MNIST tutorial's LeNet (conv 20 → pool → conv 100 → pool → fc 500
 * → relu → fc 10 → softmax, cross-entropy, SGD with the "step" LR policy), built by the tutorial's
 * own code (src/models/mnist.ts), against tfjs-webgpu training the same model with tf.train.sgd on
 * the same adapter. Both start from the same parameters on the same batch (sparse images in
 * [0, 1), fed once), so their first losses must agree; ours runs NCHW, tfjs its NHWC.
 */
import { model_helper, workspace } from '../../src/index.js';
import { AddLeNetModel, AddTrainingOperators } from '../../src/models/mnist.js';
import type { Scalar, Tensor as TfTensor, Tensor4D, Variable } from '@tensorflow/tfjs-core';
import { closeCheck, makeRng, measure, speedRatio, type CaseEnv, type CaseResult, type Check, type Measurement, type Suite } from '../harness.js';
import { toHwio } from './conv.js';

const BASE_LR = 0.1;
const GAMMA = 0.999;
/** The two first losses differ only by fp32 rounding in different summation orders. */
const LOSS_TOL = 1e-3;

/** The lenet suite: the tutorial's batch 64 (batch 4 when quick, to keep CI short). */
export const lenetSuite: Suite = {
  name: 'lenet',
  description: 'the MNIST tutorial\'s LeNet training step, µs per iteration, against tfjs-webgpu (same start, same batch)',
  cases: (config) => [config.quick ? 4 : 64].map((batch) => ({ name: `batch ${batch}`, run: (env) => lenetCase(env, batch) })),
};

const PARAMS = ['conv1_w', 'conv1_b', 'conv2_w', 'conv2_b', 'fc3_w', 'fc3_b', 'pred_w', 'pred_b'] as const;

async function lenetCase(env: CaseEnv, batch: number): Promise<CaseResult> {
  workspace.ResetWorkspace();
  workspace.SetSeed(batch);
  // Sparse like MNIST's digits (mostly background): dense noise at the tutorial's LR diverges.
  const rng = makeRng(batch + 1);
  const images = Float32Array.from({ length: batch * 28 * 28 }, () => (rng() < 0.2 ? rng() : 0));
  const labels = Int32Array.from({ length: batch }, () => Math.floor(rng() * 10));
  await workspace.FeedBlob('data', images, { shape: [batch, 1, 28, 28] });
  await workspace.FeedBlob('label', labels);
  const model = model_helper.ModelHelper({ name: 'lenet_bench', arg_scope: { order: 'NCHW' } });
  // As the tutorial's AddInput: no gradient flows into the images (tfjs differentiates only the variables).
  const data = model.StopGradient('data', 'data');
  const softmax = AddLeNetModel(model, data);
  AddTrainingOperators(model, softmax, 'label', { base_lr: -BASE_LR, stepsize: 1, gamma: GAMMA });
  await workspace.RunNetOnce(model.param_init_net);
  const start = await workspace.FetchBlobs([...PARAMS]);
  await workspace.CreateNet(model.net);
  const name = model.net.Name();

  await workspace.RunNet(name, 1);
  const firstLoss = (await workspace.FetchBlob('loss')).data[0]!;
  const s1 = await workspace.Stats();
  let calls = 0;
  env.note('ours RunNet(n)');
  const ours = await measure(env.config, {
    impl: 'ours RunNet(n)',
    role: 'ours',
    unit: 'µs',
    async run(k) {
      await workspace.RunNet(name, k);
      calls++;
      await workspace.Sync();
    },
  });
  const s2 = await workspace.Stats();
  const lastLoss = (await workspace.FetchBlob('loss')).data[0]!;
  const checks: Check[] = [
    {
      name: 'ours: one submit per RunNet(n) call, no buffer growth while timing',
      passed: s2.submits - s1.submits === calls && s2.liveBuffers === s1.liveBuffers && s2.createdBuffers === s1.createdBuffers,
      detail: `${calls} calls, ${s2.submits - s1.submits} submits; live buffers ${s1.liveBuffers} → ${s2.liveBuffers}, created ${s1.createdBuffers} → ${s2.createdBuffers}`,
    },
    { name: 'ours: the timed steps lower the loss on the batch', passed: lastLoss < firstLoss, detail: `loss ${firstLoss.toFixed(4)} → ${lastLoss.toFixed(4)}` },
  ];
  env.note('tfjs sgd.minimize');
  const peer = await tfjsLenet(env, batch, images, labels, start.map((t) => t.data as Float32Array), firstLoss);
  checks.push(...peer.checks);
  return {
    suite: 'lenet',
    case: `batch ${batch}`,
    params: { batch, dispatchesPerStep: +((s2.dispatches - s1.dispatches) / Math.max(1, s2.iterations - s1.iterations)).toPrecision(3) },
    measurements: [ours, peer.measurement],
    ratios: [speedRatio(ours, peer.measurement)],
    checks,
  };
}

/** FC weights [out, in] as a [in, out] matrix; `nchw` permutes in = (c, h·w) into NHWC's (h·w, c). */
function toMatmul(w: Float32Array, out: number, inp: number, nchw?: { c: number; hw: number }): Float32Array {
  const r = new Float32Array(w.length);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inp; i++) {
      const j = nchw ? (i % nchw.hw) * nchw.c + Math.floor(i / nchw.hw) : i;
      r[j * out + o] = w[o * inp + i]!;
    }
  }
  return r;
}

/** The same model and step in tfjs, from our initial parameters. */
async function tfjsLenet(env: CaseEnv, batch: number, images: Float32Array, labels: Int32Array, p: Float32Array[], ourFirstLoss: number): Promise<{ measurement: Measurement; checks: Check[] }> {
  const { tf } = env.peer;
  const x = tf.tensor4d(images, [batch, 28, 28, 1]); // one channel: NCHW and NHWC agree
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  const w1 = tf.variable(tf.tensor4d(toHwio(p[0]!, 20, 1, 5), [5, 5, 1, 20]));
  const b1 = tf.variable(tf.tensor1d(p[1]!));
  const w2 = tf.variable(tf.tensor4d(toHwio(p[2]!, 100, 20, 5), [5, 5, 20, 100]));
  const b2 = tf.variable(tf.tensor1d(p[3]!));
  const w3 = tf.variable(tf.tensor2d(toMatmul(p[4]!, 500, 1600, { c: 100, hw: 16 }), [1600, 500]));
  const b3 = tf.variable(tf.tensor1d(p[5]!));
  const w4 = tf.variable(tf.tensor2d(toMatmul(p[6]!, 10, 500), [500, 10]));
  const b4 = tf.variable(tf.tensor1d(p[7]!));
  const vars: Variable[] = [w1, b1, w2, b2, w3, b3, w4, b4];
  const loss = (): Scalar => {
    const p1 = tf.maxPool(tf.add<Tensor4D>(tf.conv2d(x, w1, 1, 'valid'), b1), 2, 2, 'valid');
    const p2 = tf.maxPool(tf.add<Tensor4D>(tf.conv2d(p1, w2, 1, 'valid'), b2), 2, 2, 'valid');
    const h = tf.relu(tf.add(tf.matMul(tf.reshape(p2, [batch, 1600]), w3), b3));
    const logits = tf.add(tf.matMul(h, w4), b4);
    return tf.mean<Scalar>(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1)));
  };
  const opt = tf.train.sgd(BASE_LR);
  let iter = 0;
  // Caffe2's Iter runs before LearningRate: step i (from 0) uses iter i + 1.
  const step = (keep: boolean): TfTensor | null => {
    iter++;
    opt.setLearningRate(BASE_LR * GAMMA ** iter);
    return opt.minimize(loss, keep, vars);
  };
  const first = step(true)!;
  const firstLoss = (await first.data())[0]!;
  first.dispose();
  const tensorsBefore = tf.memory().numTensors;
  try {
    const measurement = await measure(env.config, {
      impl: 'tfjs sgd.minimize',
      role: 'tfjs',
      unit: 'µs',
      async run(k) {
        for (let i = 0; i < k; i++) step(false);
        await env.peer.sync();
      },
    });
    const tensorsAfter = tf.memory().numTensors;
    const last = tf.tidy(loss);
    const lastLoss = (await last.data())[0]!;
    last.dispose();
    return {
      measurement,
      checks: [
        closeCheck('tfjs and ours: the same first loss from the same parameters and batch', Math.abs(firstLoss - ourFirstLoss), Math.abs(ourFirstLoss), LOSS_TOL),
        { name: 'tfjs: the step leaks no tensors', passed: tensorsAfter === tensorsBefore, detail: `${tensorsBefore} tensors before timing, ${tensorsAfter} after` },
        { name: 'tfjs: the timed steps lower the loss on the batch', passed: lastLoss < firstLoss, detail: `loss ${firstLoss.toFixed(4)} → ${lastLoss.toFixed(4)}` },
      ],
    };
  } finally {
    for (const t of [x, y, ...vars]) t.dispose();
    opt.dispose();
  }
}
