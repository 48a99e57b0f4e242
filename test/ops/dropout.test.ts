import { describe, expect, it } from 'vitest';
import { core, workspace, type Tensor } from '../../src/index.js';
import { compareWithReference, makeRng, randomIntTensor, randomTensor, runOp, useGpu } from '../helpers/gpu.js';
import { block } from '../helpers/philox.js';

useGpu();
const rng = makeRng(23);

/** Runs a one-op training Dropout net `runs` times from `seed`, returning [Y, mask] after each run. */
async function dropoutRuns(x: Float64Array, shape: number[], args: Record<string, unknown>, seed: number, runs = 1, ops = 1): Promise<Tensor[][]> {
  const id = Math.floor(rng() * 1e9);
  await workspace.FeedBlob(`dx_${id}`, x, { shape });
  const net = core.Net(`dropout_${id}`);
  for (let k = 0; k < ops; k++) net.Proto().op.push(core.CreateOperator('Dropout', [`dx_${id}`], [`dy${k}_${id}`, `dm${k}_${id}`], args));
  workspace.SetSeed(seed);
  await workspace.CreateNet(net);
  const out: Tensor[][] = [];
  for (let r = 0; r < runs; r++) {
    await workspace.RunNet(net.Name());
    for (let k = 0; k < ops; k++) out.push([await workspace.FetchBlob(`dy${k}_${id}`), await workspace.FetchBlob(`dm${k}_${id}`)]);
  }
  return out;
}

/** The mask the CPU Philox predicts for element i (word i % 4 of block i / 4). */
function expectedMask(seed: number, stream: number, run: number, n: number, ratio: number): number[] {
  const keep = Math.fround(1 - ratio);
  return Array.from({ length: n }, (_, i) => {
    const w = block(seed, stream, run, Math.floor(i / 4))[i % 4]!;
    return (w >>> 8) / 16777216 < keep ? 1 : 0;
  });
}

describe('Dropout', () => {
  it('keeps 1 - ratio of the elements (within 4 standard deviations) and scales them by 1 / (1 - ratio)', async () => {
    const n = 20000;
    for (const ratio of [0.5, 0.3, 0.9]) {
      const x = randomTensor(rng, [n], 0.5, 2);
      const [[y, mask]] = await dropoutRuns(x.data, [n], { ratio }, 5);
      expect(mask!.dtype).toBe('int32');
      const kept = Array.from(mask!.data).reduce((a, b) => a + b, 0) / n;
      expect(Math.abs(kept - (1 - ratio))).toBeLessThan(4 * Math.sqrt((ratio * (1 - ratio)) / n));
      // Y is X * scale exactly where the mask keeps, 0 elsewhere.
      const scale = Math.fround(1 / (1 - ratio));
      const bad = Array.from(y!.data).filter((v, i) => v !== (mask!.data[i] ? Math.fround(x.data[i]! * scale) : 0));
      expect(bad).toEqual([]);
      // Each quarter of the tensor (and each word of a Philox block) keeps about as much.
      for (let q = 0; q < 4; q++) {
        const part = Array.from(mask!.data).filter((_, i) => i % 4 === q);
        expect(Math.abs(part.reduce((a, b) => a + b, 0) / part.length - (1 - ratio))).toBeLessThan(4 * Math.sqrt((ratio * (1 - ratio)) / part.length));
      }
    }
  });

  it('draws the mask from the seeded Philox stream: op index as stream, run as counter, bit for bit', async () => {
    const seed = 2 ** 36 + 12345;
    const n = 37;
    const runs = await dropoutRuns(randomTensor(rng, [n]).data, [n], { ratio: 0.4 }, seed, 2, 2);
    // runs = [run0 op0, run0 op1, run1 op0, run1 op1]
    expect(Array.from(runs[0]![1]!.data)).toEqual(expectedMask(seed, 0, 0, n, 0.4));
    expect(Array.from(runs[1]![1]!.data)).toEqual(expectedMask(seed, 1, 0, n, 0.4));
    expect(Array.from(runs[2]![1]!.data)).toEqual(expectedMask(seed, 0, 1, n, 0.4));
    expect(runs[0]![1]!.data).not.toEqual(runs[1]![1]!.data);
  });

  it('gives the same masks for the same seed and different ones for another', async () => {
    const x = randomTensor(rng, [5, 13]).data;
    const a = await dropoutRuns(x, [5, 13], {}, 99, 2);
    const b = await dropoutRuns(x, [5, 13], {}, 99, 2);
    const c = await dropoutRuns(x, [5, 13], {}, 100, 1);
    expect(a.map(([y, m]) => [Array.from(y!.data), Array.from(m!.data)])).toEqual(b.map(([y, m]) => [Array.from(y!.data), Array.from(m!.data)]));
    expect(a[0]![1]!.data).not.toEqual(a[1]![1]!.data);
    expect(a[0]![1]!.data).not.toEqual(c[0]![1]!.data);
  });

  it('keeps everything at ratio 0 and drops everything at ratio 1', async () => {
    const x = randomTensor(rng, [3, 7]);
    const [[y0, m0]] = await dropoutRuns(x.data, [3, 7], { ratio: 0 }, 1);
    expect(Array.from(y0!.data)).toEqual(Array.from(x.data));
    expect(Array.from(m0!.data).every((v) => v === 1)).toBe(true);
    const [[y1, m1]] = await dropoutRuns(x.data, [3, 7], { ratio: 1 }, 1);
    expect(Array.from(y1!.data).every((v) => v === 0)).toBe(true);
    expect(Array.from(m1!.data).every((v) => v === 0)).toBe(true);
  });

  it('is the identity with is_test=1, in place or not', async () => {
    const x = randomTensor(rng, [4, 9]);
    const [y] = await runOp('Dropout', [x], { is_test: 1, ratio: 0.7 });
    expect(Array.from(y!.data)).toEqual(Array.from(x.data));
    await workspace.FeedBlob('dt_x', x.data, { shape: x.shape });
    await workspace.RunOperatorOnce(core.CreateOperator('Dropout', ['dt_x'], ['dt_x'], { is_test: 1 }));
    expect(Array.from((await workspace.FetchBlob('dt_x')).data)).toEqual(Array.from(x.data));
  });

  it('runs in place in training', async () => {
    const x = randomTensor(rng, [50], 1, 2);
    await workspace.FeedBlob('dp_x', x.data, { shape: x.shape });
    await workspace.RunOperatorOnce(core.CreateOperator('Dropout', ['dp_x'], ['dp_x', 'dp_m'], { ratio: 0.5 }));
    const [y, m] = [await workspace.FetchBlob('dp_x'), await workspace.FetchBlob('dp_m')];
    expect(Array.from(y.data)).toEqual(Array.from(x.data).map((v, i) => (m.data[i] ? Math.fround(v * 2) : 0)));
  });
});

