/**
 * matmul: MatMul (Y = A·B) at square sizes, GFLOP/s (2·n³ per run), our kernel against tfjs-webgpu's
 * matMul on the same adapter in the same run; our output is checked against tfjs's on the same
 * inputs, and both against a float64 reference on sampled entries. 256 and up run on the 128x128
 * tile (shaders/matmul_tile_big.wgsl); 4096 is measured only on a hardware adapter, where the
 * issue's TFLOP/s goal applies (a software adapter would need many minutes per sample).
 */
import { core, workspace, type AdapterDescription } from '../../src/index.js';
import { closeCheck, makeRng, measureNet, measureTfMatMul, randomFloats, speedRatio, type BenchSize, type CaseEnv, type CaseResult, type Check, type Suite } from '../harness.js';

/** Relative to the largest |Y|: fp32 sums of up to 4096 products stay far inside this. */
const TOL = 1e-4;
const SAMPLED_ENTRIES = 256;

/** Square sides per size, before the hardware-only 4096. */
const SQUARES: Record<BenchSize, number[]> = { quick: [256], default: [256, 512, 1024], full: [256, 512, 1024, 2048] };
const HARDWARE_SQUARE = 4096;

function sides(size: BenchSize, adapter: AdapterDescription): number[] {
  return adapter.software || size === 'quick' ? SQUARES[size] : [...SQUARES[size], HARDWARE_SQUARE];
}

/** The matmul suite: n×n by n×n products. */
export const matmulSuite: Suite = {
  name: 'matmul',
  description: 'MatMul squares, GFLOP/s, against tfjs matMul (output checked against it)',
  cases: (config, adapter) => sides(config.size, adapter).map((n) => ({ name: `${n}³`, run: (env) => matmulCase(env, n) })),
};

async function matmulCase(env: CaseEnv, n: number): Promise<CaseResult> {
  const a = randomFloats(n * 3 + 1, n * n);
  const b = randomFloats(n * 5 + 2, n * n);
  const flops = 2 * n * n * n;

  workspace.ResetWorkspace();
  await workspace.FeedBlob('A', a, { shape: [n, n] });
  await workspace.FeedBlob('B', b, { shape: [n, n] });
  const name = `bench_matmul_${n}`;
  await workspace.CreateNet({ name, op: [core.CreateOperator('MatMul', ['A', 'B'], ['Y'])], external_input: ['A', 'B'], external_output: ['Y'] }, true);
  const ours = await measureNet(env, 'ours MatMul', 'GFLOP/s', name, flops);
  const y = (await workspace.FetchBlob('Y')).data;
  workspace.ResetWorkspace();

  const { peer, tfY } = await measureTfMatMul(env, a, [n, n], b, [n, n], false, flops);
  return {
    suite: 'matmul',
    case: `${n}³`,
    params: { M: n, K: n, N: n },
    measurements: [ours, peer],
    ratios: [speedRatio(ours, peer)],
    checks: matmulChecks(a, b, y, tfY, n),
  };
}

/** Ours against tfjs everywhere; both against float64 on sampled entries. */
function matmulChecks(a: Float32Array, b: Float32Array, ours: ArrayLike<number>, theirs: Float32Array, n: number): Check[] {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < n * n; i++) {
    diff = Math.max(diff, Math.abs(ours[i]! - theirs[i]!));
    scale = Math.max(scale, Math.abs(theirs[i]!));
  }
  const rng = makeRng(n);
  let diffOurs = 0;
  let diffTf = 0;
  let scale64 = 0;
  for (let s = 0; s < SAMPLED_ENTRIES; s++) {
    const [m, j] = [Math.floor(rng() * n), Math.floor(rng() * n)];
    let ref = 0;
    for (let k = 0; k < n; k++) ref += a[m * n + k]! * b[k * n + j]!;
    diffOurs = Math.max(diffOurs, Math.abs(ours[m * n + j]! - ref));
    diffTf = Math.max(diffTf, Math.abs(theirs[m * n + j]! - ref));
    scale64 = Math.max(scale64, Math.abs(ref));
  }
  return [
    closeCheck('ours MatMul matches tfjs matMul on every entry', diff, scale, TOL),
    closeCheck(`ours MatMul matches float64 on ${SAMPLED_ENTRIES} sampled entries`, diffOurs, scale64, TOL),
    closeCheck(`tfjs matMul matches float64 on ${SAMPLED_ENTRIES} sampled entries`, diffTf, scale64, TOL),
  ];
}
