/**
 * The fusion pass: nets of fusable ops give the same blobs fused and unfused (every intermediate,
 * gradient, ITER, LR and the RNG state), in the dispatch counts the design promises.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { core, workspace, DataType } from '../../src/index.js';
import { configureFusion } from '../../src/runtime/fusion.js';
import type { Net } from '../../src/builder/net.js';
import { makeRng, useGpu } from '../helpers/gpu.js';

useGpu();

afterEach(() => configureFusion({ enabled: true, lanes: undefined }));

interface Built {
  init: Net;
  train: Net;
}

/**
 * A random small training net: FC, then a random chain of Add/Sub/Mul/Scale (some broadcasting a
 * bias row), SquaredL2Distance against a label, AveragedLoss; gradients; Iter, LearningRate and a
 * WeightedSum update per parameter. `unfusable` puts an op without a fusable form in the middle.
 */
function randomNet(seed: number, batch: number, k: number, unfusable = false): Built {
  const rng = makeRng(seed);
  const init = core.Net(`fz_init_${seed}_${batch}`);
  init.UniformFill([], 'fz_W', { shape: [3, k], min: -1, max: 1 });
  init.ConstantFill([], 'fz_b', { shape: [3], value: 0.1 });
  init.GaussianFill([], 'fz_bias', { shape: [3], mean: 0, std: 1 });
  init.ConstantFill([], 'fz_ONE', { shape: [1], value: 1 });
  init.ConstantFill([], 'fz_ITER', { shape: [1], value: 0, dtype: DataType.INT32 });

  const train = core.Net(`fz_train_${seed}_${batch}`);
  train.GaussianFill([], 'fz_X', { shape: [batch, k], mean: 0, std: 1 });
  train.UniformFill([], 'fz_label', { shape: [batch, 3], min: -1, max: 1 });
  let h = train.FC(['fz_X', 'fz_W', 'fz_b'], 'fz_h0');
  const steps = 2 + Math.floor(rng() * 3);
  for (let s = 0; s < steps; s++) {
    const next = `fz_h${s + 1}`;
    const pick = Math.floor(rng() * 4);
    if (pick === 0) h = train.Add([h, 'fz_bias'], next);
    else if (pick === 1) h = train.Mul([h, h], next);
    else if (pick === 2) h = train.Sub([h, 'fz_bias'], next);
    else h = train.Scale([h], next, { scale: 0.5 + rng() });
    // XavierFill declares no fusable form: it splits the iteration into fused segments around it.
    if (unfusable && s === 0) h = train.Add([h, train.XavierFill([], 'fz_xavier', { shape: [batch, 3] })], 'fz_mixed');
  }
  const dist = train.SquaredL2Distance([h, 'fz_label'], 'fz_dist');
  const loss = train.AveragedLoss([dist], 'fz_loss');
  const grads = train.AddGradientOperators([loss]);
  train.Iter(['fz_ITER'], 'fz_ITER');
  train.LearningRate(['fz_ITER'], 'fz_LR', { base_lr: -0.05, policy: 'step', stepsize: 2, gamma: 0.5 });
  train.WeightedSum(['fz_W', 'fz_ONE', grads.get('fz_W')!, 'fz_LR'], 'fz_W');
  train.WeightedSum(['fz_b', 'fz_ONE', grads.get('fz_b')!, 'fz_LR'], 'fz_b');
  return { init, train };
}

interface RunResult {
  blobs: Map<string, Float32Array | Int32Array>;
  rng: Uint32Array;
  /** Dispatches of RunNet(train, 1) then of RunNet(train, iters - 1). */
  dispatches: [number, number];
}

async function runBoth(net: Built, iters: number, fusion: boolean, lanes?: number): Promise<RunResult> {
  configureFusion({ enabled: fusion, lanes });
  workspace.ResetWorkspace();
  workspace.SetSeed(1234);
  await workspace.RunNetOnce(net.init);
  await workspace.CreateNet(net.train);
  const s0 = await workspace.Stats();
  await workspace.RunNet(net.train.Name(), 1);
  const s1 = await workspace.Stats();
  await workspace.RunNet(net.train.Name(), iters - 1);
  const s2 = await workspace.Stats();
  const blobs = new Map<string, Float32Array | Int32Array>();
  for (const name of workspace.Blobs()) blobs.set(name, (await workspace.FetchBlob(name)).data);
  return { blobs, rng: await workspace.GetRngState(), dispatches: [s1.dispatches - s0.dispatches, s2.dispatches - s1.dispatches] };
}

