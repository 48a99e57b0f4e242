/**
 * toy: the tutorial's training step (two FCs, Add, SquaredL2Distance, AveragedLoss, their gradients,
 * Iter, LearningRate, two WeightedSums; fresh Gaussian X and noise each step), timed as one
 * RunNet(name, n) and as n calls of RunNet(name, 1), against tfjs-webgpu doing the same step with
 * tf.train.sgd and minimize.
 */
import { workspace } from '../../src/index.js';
import { buildToyRegression } from '../../src/models/toy_regression.js';
import { measure, speedRatio, type CaseEnv, type CaseResult, type Check, type Measurement, type Suite } from '../harness.js';

const W_TRUE = [2.0, 1.5] as const;
const B_TRUE = 0.5;
const BASE_LR = 0.1;
const STEPSIZE = 20;
const GAMMA = 0.9;
/** After a few hundred steps SGD sits within a few hundredths of the truth; a broken step does not. */
const TRAINED_TOL = 0.2;
const TRAINED_STEPS = 200;

/** The toy suite: batch 64 and 1024 when quick. */
export const toySuite: Suite = {
  name: 'toy',
  description: 'the tutorial training step, µs per iteration',
  cases: (config) => (config.quick ? [64, 1024] : [64, 1024, 65536]).map((batch) => ({ name: `batch ${batch}`, run: (env) => toyCase(env, batch) })),
};

/** Largest distance of (W, B) from the ground truth. */
function paramError(w: ArrayLike<number>, b: ArrayLike<number>): number {
  return Math.max(Math.abs(w[0]! - W_TRUE[0]), Math.abs(w[1]! - W_TRUE[1]), Math.abs(b[0]! - B_TRUE));
}

/**
 * The timed steps trained the model: (W, B) moved toward the truth, and after enough steps (the
 * full run; a quick run takes a handful) sit near it.
 */
function trainedCheck(who: string, steps: number, errBefore: number, w: ArrayLike<number>, b: ArrayLike<number>): Check {
  const err = paramError(w, b);
  const near = steps < TRAINED_STEPS || err <= TRAINED_TOL;
  return {
    name: `${who}: the timed steps train W, B toward the ground truth`,
    passed: err < errBefore && near,
    detail:
      `after ${steps} steps W = [${w[0]!.toFixed(4)}, ${w[1]!.toFixed(4)}], B = ${b[0]!.toFixed(4)}; max |error| ${errBefore.toFixed(4)} → ${err.toFixed(4)}` +
      (steps >= TRAINED_STEPS ? ` (tolerance ${TRAINED_TOL} after ≥ ${TRAINED_STEPS} steps)` : ''),
  };
}

