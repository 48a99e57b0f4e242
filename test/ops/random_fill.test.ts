import { describe, expect, it } from 'vitest';
import { core, workspace, type Tensor } from '../../src/index.js';
import { useGpu } from '../helpers/gpu.js';
import { block, philox } from '../helpers/philox.js';

useGpu();

/** Raw words for `n` elements at `perBlock` elements per block (element i: block i/perBlock). */
function blocksFor(seed: number, stream: number, run: number, n: number, perBlock: number): number[][] {
  return Array.from({ length: Math.ceil(n / perBlock) }, (_, b) => block(seed, stream, run, b));
}

/** The largest float32 below a float32. */
function float32Below(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  if (x > 0) u[0]! -= 1;
  else u[0]! += 1;
  return f[0]!;
}

/**
 * UniformFill's float32 value per element, both ways WGSL may evaluate `lo + span * u` (rounded
 * product, or fused multiply-add); a GPU value must equal one of the two.
 */
function expectedUniform(seed: number, stream: number, run: number, n: number, min: number, max: number): Array<[number, number]> {
  const lo = Math.fround(min);
  const hi = Math.fround(max);
  const span = Math.fround(hi - lo);
  const top = float32Below(hi);
  const words = blocksFor(seed, stream, run, n, 4);
  return Array.from({ length: n }, (_, i) => {
    const u = (words[i >> 2]![i & 3]! >>> 8) / 2 ** 24;
    const separate = Math.fround(lo + Math.fround(span * u));
    const fused = Math.fround(lo + span * u); // span * u is exact in float64 (24 x 24 bits)
    return [Math.min(separate, top), Math.min(fused, top)];
  });
}

/** UniformIntFill's value per element: min + floor(x * (max - min + 1) / 2^64), x = 64 random bits. */
function expectedUniformInt(seed: number, stream: number, run: number, n: number, min: number, max: number): number[] {
  const words = blocksFor(seed, stream, run, n, 2);
  const range = BigInt(max - min + 1);
  return Array.from({ length: n }, (_, i) => {
    const w = words[i >> 1]!;
    const k = (i & 1) * 2;
    const x = (BigInt(w[k + 1]!) << 32n) | BigInt(w[k]!);
    return (min + Number((x * range) >> 64n)) | 0;
  });
}

/** GaussianFill's value per element (Box-Muller as in shaders/philox.wgsl, in float64). */
function expectedGaussian(seed: number, stream: number, run: number, n: number, mean: number, std: number): number[] {
  const words = blocksFor(seed, stream, run, n, 4);
  return Array.from({ length: n }, (_, i) => {
    const w = words[i >> 2]!;
    const pair = (i & 2) === 0 ? [w[0]!, w[1]!] : [w[2]!, w[3]!];
    const r = Math.sqrt(-2 * Math.log(((pair[0]! >>> 8) + 1) / 2 ** 24));
    const t = Math.fround(6.283185307179586) * ((pair[1]! >>> 8) / 2 ** 24);
    return mean + std * r * ((i & 1) === 0 ? Math.cos(t) : Math.sin(t));
  });
}

function bits(t: Tensor): number[] {
  return Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length));
}

let id = 0;
/** Runs one fill op once (op #0 of its net: stream 0) and fetches its output. */
async function fill(type: string, args: Record<string, unknown>, inputs: string[] = []): Promise<Tensor> {
  const out = `rf_${type}_${id++}`;
  await workspace.RunOperatorOnce(core.CreateOperator(type, inputs, [out], args));
  return workspace.FetchBlob(out);
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

function variance(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - m) ** 2;
  return s / (xs.length - 1);
}

// --------------------------------------------------------------------------------------------------

