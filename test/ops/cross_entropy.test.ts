import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import type { HostTensor } from '../../src/ops/registry.js';
import { checkGradient, compareWithReference, fusedAndUnfused, makeRng, randomIntTensor, randomTensor, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(101);

/** Probability-like X (kept away from 0 so −log stays well conditioned). */
const probs = (shape: number[]): HostTensor => randomTensor(rng, shape, 0.05, 1);

/** Case: X shape and the label for it ([N] int32 class indices, or soft labels in [0, 1]). */
const LABEL_CASES: Array<[number[], () => HostTensor]> = [
  [[7, 5], () => randomIntTensor(rng, [7], 0, 4)],
  [[3, 5, 7], () => randomIntTensor(rng, [3, 1], 0, 34)],
  [[9], () => randomIntTensor(rng, [1], 0, 8)],
];
const SOFT_CASES: Array<[number[], () => HostTensor]> = [
  [[7, 5], () => randomTensor(rng, [7, 5], 0, 1)],
  [[3, 5, 7], () => randomTensor(rng, [3, 35], 0, 1)],
  [[9], () => randomTensor(rng, [9], 0, 1)],
];

describe.each([
  ['LabelCrossEntropy', LABEL_CASES],
  ['CrossEntropy', SOFT_CASES],
] as const)('%s', (type, cases) => {
  it.each(cases)('matches the float64 reference for X %j, and its gradient op too', async (shape, label) => {
    const x = probs(shape);
    const t = label();
    const [err] = await compareWithReference(type, [x, t]);
    const rows = shape.length === 1 ? 1 : shape[0]!;
    const [gerr] = await compareWithReference(`${type}Gradient`, [x, t, randomTensor(rng, [rows])]);
    expect(Math.max(err!, gerr!)).toBeLessThan(1e-5);
  });

  // Central differences of the fp32 forward: relative tolerance 1e-2.
  it('passes finite differences', async () => {
    const label = type === 'LabelCrossEntropy' ? randomIntTensor(rng, [3], 0, 3) : randomTensor(rng, [3, 4], 0, 1);
    const [err] = await checkGradient(type, [randomTensor(rng, [3, 4], 0.3, 1), label], {}, { wrt: [0] });
    expect(err).toBeLessThan(1e-2);
  });

  it('emits its gradient op [X, label, dY] and no label gradient', () => {
    const net = core.Net(`ce_graph_${type}`);
    net.Proto().op.push(core.CreateOperator(type, ['x', 't'], ['y']));
    const grads = net.AddGradientOperators({ y: 'dy' });
    const g = net.Proto().op[1]!;
    expect([g.type, g.input, g.output]).toEqual([`${type}Gradient`, ['x', 't', 'dy'], ['x_grad']]);
    expect(grads.get('t')).toBeUndefined();
  });

  it('floors the log at 1e-20', async () => {
    const x = { shape: [1, 2], data: Float64Array.of(0, 1) };
    const t = type === 'CrossEntropy' ? { shape: [1, 2], data: Float64Array.of(1, 0) } : { shape: [1], data: Float64Array.of(0), dtype: 'int32' as const };
    const [y] = await runOp(type, [x, t]);
    expect(y!.data[0]).toBeCloseTo(-Math.log(1e-20), 3);
  });
});

describe('cross entropy errors', () => {
  it('LabelCrossEntropy rejects labels out of range, of the wrong shape or dtype', async () => {
    await workspace.FeedBlob('ce_x', new Float32Array(6).fill(0.5), { shape: [2, 3] });
    await workspace.FeedBlob('ce_t', new Int32Array([0, -1]));
    const op = (t: string) => core.CreateOperator('LabelCrossEntropy', ['ce_x', t], ['ce_y']);
    await expect(workspace.RunOperatorOnce(op('ce_t'))).rejects.toThrow(/LabelCrossEntropy \(op #0.*input ce_t has label -1 at row 1, outside the 3 classes/);
    await workspace.FeedBlob('ce_t3', new Int32Array([0, 1, 2]));
    await expect(workspace.RunOperatorOnce(op('ce_t3'))).rejects.toThrow(/input ce_t3 has shape \[3\], expected 2 class indices/);
    await workspace.FeedBlob('ce_tf', new Float32Array([0, 1]));
    await expect(workspace.RunOperatorOnce(op('ce_tf'))).rejects.toThrow(/input ce_tf has dtype float32, expected int32/);
  });

  it('CrossEntropy rejects soft labels outside [0, 1] or of the wrong shape', async () => {
    await workspace.FeedBlob('ce_sx', new Float32Array(6).fill(0.5), { shape: [2, 3] });
    await workspace.FeedBlob('ce_s', new Float32Array([0, 1, 0, 0, 2, 0]), { shape: [2, 3] });
    const op = (t: string) => core.CreateOperator('CrossEntropy', ['ce_sx', t], ['ce_y']);
    await expect(workspace.RunOperatorOnce(op('ce_s'))).rejects.toThrow(/CrossEntropy.*input ce_s holds 2 at flat index 4; soft labels are probabilities in \[0, 1\]/);
    await workspace.FeedBlob('ce_s2', new Float32Array(6), { shape: [3, 2] });
    await expect(workspace.RunOperatorOnce(op('ce_s2'))).rejects.toThrow(/input ce_s2 has shape \[3,2\], expected \[2,3\]/);
  });

  it('gives NaN for a label it only meets on the GPU', async () => {
    await workspace.FeedBlob('ce_gx', new Float32Array(6).fill(0.5), { shape: [2, 3] });
    await workspace.FeedBlob('ce_gt0', new Int32Array([1, 9]));
    const net = core.Net('ce_gpu_labels');
    net.Proto().op.push(core.CreateOperator('Copy', ['ce_gt0'], ['ce_gt']));
    net.Proto().op.push(core.CreateOperator('LabelCrossEntropy', ['ce_gx', 'ce_gt'], ['ce_gy']));
    await workspace.RunNetOnce(net);
    const y = (await workspace.FetchBlob('ce_gy')).data;
    expect(y[0]).toBeCloseTo(Math.log(2), 5);
    expect(Number.isNaN(y[1])).toBe(true);
  });

  it('gradient ops reject dY that is not [N]', async () => {
    await workspace.FeedBlob('ceg_x', new Float32Array(6).fill(0.5), { shape: [2, 3] });
    await workspace.FeedBlob('ceg_t', new Int32Array([0, 1]));
    await workspace.FeedBlob('ceg_dy', new Float32Array(3));
    await expect(workspace.RunOperatorOnce(core.CreateOperator('LabelCrossEntropyGradient', ['ceg_x', 'ceg_t', 'ceg_dy'], ['ceg_dx']))).rejects.toThrow(
      /LabelCrossEntropyGradient.*input ceg_dy has shape \[3\], expected \[2\]/,
    );
  });
});

describe('cross entropy fusable forms', () => {
  it('both ops and their gradients give, fused, exactly what the kernels give (a bad GPU label too)', async () => {
    const ops = [
      core.CreateOperator('Copy', ['cef_t0'], ['cef_t']),
      core.CreateOperator('LabelCrossEntropy', ['cef_x', 'cef_t'], ['cef_y']),
      core.CreateOperator('LabelCrossEntropyGradient', ['cef_x', 'cef_t', 'cef_dy'], ['cef_dx']),
      core.CreateOperator('CrossEntropy', ['cef_x', 'cef_s'], ['cef_z']),
      core.CreateOperator('CrossEntropyGradient', ['cef_x', 'cef_s', 'cef_dy'], ['cef_dz']),
    ];
    const labels = randomIntTensor(rng, [7], 0, 4);
    labels.data[3] = 9;
    const feeds = { cef_t0: labels, cef_x: probs([7, 5]), cef_s: randomTensor(rng, [7, 5], 0, 1), cef_dy: randomTensor(rng, [7]) };
    const names = ['cef_y', 'cef_dx', 'cef_z', 'cef_dz'];
    const { fused, unfused, dispatches } = await fusedAndUnfused(ops, feeds, names);
    expect(dispatches[0]).toBeLessThan(dispatches[1]);
    expect(Number.isNaN(fused[0]!.data[3])).toBe(true);
    fused.forEach((t, i) => expect(Array.from(t.data), names[i]).toEqual(Array.from(unfused[i]!.data)));
  });
});