async function toyCase(env: CaseEnv, batch: number): Promise<CaseResult> {
  workspace.ResetWorkspace();
  workspace.SetSeed(batch);
  const { init, train } = buildToyRegression({ batch, baseLr: -BASE_LR, stepsize: STEPSIZE, gamma: GAMMA, wTrue: [...W_TRUE], bTrue: B_TRUE });
  await workspace.RunNetOnce(init);
  await workspace.CreateNet(train);
  const name = train.Name();
  const [w0, b0] = await workspace.FetchBlobs(['W', 'B']);
  const errBefore = paramError(w0!.data, b0!.data);

  // Dispatches of RunNet(name, k) are perCall + perStep·k: a net fused whole loops inside one
  // dispatch per call (perStep 0); unfused, every step encodes every dispatch (perCall 0).
  const s0 = await workspace.Stats();
  await workspace.RunNet(name, 1);
  const sOne = await workspace.Stats();
  await workspace.RunNet(name, 2);
  await workspace.Sync();
  const s1 = await workspace.Stats();
  const dispatchesOneStep = sOne.dispatches - s0.dispatches;
  const perStep = s1.dispatches - sOne.dispatches - dispatchesOneStep;
  const perCall = dispatchesOneStep - perStep;

  let calls = 0;
  let steps = 0;
  env.note('ours RunNet(n)');
  const batched = await measure(env.config, {
    impl: 'ours RunNet(n)',
    role: 'ours',
    unit: 'µs',
    async run(k) {
      await workspace.RunNet(name, k);
      calls++;
      steps += k;
      await workspace.Sync();
    },
  });
  const s2 = await workspace.Stats();
  const dispatchesPerStep = (s2.dispatches - s1.dispatches) / steps;
  env.note('ours n × RunNet(1)');
  const single = await measure(env.config, {
    impl: 'ours n × RunNet(1)',
    role: 'ours',
    unit: 'µs',
    async run(k) {
      for (let i = 0; i < k; i++) await workspace.RunNet(name, 1);
      await workspace.Sync();
    },
  });
  const [w, b, iters] = await workspace.FetchBlobs(['W', 'B', 'ITER']);
  const checks: Check[] = [
    {
      name: 'ours: one submit per RunNet(n) call, the whole step replayed n times',
      // A fused net loops inside its dispatch (long runs in a few chunks of bounded work): never more
      // dispatches than running each step alone.
      passed:
        s2.submits - s1.submits === calls &&
        s2.dispatches - s1.dispatches <= steps * dispatchesOneStep &&
        s2.dispatches - s1.dispatches >= calls * perCall + steps * perStep &&
        s2.iterations - s1.iterations === steps,
      detail:
        `${calls} calls, ${steps} steps: ${s2.submits - s1.submits} submits, ${s2.dispatches - s1.dispatches} dispatches ` +
        `(${perCall} per call + ${perStep} per step; ${dispatchesOneStep} for RunNet(1))`,
    },
    {
      name: 'ours: no buffer growth while timing',
      passed: s2.liveBuffers === s1.liveBuffers && s2.createdBuffers === s1.createdBuffers,
      detail: `live buffers ${s1.liveBuffers} → ${s2.liveBuffers}, created ${s1.createdBuffers} → ${s2.createdBuffers}`,
    },
    trainedCheck('ours', iters!.data[0]!, errBefore, w!.data, b!.data),
  ];

  env.note('tfjs sgd.minimize');
  const peer = await tfjsToy(env, batch);
  checks.push(...peer.checks);
  return {
    suite: 'toy',
    case: `batch ${batch}`,
    params: { batch, dispatchesPerStep: +dispatchesPerStep.toPrecision(3), dispatchesOneStep },
    measurements: [
      { ...batched, note: `${+dispatchesPerStep.toPrecision(3)} dispatches/step` },
      { ...single, note: `${dispatchesOneStep} dispatches/step` },
      peer.measurement,
    ],
    ratios: [speedRatio(batched, peer.measurement), speedRatio(single, peer.measurement)],
    checks,
  };
}

/** The same step in tfjs: the tutorial's model, loss and "step" learning-rate policy. */
async function tfjsToy(env: CaseEnv, batch: number): Promise<{ measurement: Measurement; checks: Check[] }> {
  const { tf } = env.peer;
  const wGt = tf.tensor2d([[...W_TRUE]]);
  const bGt = tf.tensor1d([B_TRUE]);
  // tidy frees the initial values; the variables themselves outlive it.
  const W = tf.tidy(() => tf.variable(tf.randomUniform([1, 2], -1, 1, 'float32', batch)));
  const B = tf.tidy(() => tf.variable(tf.zeros([1])));
  const opt = tf.train.sgd(BASE_LR);
  let iter = 0;
  let lr = BASE_LR;
  const step = (): void => {
    // Caffe2's Iter runs before LearningRate, so step i (from 0) uses iter i + 1.
    iter++;
    const next = BASE_LR * GAMMA ** Math.floor(iter / STEPSIZE);
    if (next !== lr) opt.setLearningRate((lr = next));
    tf.tidy(() => {
      opt.minimize(
        () => {
          const X = tf.randomNormal([batch, 2]);
          const noise = tf.randomNormal([batch, 1]);
          const yNoise = tf.add(tf.add(tf.matMul(X, wGt, false, true), bGt), noise);
          const yPred = tf.add(tf.matMul(X, W, false, true), B);
          return tf.mean(tf.mul(0.5, tf.sum(tf.squaredDifference(yNoise, yPred), 1)));
        },
        false,
        [W, B],
      );
    });
  };
  const errBefore = paramError(await W.data(), await B.data());
  const tensorsBefore = tf.memory().numTensors;
  try {
    const measurement = await measure(env.config, {
      impl: 'tfjs sgd.minimize',
      role: 'tfjs',
      unit: 'µs',
      async run(k) {
        for (let i = 0; i < k; i++) step();
        await env.peer.sync();
      },
    });
    const tensorsAfter = tf.memory().numTensors;
    const checks: Check[] = [
      {
        name: 'tfjs: the step leaks no tensors',
        passed: tensorsAfter === tensorsBefore,
        detail: `${tensorsBefore} tensors before timing, ${tensorsAfter} after`,
      },
      trainedCheck('tfjs', iter, errBefore, await W.data(), await B.data()),
    ];
    return { measurement, checks };
  } finally {
    for (const t of [wGt, bGt, W, B]) t.dispose();
    opt.dispose();
  }
}
