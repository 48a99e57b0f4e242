/**
 * What every suite shares: the run configuration, the timing loop (warm-up, calibrated iteration
 * count, median of repeats with GPU completion awaited), and the result records the CLI prints and
 * writes to JSON.
 */
import { workspace, type AdapterDescription } from '../src/index.js';
import { makeRng } from '../src/core/rng.js';
import { summarize, toRate, type Summary } from './stats.js';
import type { TfjsPeer } from './tfjs_peer.js';

/** "µs": microseconds per iteration (lower is better); the others are rates (higher is better). */
export type Unit = 'µs' | 'GFLOP/s' | 'GB/s';

/** Which sizes a run uses: chosen by flags, never by the adapter. */
export type BenchSize = 'quick' | 'default' | 'full';

/** How long and how often to measure, and at which sizes. */
export interface BenchConfig {
  /** quick: CI-sized; default: fits ~10 minutes on a software adapter; full: the sizes. */
  size: BenchSize;
  quick: boolean;
  /** Most samples per figure. */
  repeats: number;
  /** Fewest samples per figure, even when one sample is slow. */
  minRepeats: number;
  /** Wall time one sample aims for: iterations per sample are chosen to reach it. */
  sampleMs: number;
  /** Wall time the samples of one figure may take; fewer repeats (not below minRepeats) beyond it. */
  budgetMs: number;
  /** Cap on iterations per sample. */
  maxIterations: number;
}

/** The configuration for a size: `quick` samples briefly, the others for up to ~3 s a figure. */
export function benchConfig(size: BenchSize, repeats?: number): BenchConfig {
  const quick = size === 'quick';
  const base: BenchConfig = quick
    ? { size, quick, repeats: 3, minRepeats: 3, sampleMs: 20, budgetMs: 300, maxIterations: 200 }
    : { size, quick, repeats: 9, minRepeats: 3, sampleMs: 200, budgetMs: 3000, maxIterations: 5000 };
  if (repeats !== undefined) {
    base.repeats = repeats;
    base.minRepeats = Math.min(base.minRepeats, repeats);
  }
  return base;
}

/** Who a measurement is: our runtime, the tfjs-webgpu peer, or a raw-WebGPU baseline. */
export type Role = 'ours' | 'tfjs' | 'baseline';

/** One figure: the samples of one implementation on one case. */
export interface Measurement {
  impl: string;
  role: Role;
  unit: Unit;
  /** The figure in `unit`: median, min and max over the samples. */
  value: Summary;
  /** Iterations timed together in one sample (GPU completion awaited once per sample). */
  iterations: number;
  /** Work per iteration behind a rate: FLOPs for GFLOP/s, bytes read + written for GB/s. */
  work: number | null;
  /** Iterations split into this many timed units (dispatches of a many-op net); 1 otherwise. */
  perIteration: number;
  /** Microseconds per unit (iteration / perIteration), one entry per sample. */
  samplesUs: number[];
  /** Microseconds per iteration of the warm-up runs (cold first), not in the figure. */
  warmupUs: number[];
  /** What the table prints beside the figure (e.g. the toy step's dispatches per step). */
  note?: string;
}

/** A correctness check made while benchmarking; the bench fails when one fails. */
export interface Check {
  name: string;
  passed: boolean;
  detail: string;
}

/** How much faster `of` is than `to` (> 1: faster), from the medians. */
export interface Ratio {
  of: string;
  to: string;
  value: number;
}

/** One case of a suite: its parameters, figures, ratios and checks. */
export interface CaseResult {
  suite: string;
  case: string;
  params: Record<string, number | string>;
  measurements: Measurement[];
  ratios: Ratio[];
  checks: Check[];
}

/** What a case gets to run with. */
export interface CaseEnv {
  config: BenchConfig;
  peer: TfjsPeer;
  /** Shows what is being measured now next to the progress bar. */
  note(text: string): void;
}

/** One unit of progress: a case, planned before anything runs so the bar knows the total. */
export interface Case {
  name: string;
  run(env: CaseEnv): Promise<CaseResult>;
}

/** A suite: its cases for a configuration. */
export interface Suite {
  name: string;
  description: string;
  /** The cases at a configuration on the adapter our runtime opened (some sizes are hardware-only). */
  cases(config: BenchConfig, adapter: AdapterDescription): Case[];
}

/** What to time: `run(k)` does k iterations and resolves once the GPU has finished them. */
export interface MeasureSpec {
  impl: string;
  role: Role;
  unit: Unit;
  run(iterations: number): Promise<void>;
  /** FLOPs or bytes per iteration for a rate unit. */
  work?: number;
  /** Iterations per sample; calibrated from `config.sampleMs` when absent. */
  iterations?: number;
  /** The figure is per 1/perIteration of an iteration (e.g. per dispatch of a 256-op net). */
  perIteration?: number;
}