describe('CPU Philox4x32-10', () => {
  it('matches the Random123 known-answer vectors', () => {
    expect(philox([0, 0, 0, 0], [0, 0])).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    const ones = 0xffffffff;
    expect(philox([ones, ones, ones, ones], [ones, ones])).toEqual([0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
    expect(philox([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])).toEqual([
      0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1,
    ]);
  });
});

describe('GPU fills match the CPU generator', () => {
  // A seed above 2^32 puts key word 1 to work too.
  const seed = 2 ** 40 + 987654321;

  it.each([
    [[0, 1], [3, 5]],
    [[-2, 2], [1]],
    [[-2, 2], [65]],
  ])('UniformFill %j of shape %j bit for bit', async ([min, max], shape) => {
    workspace.SetSeed(seed);
    const t = await fill('UniformFill', { shape, min, max });
    const n = shape.reduce((a, b) => a * b, 1);
    const want = expectedUniform(seed, 0, 0, n, min!, max!);
    // These ranges make lo + span * u exact, so both evaluation orders agree.
    expect(want.every(([a, b]) => a === b)).toBe(true);
    expect(t.shape).toEqual(shape);
    expect(Array.from(t.data)).toEqual(want.map(([a]) => a));
  });

  it('UniformFill on an inexact range gives one of the two correctly rounded float32 values', async () => {
    workspace.SetSeed(seed);
    const t = await fill('UniformFill', { shape: [37], min: -0.3, max: 1.7 });
    const want = expectedUniform(seed, 0, 0, 37, -0.3, 1.7);
    const bad = want.map(([a, b], i) => (t.data[i] === a || t.data[i] === b ? -1 : i)).filter((i) => i >= 0);
    expect(bad).toEqual([]);
  });

  it('uses the op index as stream and the run counter, advanced once per run', async () => {
    const net = core.Net('rf_stream');
    net.ConstantFill([], 'rf_c', { shape: [1], value: 0 });
    net.UniformFill([], 'rf_u', { shape: [9] });
    workspace.SetSeed(77);
    await workspace.CreateNet(net, true);
    for (const run of [0, 1, 2]) {
      await workspace.RunNet(net.Name());
      const t = await workspace.FetchBlob('rf_u');
      expect(Array.from(t.data)).toEqual(expectedUniform(77, 1, run, 9, 0, 1).map(([a]) => a));
    }
  });

  it('UniformIntFill bit for bit, on a small and on the full int32 range', async () => {
    workspace.SetSeed(seed);
    const small = await fill('UniformIntFill', { shape: [2, 7], min: -3, max: 4 });
    expect(small.dtype).toBe('int32');
    expect(Array.from(small.data)).toEqual(expectedUniformInt(seed, 0, 0, 14, -3, 4));
    // The full range exposes all 32 bits of Philox words 1 and 3.
    workspace.SetSeed(seed);
    const full = await fill('UniformIntFill', { shape: [11], min: -2147483648, max: 2147483647 });
    expect(Array.from(full.data)).toEqual(expectedUniformInt(seed, 0, 0, 11, -2147483648, 2147483647));
  });

  it('GaussianFill follows Box-Muller on the same words (transcendentals to 1e-3)', async () => {
    workspace.SetSeed(seed);
    const t = await fill('GaussianFill', { shape: [3, 7], mean: 0.5, std: 2 });
    const want = expectedGaussian(seed, 0, 0, 21, 0.5, 2);
    const worst = Math.max(...want.map((w, i) => Math.abs(t.data[i]! - w) / Math.max(1, Math.abs(w))));
    expect(worst).toBeLessThan(1e-3);
  });
});

// Tolerances are 5 standard deviations of the sample statistic under the target distribution.
describe('statistics', () => {
  it('UniformFill: mean, variance and range of 4096 samples in [-1, 3)', async () => {
    workspace.SetSeed(1);
    const x = (await fill('UniformFill', { shape: [4096], min: -1, max: 3 })).data;
    const n = x.length;
    // U(a, b): mean (a+b)/2, var (b-a)^2/12; Var(s^2) ~ (mu4 - var^2)/n with mu4 = (b-a)^4/80.
    const v = 16 / 12;
    expect(Math.abs(mean(x) - 1)).toBeLessThan(5 * Math.sqrt(v / n));
    expect(Math.abs(variance(x) - v)).toBeLessThan(5 * Math.sqrt((256 / 80 - v * v) / n));
    expect(Math.min(...x)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...x)).toBeLessThan(3);
    // Both ends are reached: P(no sample in the outer 1%) = 0.99^4096 ~ 1e-18.
    expect(Math.min(...x)).toBeLessThan(-0.96);
    expect(Math.max(...x)).toBeGreaterThan(2.96);
  });

  it('UniformFill stays below max even where rounding would reach it', async () => {
    workspace.SetSeed(2);
    const x = (await fill('UniformFill', { shape: [512], min: 1e6, max: 1e6 + 1 })).data;
    expect(Math.max(...x)).toBeLessThan(1e6 + 1);
    expect(Math.min(...x)).toBeGreaterThanOrEqual(1e6);
  });

  it('UniformIntFill: every value of [-3, 4] (both ends included) about equally often', async () => {
    workspace.SetSeed(3);
    const x = (await fill('UniformIntFill', { shape: [4096], min: -3, max: 4 })).data;
    const counts = new Map<number, number>();
    for (const v of x) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3, 4]);
    // Binomial(4096, 1/8): mean 512, sd sqrt(4096 * 1/8 * 7/8) ~ 21.2.
    for (const c of counts.values()) expect(Math.abs(c - 512)).toBeLessThan(5 * Math.sqrt(4096 * (1 / 8) * (7 / 8)));
  });

  it('GaussianFill: mean, variance and the 1-sigma fraction of 4096 samples', async () => {
    workspace.SetSeed(4);
    const x = (await fill('GaussianFill', { shape: [64, 64], mean: 2, std: 0.5 })).data;
    const n = x.length;
    expect(Math.abs(mean(x) - 2)).toBeLessThan(5 * (0.5 / Math.sqrt(n)));
    // Normal: Var(s^2) = 2 sigma^4 / n.
    expect(Math.abs(variance(x) - 0.25)).toBeLessThan(5 * 0.25 * Math.sqrt(2 / n));
    const p = 0.6826894921;
    const inside = Array.from(x).filter((v) => Math.abs(v - 2) < 0.5).length / n;
    expect(Math.abs(inside - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    expect(x.every(Number.isFinite)).toBe(true);
  });

  it('XavierFill: uniform in [-sqrt(3/fan_in), sqrt(3/fan_in)), fan_in = numel / dims[0]', async () => {
    workspace.SetSeed(5);
    const t = await fill('XavierFill', { shape: [64, 32] });
    const x = t.data;
    const s = Math.sqrt(3 / 32);
    expect(t.shape).toEqual([64, 32]);
    expect(Math.max(...x.map(Math.abs))).toBeLessThanOrEqual(Math.fround(s));
    expect(Math.max(...x)).toBeGreaterThan(0.98 * s);
    expect(Math.min(...x)).toBeLessThan(-0.98 * s);
    // Var = s^2/3 = 1/fan_in; Var(s^2) = (mu4 - var^2)/n with mu4 = s^4/5.
    const v = (s * s) / 3;
    expect(Math.abs(variance(x) - v)).toBeLessThan(5 * Math.sqrt((s ** 4 / 5 - v * v) / x.length));
    expect(Math.abs(mean(x))).toBeLessThan(5 * Math.sqrt(v / x.length));
  });

  it('MSRAFill: normal with std sqrt(2/fan_out), fan_out = numel / dims[1]', async () => {
    workspace.SetSeed(6);
    const x = (await fill('MSRAFill', { shape: [16, 8, 3, 3] })).data;
    const v = 2 / 144; // numel 1152 / dims[1] 8 = 144 (fan_in would give 2/72, far outside the tolerance)
    expect(Math.abs(variance(x) - v)).toBeLessThan(5 * v * Math.sqrt(2 / x.length));
    expect(Math.abs(mean(x))).toBeLessThan(5 * Math.sqrt(v / x.length));
  });
});

describe('shapes and in place', () => {
  it('takes the shape of its input (plus extra_shape), also in place', async () => {
    await workspace.FeedBlob('rf_in', new Float32Array(6).fill(7), { shape: [2, 3] });
    const t = await fill('UniformFill', { extra_shape: [2], min: -1, max: 0 }, ['rf_in']);
    expect(t.shape).toEqual([2, 3, 2]);
    expect(t.data.every((v) => v >= -1 && v < 0)).toBe(true);
    await workspace.RunOperatorOnce(core.CreateOperator('GaussianFill', ['rf_in'], ['rf_in']));
    const y = await workspace.FetchBlob('rf_in');
    expect(y.shape).toEqual([2, 3]);
    expect(y.data.some((v) => v !== 7)).toBe(true);
  });

  it('fills empty and 0-d outputs', async () => {
    expect((await fill('UniformFill', { shape: [0, 3] })).data.length).toBe(0);
    expect((await fill('XavierFill', { shape: [0, 3] })).data.length).toBe(0);
    const scalar = await fill('GaussianFill', { shape: [] });
    expect(scalar.shape).toEqual([]);
    expect(scalar.data.length).toBe(1);
  });
});

describe('reproducibility and run_once', () => {
  it('same seed gives identical bits, another seed different ones', async () => {
    for (const type of ['GaussianFill', 'UniformFill', 'UniformIntFill']) {
      workspace.SetSeed(42);
      const a = await fill(type, { shape: [100] });
      workspace.SetSeed(42);
      const b = await fill(type, { shape: [100] });
      workspace.SetSeed(43);
      const c = await fill(type, { shape: [100] });
      expect(bits(b)).toEqual(bits(a));
      expect(bits(c)).not.toEqual(bits(a));
      // Without a new seed the counter has moved on.
      const d = await fill(type, { shape: [100] });
      expect(bits(d)).not.toEqual(bits(c));
    }
  });

  it('refills on every run by default, and only on the first run with run_once: 1', async () => {
    const net = core.Net('rf_once');
    net.GaussianFill([], 'rf_fresh', { shape: [16] });
    net.GaussianFill([], 'rf_kept', { shape: [16], run_once: 1 });
    await workspace.CreateNet(net, true);
    await workspace.RunNet(net.Name());
    const fresh1 = await workspace.FetchBlob('rf_fresh');
    const kept1 = await workspace.FetchBlob('rf_kept');
    expect(kept1.data.some((v) => v !== 0)).toBe(true);
    await workspace.RunNet(net.Name(), 2);
    expect(bits(await workspace.FetchBlob('rf_fresh'))).not.toEqual(bits(fresh1));
    expect(bits(await workspace.FetchBlob('rf_kept'))).toEqual(bits(kept1));
    // Overwritten from outside, a run_once blob is not filled again.
    await workspace.FeedBlob('rf_kept', new Float32Array(16), { shape: [16] });
    await workspace.RunNet(net.Name());
    expect(Array.from((await workspace.FetchBlob('rf_kept')).data)).toEqual(new Array(16).fill(0));
  });

  it('RunNet(name, n) equals n x RunNet(name, 1) bit for bit', async () => {
    const net = core.Net('rf_iter');
    net.UniformFill([], 'rf_iu', { shape: [10], min: -2, max: 2 });
    net.GaussianFill([], 'rf_ig', { shape: [10] });
    net.UniformIntFill([], 'rf_ii', { shape: [10], min: 0, max: 1000 });
    await workspace.CreateNet(net, true);
    const blobs = ['rf_iu', 'rf_ig', 'rf_ii'];
    workspace.SetSeed(11);
    await workspace.RunNet(net.Name(), 5);
    const batched = (await workspace.FetchBlobs(blobs)).map(bits);
    workspace.SetSeed(11);
    for (let i = 0; i < 5; i++) await workspace.RunNet(net.Name(), 1);
    const single = (await workspace.FetchBlobs(blobs)).map(bits);
    expect(single).toEqual(batched);
    // The fifth run drew with counter 4.
    const u = (await workspace.FetchBlob('rf_iu')).data;
    expect(Array.from(u)).toEqual(expectedUniform(11, 0, 4, 10, -2, 2).map(([a]) => a));
    expect(Array.from((await workspace.FetchBlob('rf_ii')).data)).toEqual(expectedUniformInt(11, 2, 4, 10, 0, 1000));
  });
});

describe('errors', () => {
  const run = (type: string, args: Record<string, unknown>, inputs: string[] = []): Promise<boolean> =>
    workspace.RunOperatorOnce(core.CreateOperator(type, inputs, ['rf_err'], args));

  it('rejects min >= max', async () => {
    await expect(run('UniformFill', { shape: [2], min: 1, max: 1 })).rejects.toThrow(/UniformFill \(op #0.*min \(1\) must be less than max \(1\)/);
    await expect(run('UniformFill', { shape: [2], min: 2, max: -1 })).rejects.toThrow(/min \(2\) must be less than max \(-1\)/);
    await expect(run('UniformIntFill', { shape: [2], min: 5, max: 5 })).rejects.toThrow(/UniformIntFill.*min \(5\) must be less than max \(5\)/);
    await expect(run('UniformFill', { shape: [2], min: 1, max: 1 + 1e-12 })).rejects.toThrow(/same float32 value/);
  });

  it('rejects MSRAFill on a 1-d output and XavierFill on a 0-d one', async () => {
    await expect(run('MSRAFill', { shape: [5] })).rejects.toThrow(/MSRAFill.*output rf_err has shape \[5\].*at least 2 dimensions/);
    await expect(run('XavierFill', { shape: [] })).rejects.toThrow(/XavierFill.*output rf_err has shape \[\].*at least 1 dimension/);
  });

  it('rejects a shape argument together with an input', async () => {
    await workspace.FeedBlob('rf_shape_in', new Float32Array(4), { shape: [4] });
    await expect(run('GaussianFill', { shape: [4] }, ['rf_shape_in'])).rejects.toThrow(/GaussianFill.*either an input or the shape argument/);
  });

  it('rejects a negative std and an int range outside int32', async () => {
    await expect(run('GaussianFill', { shape: [2], std: -1 })).rejects.toThrow(/GaussianFill.*std must be a finite number >= 0, got -1/);
    await expect(run('UniformIntFill', { shape: [2], max: 2 ** 31 })).rejects.toThrow(/max = 2147483648 does not fit int32/);
  });

});

describe('shapes and ranges from inputs', () => {
  it('takes the shape from a fed int tensor with input_as_shape (UniformFill, GaussianFill, XavierFill)', async () => {
    await workspace.FeedBlob('ias_shape', new Int32Array([3, 5, 1]));
    for (const type of ['UniformFill', 'GaussianFill', 'XavierFill']) {
      await workspace.RunOperatorOnce(core.CreateOperator(type, ['ias_shape'], ['ias_out'], { input_as_shape: 1 }));
      expect((await workspace.FetchBlob('ias_out')).shape, type).toEqual([3, 5, 1]);
    }
  });

  it('takes the shape from Reshape\'s old_shape in the same net (its values are known when planned)', async () => {
    await workspace.FeedBlob('ias_x', new Float32Array(14), [2, 7]);
    const net = core.Net('ias_old_shape');
    net.Proto().op.push(core.CreateOperator('Reshape', ['ias_x'], ['ias_flat', 'ias_old'], { shape: [-1] }));
    net.Proto().op.push(core.CreateOperator('GaussianFill', ['ias_old'], ['ias_noise'], { input_as_shape: 1, std: 2 }));
    await workspace.RunNetOnce(net);
    expect((await workspace.FetchBlob('ias_noise')).shape).toEqual([2, 7]);
  });

  it('draws UniformFill from [min, max) given by input blobs, bit for bit, and plans again when they are re-fed', async () => {
    const seed = 4242;
    workspace.SetSeed(seed);
    await workspace.FeedBlob('ur_like', new Float32Array(3 * 7), [3, 7]);
    await workspace.FeedBlob('ur_min', [-2]);
    await workspace.FeedBlob('ur_max', [2]);
    const net = core.Net('uniform_range_inputs');
    net.Proto().op.push(core.CreateOperator('UniformFill', ['ur_like', 'ur_min', 'ur_max'], ['ur_y']));
    await workspace.CreateNet(net);
    await workspace.RunNet(net.Name());
    const y = await workspace.FetchBlob('ur_y');
    expect(y.shape).toEqual([3, 7]);
    expect(Array.from(y.data)).toEqual(expectedUniform(seed, 0, 0, 21, -2, 2).map(([a]) => a));
    await workspace.FeedBlob('ur_min', [10]);
    await workspace.FeedBlob('ur_max', [12]);
    const plans = (await workspace.Stats()).plans;
    await workspace.RunNet(net.Name());
    expect((await workspace.Stats()).plans).toBe(plans + 1);
    const y2 = await workspace.FetchBlob('ur_y');
    expect(Array.from(y2.data)).toEqual(expectedUniform(seed, 0, 1, 21, 10, 12).map(([a]) => a));
  });

  it('gives an empty tensor (first dim 0) when the min blob exceeds the max blob, and min everywhere when they are equal', async () => {
    await workspace.FeedBlob('ue_shape', new Int32Array([4, 3]));
    await workspace.FeedBlob('ue_min', [1]);
    await workspace.FeedBlob('ue_max', [-1]);
    await workspace.RunOperatorOnce(core.CreateOperator('UniformFill', ['ue_shape', 'ue_min', 'ue_max'], ['ue_y'], { input_as_shape: 1 }));
    const y = await workspace.FetchBlob('ue_y');
    expect(y.shape).toEqual([0, 3]);
    expect(y.data).toHaveLength(0);
    await workspace.FeedBlob('ue_max', [1]);
    await workspace.RunOperatorOnce(core.CreateOperator('UniformFill', ['ue_shape', 'ue_min', 'ue_max'], ['ue_y2'], { input_as_shape: 1 }));
    expect(Array.from((await workspace.FetchBlob('ue_y2')).data)).toEqual(new Array(12).fill(1));
  });

  it('rejects range blobs with min/max arguments, two inputs, non-scalar bounds and bounds computed in the net', async () => {
    await workspace.FeedBlob('uerr_like', new Float32Array(4), [4]);
    await workspace.FeedBlob('uerr_min', [0]);
    await workspace.FeedBlob('uerr_max', [1]);
    await workspace.FeedBlob('uerr_pair', [0, 1]);
    const run = (inputs: string[], args: Record<string, unknown> = {}) =>
      workspace.RunOperatorOnce(core.CreateOperator('UniformFill', inputs, ['uerr_y'], args));
    await expect(run(['uerr_like', 'uerr_min', 'uerr_max'], { min: 0 })).rejects.toThrow(/min is given by input uerr_min; do not pass the min argument as well/);
    await expect(run(['uerr_like', 'uerr_min'])).rejects.toThrow(/expected 0, 1 or 3 inputs/);
    await expect(run(['uerr_like', 'uerr_pair', 'uerr_max'])).rejects.toThrow(/input uerr_pair must hold one float32 value \(the min\), got float32 \[2\]/);
    const net = core.Net('uerr_computed');
    net.Proto().op.push(core.CreateOperator('Copy', ['uerr_max'], ['uerr_max2']));
    net.Proto().op.push(core.CreateOperator('UniformFill', ['uerr_like', 'uerr_min', 'uerr_max2'], ['uerr_y']));
    await expect(workspace.RunNetOnce(net)).rejects.toThrow(/the value of input uerr_max2 must be known when the net is planned/);
  });
});
