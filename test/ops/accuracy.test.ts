import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import { compareWithReference, fusedAndUnfused, makeRng, randomIntTensor, randomTensor, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(107);

describe('Accuracy', () => {
  it.each([
    [7, 5, 1],
    [65, 10, 1],
    [65, 10, 3],
    [13, 4, 4],
  ])('matches the float64 reference for [%i, %i], top_k %i', async (rows, cols, top_k) => {
    const [err] = await compareWithReference('Accuracy', [randomTensor(rng, [rows, cols]), randomIntTensor(rng, [rows], 0, cols - 1)], { top_k });
    expect(err).toBeLessThan(1e-6);
  });

  it('ranks ties in favour of the lower class index, and gives a 0-d result', async () => {
    // Row 0: label 1 ties with class 0 (lower index wins): rank 2. Row 1: label 0 ties with class 2: rank 1.
    const x = { shape: [2, 3], data: Float64Array.of(0.5, 0.5, 0.1, 0.7, 0.2, 0.7) };
    const t = { shape: [2], data: Float64Array.of(1, 0), dtype: 'int32' as const };
    const [top1] = await runOp('Accuracy', [x, t]);
    const [top2] = await runOp('Accuracy', [x, t], { top_k: 2 });
    expect([...top1!.shape]).toEqual([]);
    expect([top1!.data[0], top2!.data[0]]).toEqual([0.5, 1]);
  });

  it('rejects bad shapes, dtypes, labels and top_k', async () => {
    await workspace.FeedBlob('acc_x', new Float32Array(6), { shape: [2, 3] });
    await workspace.FeedBlob('acc_x3', new Float32Array(6), { shape: [1, 2, 3] });
    await workspace.FeedBlob('acc_t', new Int32Array([0, 2]));
    await workspace.FeedBlob('acc_t3', new Int32Array([0, 2, 1]));
    await workspace.FeedBlob('acc_bad', new Int32Array([0, 3]));
    await workspace.FeedBlob('acc_f', new Float32Array([0, 2]));
    const run = (x: string, t: string, args = {}) => workspace.RunOperatorOnce(core.CreateOperator('Accuracy', [x, t], ['acc_y'], args));
    await expect(run('acc_x3', 'acc_t')).rejects.toThrow(/Accuracy \(op #0.*input acc_x3 has shape \[1,2,3\], expected 2-D scores/);
    await expect(run('acc_x', 'acc_t3')).rejects.toThrow(/input acc_t3 has shape \[3\], expected \[2\]/);
    await expect(run('acc_x', 'acc_bad')).rejects.toThrow(/input acc_bad has label 3 at row 1, outside the 3 classes/);
    await expect(run('acc_x', 'acc_f')).rejects.toThrow(/input acc_f has dtype float32, expected int32/);
    await expect(run('acc_x', 'acc_t', { top_k: 0 })).rejects.toThrow(/top_k must be at least 1/);
  });

  it('must not be differentiated', () => {
    const net = core.Net('acc_graph');
    net.Proto().op.push(core.CreateOperator('Accuracy', ['x', 't'], ['acc']));
    expect(() => net.AddGradientOperators(['acc'])).toThrow(/Accuracy.*must not be differentiated/);
  });
});

describe('Accuracy fusable form', () => {
  it('counts exactly what the kernel counts, ties and bad GPU labels included', async () => {
    const x = randomTensor(rng, [65, 10]);
    x.data.fill(0.5, 0, 30); // whole rows of ties
    const labels = randomIntTensor(rng, [65], 0, 9);
    const bad = { ...labels, data: Float64Array.from(labels.data) };
    bad.data[7] = 10;
    const ops = [
      core.CreateOperator('Copy', ['accf_t0'], ['accf_t']),
      core.CreateOperator('Accuracy', ['accf_x', 'accf_t'], ['accf_a1']),
      core.CreateOperator('Accuracy', ['accf_x', 'accf_t'], ['accf_a3'], { top_k: 3 }),
      core.CreateOperator('Copy', ['accf_b0'], ['accf_b']),
      core.CreateOperator('Accuracy', ['accf_x', 'accf_b'], ['accf_nan']),
    ];
    const names = ['accf_a1', 'accf_a3', 'accf_nan'];
    const { fused, unfused, dispatches } = await fusedAndUnfused(ops, { accf_x: x, accf_t0: labels, accf_b0: bad }, names);
    expect(dispatches[0]).toBeLessThan(dispatches[1]);
    expect(fused.map((t) => t.data[0])).toEqual(unfused.map((t) => t.data[0]));
    expect(Number.isNaN(fused[2]!.data[0])).toBe(true);
  });
});