async function timeUs(run: (k: number) => Promise<void>, k: number): Promise<number> {
  const t0 = performance.now();
  await run(k);
  return ((performance.now() - t0) * 1000) / k;
}

/**
 * Warm-up (a cold iteration, then one to calibrate the iterations per sample, then one sample's
 * worth when that is more than one), then samples until `repeats` or the time budget.
 */
export async function measure(config: BenchConfig, spec: MeasureSpec): Promise<Measurement> {
  const warmupUs = [await timeUs(spec.run, 1), await timeUs(spec.run, 1)];
  const oneUs = Math.max(warmupUs[1]!, 1e-3);
  const iterations = spec.iterations ?? Math.min(config.maxIterations, Math.max(1, Math.ceil((config.sampleMs * 1000) / oneUs)));
  let perIterUs = oneUs;
  if (iterations > 1) {
    perIterUs = await timeUs(spec.run, iterations);
    warmupUs.push(perIterUs);
  }
  const affordable = Math.floor((config.budgetMs * 1000) / (perIterUs * iterations));
  const repeats = Math.max(config.minRepeats, Math.min(config.repeats, affordable));
  const per = spec.perIteration ?? 1;
  const samplesUs: number[] = [];
  for (let i = 0; i < repeats; i++) samplesUs.push((await timeUs(spec.run, iterations)) / per);
  const times = summarize(samplesUs);
  const work = spec.unit === 'µs' ? null : (spec.work ?? null);
  if (spec.unit !== 'µs' && work === null) throw new Error(`measure(${spec.impl}): a ${spec.unit} figure needs its work per iteration`);
  // work / µs = thousands of units per second; / 1e3 gives G-units per second.
  const value = work === null ? times : toRate(times, work / 1e3);
  return { impl: spec.impl, role: spec.role, unit: spec.unit, value, iterations, work, perIteration: per, samplesUs, warmupUs };
}

/** A tfjs-webgpu matMul figure (A [m,k] · B [k,n], or B [n,k] transposed) and its output for checking. */
export async function measureTfMatMul(
  env: CaseEnv,
  a: Float32Array,
  aShape: [number, number],
  b: Float32Array,
  bShape: [number, number],
  transposeB: boolean,
  flops: number,
): Promise<{ peer: Measurement; tfY: Float32Array }> {
  const { tf } = env.peer;
  const ta = tf.tensor2d(a, aShape);
  const tb = tf.tensor2d(b, bShape);
  try {
    env.note('tfjs matMul');
    const peer = await measure(env.config, {
      impl: 'tfjs matMul',
      role: 'tfjs',
      unit: 'GFLOP/s',
      work: flops,
      async run(k) {
        for (let i = 0; i < k; i++) tf.matMul(ta, tb, false, transposeB).dispose();
        await env.peer.sync();
      },
    });
    const ty = tf.matMul(ta, tb, false, transposeB);
    const tfY = (await ty.data()) as Float32Array;
    ty.dispose();
    return { peer, tfY };
  } finally {
    ta.dispose();
    tb.dispose();
  }
}

/** Times one of our created nets: `RunNet(net, k)` then a Sync, as the figure `impl` (noted on the progress bar). */
export function measureNet(env: CaseEnv, impl: string, unit: Unit, net: string, work?: number): Promise<Measurement> {
  env.note(impl);
  return measure(env.config, {
    impl,
    role: 'ours',
    unit,
    ...(work !== undefined && { work }),
    async run(k) {
      await workspace.RunNet(net, k);
      await workspace.Sync();
    },
  });
}

/** How much faster measurement `a` is than `b` (both in the same unit), from the medians. */
export function speedRatio(a: Measurement, b: Measurement): Ratio {
  const value = a.unit === 'µs' ? b.value.median / a.value.median : a.value.median / b.value.median;
  return { of: a.impl, to: b.impl, value };
}

/** A check that `actual` is within `tol` of `expected`, relative to `scale`. */
export function closeCheck(name: string, maxAbsErr: number, scale: number, tol: number): Check {
  const rel = maxAbsErr / Math.max(scale, 1e-30);
  return { name, passed: Number.isFinite(rel) && rel <= tol, detail: `max |error| ${maxAbsErr.toExponential(2)} = ${rel.toExponential(2)} relative (tolerance ${tol})` };
}

/** The seeded generator the suites draw their inputs from (shared with the tests). */
export { makeRng };

/** `n` uniform floats in [-1, 1) from a seeded generator. */
export function randomFloats(seed: number, n: number): Float32Array<ArrayBuffer> {
  const rng = makeRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * rng() - 1;
  return out;
}