describe('DropoutGrad', () => {
  it('matches the reference: dY * mask / (1 - ratio)', async () => {
    const dy = randomTensor(rng, [6, 11]);
    const mask = randomIntTensor(rng, [6, 11], 0, 1);
    const [err] = await compareWithReference('DropoutGrad', [dy, mask], { ratio: 0.3 });
    expect(err).toBeLessThan(1e-6);
  });

  it('passes dY through with is_test=1', async () => {
    const dy = randomTensor(rng, [2, 5]);
    const [dx] = await runOp('DropoutGrad', [dy], { is_test: 1 });
    expect(Array.from(dx!.data)).toEqual(Array.from(dy.data));
  });

  it('the autodiff gradient uses the mask of the same run', async () => {
    const net = core.Net('dropout_grad_net');
    net.Proto().op.push(core.CreateOperator('Dropout', ['dg_x'], ['dg_y', 'dg_m'], { ratio: 0.25 }));
    net.AddGradientOperators({ dg_y: 'dg_seed' });
    const ops = net.Proto().op.filter((o) => o.is_gradient_op);
    expect(ops.map((o) => [o.type, o.input, o.output])).toEqual([['DropoutGrad', ['dg_seed', 'dg_m'], ['dg_x_grad']]]);
    const x = randomTensor(rng, [40]);
    const seedGrad = randomTensor(rng, [40]);
    await workspace.FeedBlob('dg_x', x.data, { shape: [40] });
    await workspace.FeedBlob('dg_seed', seedGrad.data, { shape: [40] });
    await workspace.CreateNet(net);
    await workspace.RunNet(net.Name(), 3);
    const m = await workspace.FetchBlob('dg_m');
    const dx = await workspace.FetchBlob('dg_x_grad');
    expect(Array.from(dx.data)).toEqual(Array.from(seedGrad.data).map((g, i) => (m.data[i] ? Math.fround(g * Math.fround(4 / 3)) : 0)));
    const test = core.Net('dropout_grad_test');
    test.Proto().op.push(core.CreateOperator('Dropout', ['X'], ['Y'], { is_test: 1 }));
    test.AddGradientOperators({ Y: 'Y_grad' });
    expect(test.Proto().op.filter((o) => o.is_gradient_op).map((o) => [o.type, o.input])).toEqual([['DropoutGrad', ['Y_grad']]]);
  });
});

describe('Dropout errors', () => {
  async function planFails(type: string, inputs: Record<string, HostT>, args: Record<string, unknown>, outputs: string[]): Promise<unknown> {
    for (const [name, t] of Object.entries(inputs)) await workspace.FeedBlob(name, t.data, { shape: t.shape, dtype: t.dtype ?? 'float32' });
    const net = core.Net('train');
    net.Proto().op.push(core.CreateOperator(type, Object.keys(inputs), outputs, args));
    return workspace.CreateNet(net, true);
  }
  type HostT = ReturnType<typeof randomTensor>;

  it('rejects a ratio outside [0, 1] and a training Dropout without a mask output', async () => {
    const X = randomTensor(rng, [4]);
    await expect(planFails('Dropout', { X }, { ratio: 1.5 }, ['Y', 'M'])).rejects.toThrow(/^Dropout \(op #0 in net "train[^"]*"\): ratio must be in \[0, 1\], got 1.5/);
    await expect(planFails('Dropout', { X }, { ratio: -0.1 }, ['Y', 'M'])).rejects.toThrow(/ratio must be in \[0, 1\]/);
    await expect(planFails('Dropout', { X }, {}, ['Y'])).rejects.toThrow(/in training \(is_test=0\) needs two outputs \[Y, mask\]; got 1/);
  });

  it('rejects a DropoutGrad mask that is missing, float or the wrong size', async () => {
    const dY = randomTensor(rng, [4]);
    await expect(planFails('DropoutGrad', { dY }, {}, ['dX'])).rejects.toThrow(/needs the mask: inputs \[dY, mask\]/);
    await expect(planFails('DropoutGrad', { dY, M: randomTensor(rng, [4]) }, {}, ['dX'])).rejects.toThrow(/input M has dtype float32, expected int32/);
    await expect(planFails('DropoutGrad', { dY, Mi: randomIntTensor(rng, [5], 0, 1) }, {}, ['dX'])).rejects.toThrow(
      /input Mi has shape \[5\], but dY has shape \[4\] \(expected as many elements\)/,
    );
  });
});
