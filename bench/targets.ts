/** The targets, evaluated on a run's results: recorded as they stand, met or not. */
import type { AdapterDescription } from '../src/index.js';
import type { CaseResult } from './harness.js';

/** One target: what was measured against its goal (`met` is null when this run did not measure it). */
export interface Target {
  name: string;
  goal: string;
  measured: number | null;
  unit: string;
  met: boolean | null;
  note: string;
}

function target(name: string, goal: string, unit: string, measured: number | null, threshold: number, note: string): Target {
  return { name, goal, unit, measured, met: measured === null ? null : measured >= threshold, note };
}

/** Evaluates the toy-step, FC, MatMul, LeNet-step and elementwise targets on `results`. */
export function evaluateTargets(results: readonly CaseResult[], adapter: AdapterDescription): Target[] {
  const toy = results.find((r) => r.suite === 'toy' && r.params.batch === 64);
  const toyRatio = toy?.ratios.find((x) => x.of === 'ours RunNet(n)')?.value ?? null;
  const toyDispatches = toy ? Number(toy.params.dispatchesPerStep ?? Infinity) : null;
  const toyRatios = results.filter((r) => r.suite === 'toy').map((r) => ({ batch: r.params.batch, ratio: r.ratios.find((x) => x.of === 'ours RunNet(n)')?.value ?? 0 }));
  const worstToy = toyRatios.length ? toyRatios.reduce((a, b) => (b.ratio < a.ratio ? b : a)) : null;
  const fc = results.find((r) => r.suite === 'fc' && r.params.M === 4096 && r.params.K === 4096 && r.params.N === 4096);
  const fcRate = fc?.measurements.find((m) => m.role === 'ours')?.value.median;
  const copyRatios = results.filter((r) => r.suite === 'elementwise').flatMap((r) => r.ratios.filter((x) => x.to === 'vec4 copy'));
  const worst = copyRatios.length ? copyRatios.reduce((a, b) => (b.value < a.value ? b : a)) : null;
  const matmulRatios = results.filter((r) => r.suite === 'matmul').flatMap((r) => r.ratios.map((x) => ({ n: r.params.M, value: x.value })));
  const worstMatmul = matmulRatios.length ? matmulRatios.reduce((a, b) => (b.value < a.value ? b : a)) : null;
  const lenet = results.find((r) => r.suite === 'lenet');
  const lenetRatio = lenet?.ratios.find((x) => x.of === 'ours RunNet(n)')?.value ?? null;
  const here = `${adapter.vendor} ${adapter.architecture}`;
  return [
    {
      ...target('toy step, batch 64, vs tfjs-webgpu', '≥ 1000× faster with ≤ 2 dispatches per step, on SwiftShader', '× faster', toyRatio, 1000, ''),
      ...(toyRatio !== null && toyDispatches !== null && { met: toyRatio >= 1000 && toyDispatches <= 2 }),
      // Without a toy case (another suite was run) the report says "not measured": no count to print.
      note: toyDispatches === null ? '' : `RunNet(n) on ${here}, ${toyDispatches} dispatches per step`,
    },
    target(
      'toy step, every batch, vs tfjs-webgpu',
      '≥ 10× faster',
      '× faster',
      worstToy?.ratio ?? null,
      10,
      worstToy ? `worst: batch ${worstToy.batch}, RunNet(n)` : '',
    ),
    target('FC fp32 4096³', '≥ 40 TFLOP/s, on an H100', ' TFLOP/s', fcRate === undefined ? null : fcRate / 1000, 40, `on ${here}`),
    target(
      'MatMul squares vs tfjs-webgpu matMul',
      '≥ 3× faster, on SwiftShader',
      '× faster',
      worstMatmul?.value ?? null,
      3,
      worstMatmul ? `worst: ${worstMatmul.n}³ on ${here}` : '',
    ),
    target(
      'LeNet training step vs tfjs-webgpu',
      '≥ 3× faster, on a software adapter',
      '× faster',
      lenetRatio,
      3,
      lenet ? `batch ${lenet.params.batch} on ${here}${adapter.software ? '' : ' (not a software adapter)'}` : '',
    ),
    target(
      'elementwise vs vec4 copy',
      '≥ 90% of the copy rate',
      '% of the copy rate',
      worst === null ? null : worst.value * 100,
      90,
      worst === null ? '' : `worst: ${worst.of}`,
    ),
  ];
}
