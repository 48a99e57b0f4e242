/** Test helpers: one device per test file, seeded random data, and op runners. */
import { afterAll, beforeAll } from 'vitest';
import { workspace, core, type OperatorDef, type Tensor } from '../../src/index.js';
import type { HostTensor } from '../../src/ops/registry.js';
import { getOpSpec } from '../../src/ops/registry.js';
import { encodeArgs } from '../../src/ops/args.js';
import { extraArgKinds } from '../../src/ops/op_context.js';
import { decodeArgs } from '../../src/ops/args.js';
import { configureFusion, fusionSettings } from '../../src/runtime/fusion.js';
import { makeRng } from '../../src/core/rng.js';

export { makeRng };

/** Opens the device before the file's tests and destroys it after (Dawn dislikes worker churn). */
export function useGpu(): void {
  beforeAll(async () => {
    await workspace.Init();
  });
  afterAll(async () => {
    await workspace.Shutdown();
  });
}

/** Random float32-representable values in [lo, hi). */
export function randomTensor(rng: () => number, shape: number[], lo = -1, hi = 1): HostTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float64Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * rng())) };
}

/** Random integers in [lo, hi]. */
export function randomIntTensor(rng: () => number, shape: number[], lo: number, hi: number): HostTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float64Array.from({ length: n }, () => lo + Math.floor((hi - lo + 1) * rng())), dtype: 'int32' };
}

let counter = 0;

/** Feeds inputs as fresh blobs, runs one op once on the GPU, fetches its outputs. */
export async function runOp(
  type: string,
  inputs: HostTensor[],
  args: Record<string, unknown> = {},
  outputCount = 1,
): Promise<Tensor[]> {
  const id = counter++;
  const inNames = inputs.map((_, i) => `in${i}_${id}`);
  const outNames = Array.from({ length: outputCount }, (_, i) => `out${i}_${id}`);
  for (const [i, t] of inputs.entries()) {
    await workspace.FeedBlob(inNames[i]!, t.data, { shape: t.shape, dtype: t.dtype ?? 'float32' });
  }
  await workspace.RunOperatorOnce(core.CreateOperator(type, inNames, outNames, args));
  return Promise.all(outNames.map((n) => workspace.FetchBlob(n)));
}

/** The op's float64 CPU reference on the same inputs and arguments. */
export function referenceOf(type: string, inputs: HostTensor[], args: Record<string, unknown> = {}): HostTensor[] {
  const spec = getOpSpec(type);
  if (!spec.reference) throw new Error(`${type} has no CPU reference`);
  const encoded = encodeArgs(type, spec.args, extraArgKinds(spec), args);
  const decoded = decodeArgs(type, spec.args, extraArgKinds(spec), encoded);
  return spec.reference(inputs, decoded.values, decoded.extra);
}

/** Largest |gpu - ref| / max(1, |ref|) over all elements; shapes must match exactly. */
export function maxRelError(gpu: Tensor, ref: HostTensor): number {
  if (JSON.stringify([...gpu.shape]) !== JSON.stringify(ref.shape)) {
    throw new Error(`shape mismatch: gpu ${JSON.stringify(gpu.shape)} vs reference ${JSON.stringify(ref.shape)}`);
  }
  let worst = 0;
  for (let i = 0; i < ref.data.length; i++) {
    const e = Math.abs(gpu.data[i]! - ref.data[i]!) / Math.max(1, Math.abs(ref.data[i]!));
    if (!(e <= worst)) worst = e; // NaN propagates as a failure
  }
  return worst;
}

/** Runs the op on the GPU and returns the worst relative error per output against the reference. */
export async function compareWithReference(type: string, inputs: HostTensor[], args: Record<string, unknown> = {}, outputCount = 1): Promise<number[]> {
  const gpu = await runOp(type, inputs, args, outputCount);
  const ref = referenceOf(type, inputs, args);
  return gpu.map((t, i) => maxRelError(t, ref[i]!));
}

/**
 * Finite-difference check of an op's gradient operators. L = Σ r ⊙ Y with random r, Y the op's
 * output `output` (default 0; e.g. 1 for SoftmaxWithLoss's loss); the gradient
 * ops (from the op's gradient maker, run on the GPU) give dL/dX_k; central differences of the fp32
 * GPU forward (float64 perturbation on the host) give the numerical value. Returns the worst
 * |analytic - numeric| / max(1, |numeric|) per checked input.
 */
