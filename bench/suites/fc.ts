/**
 * fc: FC forward (Y = X·W^T + b) at square sizes and at the tutorial's skinny shapes, GFLOP/s
 * (2·M·K·N per run), our FC kernel against tfjs's matMul; our output is checked against tfjs's
 * result on the same inputs, and both against a float64 reference on sampled entries.
 */
import { core, workspace } from '../../src/index.js';
import { closeCheck, makeRng, measureNet, measureTfMatMul, randomFloats, speedRatio, type BenchSize, type CaseEnv, type CaseResult, type Check, type Suite } from '../harness.js';

/** Relative to the largest |Y|: fp32 sums of up to 4096 products stay far inside this. */
const TOL = 1e-4;
const SAMPLED_ENTRIES = 256;

interface FcShape {
  M: number;
  K: number;
  N: number;
  kind: 'square' | 'skinny';
}

/** Square sides per size: a software adapter needs minutes per FC beyond 1024³, so only --full goes on. */
const SQUARES: Record<BenchSize, number[]> = { quick: [64, 128, 256], default: [256, 512, 1024], full: [256, 512, 1024, 2048, 4096] };

function shapes(size: BenchSize): FcShape[] {
  const squares = SQUARES[size];
  // The tutorial's Y_pred = FC(X [batch, 2], W [1, 2]).
  const batches = size === 'quick' ? [64] : [64, 1024, 65536];
  return [
    ...squares.map((n): FcShape => ({ M: n, K: n, N: n, kind: 'square' })),
    ...batches.map((b): FcShape => ({ M: b, K: 2, N: 1, kind: 'skinny' })),
  ];
}

/** The fc suite: square FCs and the tutorial's skinny ones at the sizes of SQUARES. */
export const fcSuite: Suite = {
  name: 'fc',
  description: 'FC forward, GFLOP/s, against tfjs matMul (output checked against it)',
  cases: (config) => shapes(config.size).map((s) => ({ name: `${s.M}×${s.K}×${s.N}`, run: (env) => fcCase(env, s) })),
};

async function fcCase(env: CaseEnv, s: FcShape): Promise<CaseResult> {
  const { M, K, N } = s;
  const x = randomFloats(M * 7 + K, M * K);
  const w = randomFloats(N * 13 + K, N * K);
  const b = randomFloats(N + 5, N);
  const flops = 2 * M * K * N;

  workspace.ResetWorkspace();
  await workspace.FeedBlob('X', x, { shape: [M, K] });
  await workspace.FeedBlob('W', w, { shape: [N, K] });
  await workspace.FeedBlob('b', b, { shape: [N] });
  const name = `bench_fc_${M}x${K}x${N}`;
  await workspace.CreateNet({ name, op: [core.CreateOperator('FC', ['X', 'W', 'b'], ['Y'])], external_input: ['X', 'W', 'b'], external_output: ['Y'] }, true);
  const ours = await measureNet(env, 'ours FC', 'GFLOP/s', name, flops);
  const y = (await workspace.FetchBlob('Y')).data;
  workspace.ResetWorkspace();

  const { peer, tfY } = await measureTfMatMul(env, x, [M, K], w, [N, K], true, flops);
  return {
    suite: 'fc',
    case: `${M}×${K}×${N}`,
    params: { M, K, N, shape: s.kind },
    measurements: [ours, peer],
    ratios: [speedRatio(ours, peer)],
    checks: fcChecks(x, w, b, y, tfY, s),
  };
}

/** Ours against tfjs (+ b) everywhere; both against float64 on sampled entries. */
function fcChecks(x: Float32Array, w: Float32Array, b: Float32Array, ours: ArrayLike<number>, tfMatMul: Float32Array, s: FcShape): Check[] {
  const { M, K, N } = s;
  let diff = 0;
  let scale = 0;
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      const ref = tfMatMul[m * N + n]! + b[n]!;
      diff = Math.max(diff, Math.abs(ours[m * N + n]! - ref));
      scale = Math.max(scale, Math.abs(ref));
    }
  }
  const rng = makeRng(M + K + N);
  let diffOurs = 0;
  let diffTf = 0;
  let scale64 = 0;
  for (let i = 0; i < SAMPLED_ENTRIES; i++) {
    const m = Math.floor(rng() * M);
    const n = Math.floor(rng() * N);
    let ref = 0;
    for (let k = 0; k < K; k++) ref += x[m * K + k]! * w[n * K + k]!;
    diffOurs = Math.max(diffOurs, Math.abs(ours[m * N + n]! - (ref + b[n]!)));
    diffTf = Math.max(diffTf, Math.abs(tfMatMul[m * N + n]! - ref));
    scale64 = Math.max(scale64, Math.abs(ref + b[n]!), Math.abs(ref));
  }
  return [
    closeCheck('ours FC matches tfjs matMul + b on every entry', diff, scale, TOL),
    closeCheck(`ours FC matches float64 on ${SAMPLED_ENTRIES} sampled entries`, diffOurs, scale64, TOL),
    closeCheck(`tfjs matMul matches float64 on ${SAMPLED_ENTRIES} sampled entries`, diffTf, scale64, TOL),
  ];
}
