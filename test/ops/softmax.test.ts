import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import { checkGradient, compareWithReference, fusedAndUnfused, makeRng, randomTensor, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(83);

describe('Softmax', () => {
  it.each([
    [[7, 5], 1],
    [[3, 5, 7], 1],
    [[3, 5, 7], 2],
    [[3, 5, 7], -1],
    [[3, 5, 7], 0],
    [[13], 0],
    // Rows of 512 and more take a workgroup each.
    [[3, 700], 1],
    [[2, 5, 200], 1],
  ])('matches the float64 reference for shape %j, axis %i', async (shape, axis) => {
    const [err] = await compareWithReference('Softmax', [randomTensor(rng, shape as number[], -4, 4)], { axis });
    expect(err).toBeLessThan(1e-5);
  });

  it('rows sum to 1 and large logits do not overflow', async () => {
    const [y] = await runOp('Softmax', [{ shape: [2, 3], data: Float64Array.of(1000, 1001, 1002, -1000, 0, 1000) }]);
    expect([...y!.shape]).toEqual([2, 3]);
    const d = Array.from(y!.data);
    expect(d[0]! + d[1]! + d[2]!).toBeCloseTo(1, 6);
    expect(d[2]).toBeCloseTo(Math.exp(2) / (1 + Math.exp(1) + Math.exp(2)), 6);
    expect(d.slice(3)).toEqual([0, 0, 1]);
  });

  it('rejects an axis out of range, a 0-d input and int32', async () => {
    await workspace.FeedBlob('sm_x', new Float32Array(6), { shape: [2, 3] });
    await expect(workspace.RunOperatorOnce(core.CreateOperator('Softmax', ['sm_x'], ['sm_y'], { axis: 2 }))).rejects.toThrow(
      /Softmax \(op #0.*argument axis=2 is out of range for a 2-d input/,
    );
    await workspace.FeedBlob('sm_s', 1, { shape: [] });
    await expect(workspace.RunOperatorOnce(core.CreateOperator('Softmax', ['sm_s'], ['sm_y']))).rejects.toThrow(/Softmax.*input sm_s is 0-d/);
    await workspace.FeedBlob('sm_i', new Int32Array([1, 2]));
    await expect(workspace.RunOperatorOnce(core.CreateOperator('Softmax', ['sm_i'], ['sm_y']))).rejects.toThrow(
      /Softmax.*input sm_i has dtype int32, expected float32/,
    );
  });

  it('does not run in place (Caffe2 does not allow it)', () => {
    expect(() => core.CreateOperator('Softmax', ['a'], ['a'])).toThrow(/output #0 "a" is the same blob as input #0/);
  });

  it('differentiates with SoftmaxGradient [Y, dY], axis copied', () => {
    const net = core.Net('sm_graph');
    net.Proto().op.push(core.CreateOperator('Softmax', ['x'], ['y'], { axis: 2 }));
    net.AddGradientOperators({ y: 'dy' });
    const g = net.Proto().op[1]!;
    expect([g.type, g.input, g.output, g.arg]).toEqual(['SoftmaxGradient', ['y', 'dy'], ['x_grad'], [{ name: 'axis', i: 2 }]]);
  });

  // Central differences of the fp32 forward: relative tolerance 1e-2.
  it.each([
    [[3, 5], 1],
    [[2, 3, 2], 2],
  ])('passes finite differences for shape %j, axis %i', async (shape, axis) => {
    const [err] = await checkGradient('Softmax', [randomTensor(rng, shape as number[], -2, 2)], { axis });
    expect(err).toBeLessThan(1e-2);
  });
});

describe('SoftmaxGradient', () => {
  it.each([
    [[7, 5], 1],
    [[3, 5, 7], 2],
    [[3, 5, 7], 0],
    [[3, 700], 1],
  ])('matches the float64 reference for shape %j, axis %i', async (shape, axis) => {
    const s = shape as number[];
    // Wide logits: some probabilities near 1, so an error in the row sum shows.
    const [y] = await runOp('Softmax', [randomTensor(rng, s, -8, 8)], { axis });
    const yt = { shape: s, data: Float64Array.from(y!.data) };
    const [err] = await compareWithReference('SoftmaxGradient', [yt, randomTensor(rng, s)], { axis });
    expect(err).toBeLessThan(1e-5);
  });

  it('rejects dY of another shape', async () => {
    await workspace.FeedBlob('smg_y', new Float32Array(6), { shape: [2, 3] });
    await workspace.FeedBlob('smg_dy', new Float32Array(6), { shape: [6] });
    await expect(workspace.RunOperatorOnce(core.CreateOperator('SoftmaxGradient', ['smg_y', 'smg_dy'], ['smg_dx']))).rejects.toThrow(
      /SoftmaxGradient.*input smg_dy has shape \[6\], but smg_y has shape \[2,3\]/,
    );
  });
});

describe('Softmax fusable forms', () => {
  it('Softmax and SoftmaxGradient give, fused, exactly what the kernels give; wide rows stay unfused', async () => {
    const ops = [
      core.CreateOperator('Softmax', ['smf_x'], ['smf_y'], { axis: 2 }),
      core.CreateOperator('SoftmaxGradient', ['smf_y', 'smf_dy'], ['smf_dx'], { axis: 2 }),
      core.CreateOperator('Softmax', ['smf_w'], ['smf_wy']),
      core.CreateOperator('SoftmaxGradient', ['smf_wy', 'smf_wdy'], ['smf_wdx']),
    ];
    const feeds = {
      smf_x: randomTensor(rng, [3, 5, 7], -4, 4),
      smf_dy: randomTensor(rng, [3, 5, 7]),
      smf_w: randomTensor(rng, [2, 600], -4, 4),
      smf_wdy: randomTensor(rng, [2, 600]),
    };
    const names = ['smf_y', 'smf_dx', 'smf_wy', 'smf_wdx'];
    const { fused, unfused, dispatches } = await fusedAndUnfused(ops, feeds, names);
    // One fused kernel (with its arena copies) for the first pair; the wide pair keeps its two dispatches.
    expect(dispatches[0]).toBeLessThan(dispatches[1]);
    fused.forEach((t, i) => expect(Array.from(t.data), names[i]).toEqual(Array.from(unfused[i]!.data)));
  });
});