/** Every blob of `b` equals `a`'s up to float reassociation (relative to the blob's scale). */
function expectSameBlobs(a: RunResult, b: RunResult): void {
  expect([...b.blobs.keys()]).toEqual([...a.blobs.keys()]);
  for (const [name, x] of a.blobs) {
    const y = b.blobs.get(name)!;
    const scale = Math.max(1, ...Array.from(x, Math.abs));
    let worst = 0;
    x.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - y[i]!))));
    expect(worst / scale, `blob ${name}`).toBeLessThan(2e-5);
  }
  expect(Array.from(b.rng)).toEqual(Array.from(a.rng));
}

describe('fusion', () => {
  for (const [batch, k] of [
    [1, 2],
    [63, 3],
    [64, 2],
    [65, 5],
    [4096, 2],
  ] as const) {
    it(`random net at batch ${batch}: fused equals unfused, blob by blob; the whole iteration is one dispatch`, async () => {
      const net = randomNet(batch * 7 + k, batch, k);
      const plain = await runBoth(net, 4, false);
      const fused = await runBoth(net, 4, true);
      expectSameBlobs(plain, fused);
      expect(plain.dispatches[0]).toBeGreaterThan(10);
      expect(fused.dispatches).toEqual([1, 1]);
    });
  }

  for (const lanes of [1, 64]) {
    it(`${lanes} lane(s) instead of the adapter's default (${lanes === 1 ? 'no barriers' : 'the GPU form: tree reductions'}) give the same blobs`, async () => {
      const net = randomNet(99 + lanes, 65, 3);
      const plain = await runBoth(net, 3, false);
      const other = await runBoth(net, 3, true, lanes);
      expectSameBlobs(plain, other);
      expect(other.dispatches).toEqual([1, 1]);
    });
  }

  it('the tutorial net: one dispatch per RunNet(n) and the same W, B, ITER, LR and RNG state', async () => {
    const { buildToyRegression } = await import('../../src/models/toy_regression.js');
    const net = buildToyRegression({ batch: 64 });
    const plain = await runBoth(net, 25, false);
    const fused = await runBoth(net, 25, true);
    expectSameBlobs(plain, fused);
    expect(fused.dispatches).toEqual([1, 1]);
  });

  it('a net mixing fusable and unfusable ops: fused segments around the others, same blobs', async () => {
    const net = randomNet(5, 33, 4, true);
    const plain = await runBoth(net, 3, false);
    const fused = await runBoth(net, 3, true);
    expectSameBlobs(plain, fused);
    // Two fused segments and the fill: three dispatches per iteration.
    expect(fused.dispatches).toEqual([3, 6]);
  });

  it('RunNetWithHistory records the same per-iteration values fused and unfused', async () => {
    const net = randomNet(11, 17, 2);
    const history = async (fusion: boolean): Promise<Record<string, Float32Array | Int32Array>> => {
      configureFusion({ enabled: fusion });
      workspace.ResetWorkspace();
      workspace.SetSeed(77);
      await workspace.RunNetOnce(net.init);
      await workspace.CreateNet(net.train);
      const h = await workspace.RunNetWithHistory(net.train.Name(), 5, ['fz_loss', 'fz_W', 'fz_ITER', 'fz_LR']);
      return Object.fromEntries(Object.entries(h).map(([k, t]) => [k, t.data]));
    };
    const plain = await history(false);
    const fused = await history(true);
    for (const name of Object.keys(plain)) {
      const a = plain[name]!;
      const b = fused[name]!;
      a.forEach((v, i) => expect(Math.abs(v - b[i]!), `${name}[${i}]`).toBeLessThan(1e-5 * Math.max(1, Math.abs(v))));
    }
  });

  it('Init({ fusion: false }) turns it off for nets created afterwards', async () => {
    await workspace.Init({ fusion: false });
    const net = randomNet(3, 8, 2);
    workspace.ResetWorkspace();
    await workspace.RunNetOnce(net.init);
    await workspace.CreateNet(net.train);
    const s0 = await workspace.Stats();
    await workspace.RunNet(net.train.Name(), 2);
    const s1 = await workspace.Stats();
    expect(s1.dispatches - s0.dispatches).toBeGreaterThan(20);
    expect(s1.iterations - s0.iterations).toBe(2);
    await workspace.Init({ fusion: true });
  });
});