export async function checkGradient(
  type: string,
  inputs: HostTensor[],
  args: Record<string, unknown> = {},
  options: { wrt?: number[]; eps?: number; outputCount?: number; output?: number; rng?: () => number } = {},
): Promise<number[]> {
  const rng = options.rng ?? makeRng(1234);
  const id = counter++;
  const inNames = inputs.map((_, i) => `gx${i}_${id}`);
  const outNames = Array.from({ length: options.outputCount ?? 1 }, (_, i) => `gy${i}_${id}`);
  const yName = outNames[options.output ?? 0]!;
  for (const [i, t] of inputs.entries()) await workspace.FeedBlob(inNames[i]!, t.data, { shape: t.shape, dtype: t.dtype ?? 'float32' });

  const fwd = core.Net(`fd_${type}_${id}`);
  const fwdOp = core.CreateOperator(type, inNames, outNames, args);
  fwd.Proto().op.push(fwdOp);
  await workspace.CreateNet(fwd);
  await workspace.RunNet(fwd.Name());
  const y = await workspace.FetchBlob(yName);
  const r = Float64Array.from({ length: y.data.length }, () => Math.fround(rng() * 2 - 1));
  await workspace.FeedBlob(`seed_${id}`, r, { shape: [...y.shape] });

  const gradNet = core.Net(`grad_${type}_${id}`);
  gradNet.Proto().op.push({ ...fwdOp, input: [...fwdOp.input], output: [...fwdOp.output], arg: [...fwdOp.arg] });
  const grads = gradNet.AddGradientOperators({ [yName]: `seed_${id}` });
  await workspace.CreateNet(gradNet);
  await workspace.RunNet(gradNet.Name());

  const loss = async (): Promise<number> => {
    await workspace.RunNet(fwd.Name());
    const t = await workspace.FetchBlob(yName);
    let s = 0;
    for (let i = 0; i < r.length; i++) s += r[i]! * t.data[i]!;
    return s;
  };
  const wrt = options.wrt ?? inputs.map((_, i) => i);
  const errors: number[] = [];
  for (const k of wrt) {
    const g = grads.get(inNames[k]!);
    if (!g) throw new Error(`no gradient for input ${k} of ${type}`);
    const analytic = await workspace.FetchBlob(g.name);
    const x = inputs[k]!;
    let worst = 0;
    for (let j = 0; j < x.data.length; j++) {
      const eps = options.eps ?? 1e-2 * Math.max(1, Math.abs(x.data[j]!));
      const pert = Float64Array.from(x.data);
      pert[j] = x.data[j]! + eps;
      await workspace.FeedBlob(inNames[k]!, pert, { shape: x.shape });
      const up = await loss();
      pert[j] = x.data[j]! - eps;
      await workspace.FeedBlob(inNames[k]!, pert, { shape: x.shape });
      const down = await loss();
      const numeric = (up - down) / (2 * eps);
      const e = Math.abs(analytic.data[j]! - numeric) / Math.max(1, Math.abs(numeric));
      if (!(e <= worst)) worst = e;
    }
    await workspace.FeedBlob(inNames[k]!, x.data, { shape: x.shape });
    errors.push(worst);
  }
  return errors;
}

/**
 * Runs ops as one net over fed inputs with fusion on, then off (the setting is restored after), and
 * returns the named blobs and the dispatches of each run: a fusable form must give exactly what the
 * op's own kernels give.
 */
export async function fusedAndUnfused(
  ops: OperatorDef[],
  feeds: Record<string, HostTensor>,
  fetch: string[],
): Promise<{ fused: Tensor[]; unfused: Tensor[]; dispatches: [number, number] }> {
  const before = fusionSettings().enabled;
  const results: Tensor[][] = [];
  const dispatches: number[] = [];
  try {
    for (const enabled of [true, false]) {
      configureFusion({ enabled });
      for (const [name, t] of Object.entries(feeds)) await workspace.FeedBlob(name, t.data, { shape: t.shape, dtype: t.dtype ?? 'float32' });
      const net = core.Net(`fusion_check_${counter++}`);
      net.Proto().op.push(...ops.map((o) => ({ ...o, input: [...o.input], output: [...o.output], arg: [...o.arg] })));
      await workspace.CreateNet(net);
      const s0 = await workspace.Stats();
      await workspace.RunNet(net.Name());
      dispatches.push((await workspace.Stats()).dispatches - s0.dispatches);
      results.push(await workspace.FetchBlobs(fetch));
    }
  } finally {
    configureFusion({ enabled: before });
  }
  return { fused: results[0]!, unfused: results[1]!, dispatches: [dispatches[0]!, dispatches[1]!] };
}

/** Operators as created by CreateOperator, for tests that inspect gradient graphs. */
export type { OperatorDef };

/** Runs an op that must fail; resolves to its error (a test then checks the type and message). */
export async function opError(type: string, inputs: HostTensor[], args: Record<string, unknown> = {}, outputCount = 1): Promise<Error> {
  try {
    await runOp(type, inputs, args, outputCount);
  } catch (e) {
    return e as Error;
  }
  throw new Error(`${type} did not fail`);
}
