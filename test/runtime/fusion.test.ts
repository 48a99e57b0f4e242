/**
 * The fusion pass: nets of fusable ops give the same blobs fused and unfused (every intermediate,
 * gradient, ITER, LR and the RNG state), in the dispatch counts the design promises.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { core, workspace, DataType } from '../../src/index.js';
import { configureFusion, planFusion, type FusionOp } from '../../src/runtime/fusion.js';
import type { Net } from '../../src/builder/net.js';
import { fusedAndUnfused, makeRng, randomIntTensor, randomTensor, useGpu } from '../helpers/gpu.js';

useGpu();

afterEach(() => configureFusion({ enabled: true, lanes: undefined, loopWork: undefined, workgroupWork: undefined, subgroups: undefined }));

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

async function runBoth(net: Built, iters: number, fusion: boolean, lanes?: number, workgroupWork?: number): Promise<RunResult> {
  configureFusion({ enabled: fusion, lanes, workgroupWork });
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

  for (const [batch, k] of [
    [4096, 3],
    [9000, 2],
  ] as const) {
    it(`random net at batch ${batch} over one workgroup's budget: grid dispatches split where the grid must sync, same blobs`, async () => {
      const net = randomNet(batch + k, batch, k);
      const plain = await runBoth(net, 3, false);
      // A budget below the iteration's work, as a GPU's is at these sizes (SwiftShader's is larger).
      const grid = await runBoth(net, 3, true, undefined, 1000);
      expectSameBlobs(plain, grid);
      const [one, two] = grid.dispatches;
      // Split only where the grid must sync (after the fills, FC, the loss and gradient reductions):
      // fewer than half the unfused dispatches, the same number every iteration.
      expect(one).toBeGreaterThan(2);
      expect(one).toBeLessThan(plain.dispatches[0] / 2);
      expect(two).toBe(2 * one);
    });
  }

  it('the tutorial net at batch 16384 with a GPU\'s 256 lanes runs as a grid in 4 dispatches, same W, B, ITER, LR and RNG state', async () => {
    const { buildToyRegression } = await import('../../src/models/toy_regression.js');
    const net = buildToyRegression({ batch: 16384 });
    const plain = await runBoth(net, 5, false);
    // Over 256 lanes' budget by the default rule: fills | FC, loss gradient maps, LR | loss and
    // weight-gradient reductions | updates.
    const grid = await runBoth(net, 5, true, 256);
    expectSameBlobs(plain, grid);
    expect(grid.dispatches).toEqual([4, 16]);
    expect(plain.dispatches[0]).toBeGreaterThan(15);
  });

  it('subgroup sums (where the adapter offers them) give the same blobs as tree reductions, in one workgroup and over a grid', async (ctx) => {
    // SwiftShader offers 'subgroups'; an adapter without them has nothing to compare here.
    if (!(await workspace.Adapter()).features.includes('subgroups')) ctx.skip();
    const net = randomNet(321, 700, 3);
    const plain = await runBoth(net, 3, false);
    for (const subgroups of [true, false]) {
      configureFusion({ subgroups });
      // 64 lanes in one workgroup (cooperative reductions of the few bias and loss outputs), then a grid.
      expectSameBlobs(plain, await runBoth(net, 3, true, 64));
      expectSameBlobs(plain, await runBoth(net, 3, true, 64, 1000));
    }
  });

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

  it('every other fusable form (Div, Sub, Mul with broadcasts and their gradients, sums, copies, ints, counters) agrees with its kernels', async () => {
    const r = makeRng(42);
    const op = core.CreateOperator;
    const ops = [
      op('Div', ['fo_a', 'fo_row'], ['fo_q'], { broadcast: 1 }),
      op('DivGradient', ['fo_dq', 'fo_a', 'fo_row', 'fo_q'], ['fo_da', 'fo_drow'], { broadcast: 1 }),
      op('Mul', ['fo_a', 'fo_col'], ['fo_p'], { broadcast: 1, axis: 0 }),
      op('MulGradient', ['fo_dq', 'fo_a', 'fo_col'], ['fo_dma', 'fo_dcol'], { broadcast: 1, axis: 0 }),
      op('Sub', ['fo_a', 'fo_one_row'], ['fo_s']),
      op('SubGradient', ['fo_dq', 'fo_a', 'fo_one_row'], ['fo_dsa', 'fo_dsr']),
      op('SumElements', ['fo_a'], ['fo_se']),
      op('SumElementsGradient', ['fo_a', 'fo_se'], ['fo_dse'], { average: 1 }),
      op('Sum', ['fo_a', 'fo_q', 'fo_p'], ['fo_sum3']),
      op('Copy', ['fo_sum3'], ['fo_cp']),
      op('StopGradient', ['fo_cp'], ['fo_cp']),
      op('Scale', ['fo_cp'], ['fo_cp'], { scale: 0.3 }),
      op('WeightedSum', ['fo_a', 'fo_w1', 'fo_q', 'fo_w2', 'fo_p', 'fo_w1'], ['fo_ws']),
      op('Add', ['fo_i1', 'fo_i2'], ['fo_isum']),
      op('Div', ['fo_i1', 'fo_i2'], ['fo_idiv']),
      op('Mul', ['fo_i1', 'fo_i2'], ['fo_imul']),
      op('ConstantFill', [], ['fo_cint'], { shape: [3], value: 7, dtype: DataType.INT32 }),
      op('AtomicIter', ['fo_mutex', 'fo_it'], ['fo_it']),
    ];
    const feeds = {
      fo_a: randomTensor(r, [5, 6]),
      fo_dq: randomTensor(r, [5, 6]),
      fo_row: randomTensor(r, [6], 0.5, 1.5),
      fo_col: randomTensor(r, [5]),
      fo_one_row: randomTensor(r, [1, 6]),
      fo_w1: randomTensor(r, [1]),
      fo_w2: randomTensor(r, [1]),
      fo_i1: { ...randomIntTensor(r, [7], -50, 50), dtype: 'int32' as const },
      fo_i2: { shape: [7], data: Float64Array.from([3, -2, 0, 5, -7, 1, 0]), dtype: 'int32' as const },
      fo_mutex: { shape: [1], data: Float64Array.of(0), dtype: 'int32' as const },
      fo_it: { shape: [1], data: Float64Array.of(4), dtype: 'int32' as const },
    };
    const names = [...new Set(ops.flatMap((o) => o.output))];
    const { fused, unfused, dispatches } = await fusedAndUnfused(ops, feeds, names);
    expect(dispatches[0]).toBe(1);
    expect(dispatches[1]).toBeGreaterThan(ops.length);
    fused.forEach((t, i) => {
      const u = unfused[i]!;
      expect(t.shape, names[i]).toEqual(u.shape);
      t.data.forEach((v, j) => expect(Math.abs(v - u.data[j]!), `${names[i]}[${j}]`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(u.data[j]!))));
    });
  });

  it('LearningRate policies give the same schedule fused as their kernel, iteration by iteration', async () => {
    const policies: Array<Record<string, unknown>> = [
      { policy: 'exp', base_lr: 0.5, gamma: 0.99 },
      { policy: 'inv', base_lr: 0.3, gamma: 0.01, power: 0.75 },
      { policy: 'poly', base_lr: 0.2, power: 2, max_iter: 40 },
      { policy: 'alter', base_lr: 1, active_period: 3, inactive_period: 2 },
      { policy: 'hill', base_lr: 0.5, num_iter: 10, start_multiplier: 0.1, gamma: 0.5, power: 0.5, end_multiplier: 0.2 },
      { policy: 'cyclical', base_lr: 0.01, max_lr: 0.05, stepsize: 4, decay: 0.9 },
      { policy: 'cosine', base_lr: 1, period: 10, t_mult: 2 },
      { policy: 'compositeCosine', base_lr: 1, start_warmup_multiplier: 0.2, constant_warmup_num_iter: 3, linear_warmup_num_iter: 4, cosine_max_lr: 0.6, cosine_min_lr: 0.05, cosine_period: 5, cosine_t_mult: 1.5, cosine_lr_shrink: 0.8 },
    ];
    const schedule = async (fusion: boolean): Promise<Record<string, Float32Array | Int32Array>> => {
      configureFusion({ enabled: fusion });
      workspace.ResetWorkspace();
      await workspace.FeedBlob('lr_it', [0], { dtype: 'int32' });
      const net = core.Net('fz_lr');
      net.Iter(['lr_it'], 'lr_it');
      policies.forEach((args, k) => net.LearningRate(['lr_it'], `lr_${k}`, args));
      await workspace.CreateNet(net);
      const s0 = await workspace.Stats();
      const h = await workspace.RunNetWithHistory(net.Name(), 40, policies.map((_, k) => `lr_${k}`));
      if (fusion) expect((await workspace.Stats()).dispatches - s0.dispatches).toBe(40 * (1 + policies.length + 1));
      return Object.fromEntries(Object.entries(h).map(([k, t]) => [k, t.data]));
    };
    const plain = await schedule(false);
    const fused = await schedule(true);
    for (const [name, a] of Object.entries(plain)) {
      // A few ulps: with the policy's arguments as constants the compiler may, e.g., divide by a reciprocal.
      a.forEach((v, i) => expect(Math.abs(v - fused[name]![i]!), `${name} at iteration ${i + 1}`).toBeLessThanOrEqual(4e-6 * Math.max(1e-3, Math.abs(v))));
    }
  });

  it('a long RunNet is split into dispatches of bounded work, with the same result', async () => {
    configureFusion({ loopWork: 6 * 1000 });
    workspace.ResetWorkspace();
    await workspace.FeedBlob('lw_x', new Float32Array(1000).fill(0.5), [1000]);
    await workspace.FeedBlob('lw_one', [1]);
    const net = core.Net('fz_loop_work');
    net.Add(['lw_x', 'lw_one'], 'lw_x');
    net.Scale(['lw_x'], 'lw_y', { scale: 2 });
    await workspace.CreateNet(net);
    configureFusion({ loopWork: undefined });
    const s0 = await workspace.Stats();
    await workspace.RunNet(net.Name(), 7);
    const s1 = await workspace.Stats();
    // 2,000 work per iteration and 6,000 per dispatch: chunks of 3, 3 and 1.
    expect([s1.dispatches - s0.dispatches, s1.submits - s0.submits]).toEqual([3, 1]);
    expect(Array.from((await workspace.FetchBlob('lw_y')).data.slice(0, 3))).toEqual([15, 15, 15]);
    await workspace.RunNet(net.Name(), 2);
    expect((await workspace.Stats()).dispatches - s1.dispatches).toBe(1);
    expect((await workspace.FetchBlob('lw_x')).data[999]).toBe(9.5);
  });

  it('leaves unfused a segment whose arena would exceed what one binding may see', () => {
    const blob = (words: number) => ({ key: { buffer: {} as GPUBuffer }, words });
    const [x, y, z] = [blob(100), blob(100), blob(100)];
    const map = { class: 'map' as const, items: 100, body: 'stu(out0 + i, ldu(in0 + i));' };
    const ops: FusionOp[] = [
      { where: 'Copy (op #0)', inputs: [x], outputs: [y], runOnce: false, random: false, fused: [map] },
      { where: 'Copy (op #1)', inputs: [y], outputs: [z], runOnce: false, random: false, fused: [map] },
    ];
    const fusedPieces = (maxBytes: number) => planFusion(ops, 4, maxBytes).filter((p) => p.kind === 'fused');
    // The arena holds x, y, z (300 words) and the RNG state (4).
    expect(fusedPieces(304 * 4)).toHaveLength(1);
    expect(fusedPieces(304 * 4 - 4)).toHaveLength(0);
  });

  it('chooses one workgroup or a grid by the iteration\'s work and the adapter, and splits the grid where it must sync', () => {
    const blob = (words: number) => ({ key: { buffer: {} as GPUBuffer }, words });
    const chain = (n: number): FusionOp[] => {
      const [x, y, z, s, w] = [blob(n), blob(n), blob(n), blob(1), blob(n)];
      const map = { class: 'map' as const, items: n, body: 'stu(out0 + i, ldu(in0 + i));' };
      const sum = { class: 'reduction' as const, items: 1, terms: n, term: 'ldf(in0 + j)', finish: 'stf(out0 + i, acc);' };
      return [
        { where: 'Copy (op #0)', inputs: [x], outputs: [y], runOnce: false, random: false, fused: [map] },
        // Reads x only: no dependency on op #0, so the same dispatch.
        { where: 'Copy (op #1)', inputs: [x], outputs: [z], runOnce: false, random: false, fused: [map] },
        { where: 'SumElements (op #2)', inputs: [y], outputs: [s], runOnce: false, random: false, fused: [sum] },
        { where: 'Scale (op #3)', inputs: [s], outputs: [w], runOnce: false, random: false, fused: [map] },
      ];
    };
    const segment = (ops: FusionOp[], lanes: number) => {
      const pieces = planFusion(ops, lanes, 1 << 30, 100);
      expect(pieces).toHaveLength(1);
      const p = pieces[0]!;
      if (p.kind !== 'fused') throw new Error('expected one fused segment');
      return p.segment;
    };
    // A GPU (256 lanes): small data loops in one workgroup; large data is a grid split at the reduction and its consumer.
    expect(segment(chain(1000), 256)).toMatchObject({ loops: true, kernels: [{ workgroups: 1 }] });
    const big = segment(chain(1 << 20), 256);
    expect(big.loops).toBe(false);
    expect(big.kernels.map((k) => k.workgroups)).toEqual([100, 1, 100]);
    // A CPU adapter (4 lanes) keeps the same data in one workgroup: one thread runs it either way.
    expect(segment(chain(1 << 20), 4).loops).toBe(true);
    // Subgroup sums only where the device has them, and only in the kernel that reduces cooperatively.
    const withSubgroups = planFusion(chain(1 << 20), 256, 1 << 30, 100, true)[0]!;
    if (withSubgroups.kind !== 'fused') throw new Error('expected one fused segment');
    expect(withSubgroups.segment.kernels.map((k) => k.code.includes('subgroupAdd'))).toEqual([false, true, false]);
    expect(big.kernels.some((k) => k.code.includes('subgroupAdd'))).toBe(false);
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
