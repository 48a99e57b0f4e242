import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { workspace } from '../../src/index.js';
import { buildToyRegression } from '../../src/models/toy_regression.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

/** Fresh tutorial nets in a clean workspace, seeded; returns the train net's name. */
async function setup(seed: number): Promise<string> {
  workspace.ResetWorkspace();
  workspace.SetSeed(seed);
  const { init, train } = buildToyRegression();
  await workspace.RunNetOnce(init);
  await workspace.CreateNet(train, true);
  return train.Name();
}

async function params(): Promise<{ W: number[]; B: number[] }> {
  return { W: Array.from((await workspace.FetchBlob('W')).data), B: Array.from((await workspace.FetchBlob('B')).data) };
}

describe('Toy Regression tutorial on the GPU', () => {
  it.each([1, 2, 3, 4, 5])('converges to W ≈ [2, 1.5], B ≈ 0.5 in 100 iterations (seed %i)', async (seed) => {
    const name = await setup(seed);
    for (let i = 0; i < 100; i++) await workspace.RunNet(name);
    const { W, B } = await params();
    expect(Math.max(Math.abs(W[0]! - 2), Math.abs(W[1]! - 1.5))).toBeLessThan(0.15);
    expect(Math.abs(B[0]! - 0.5)).toBeLessThan(0.15);
    const loss = await workspace.FetchBlob('loss');
    expect(loss.shape).toEqual([]);
    expect(loss.data[0]).toBeGreaterThan(0.2);
    expect(loss.data[0]).toBeLessThan(1.0);
    expect(Array.from((await workspace.FetchBlob('ITER')).data)).toEqual([100]);
    expect((await workspace.FetchBlob('LR')).data[0]).toBeCloseTo(-0.1 * 0.9 ** 5, 6);
  });

  it('RunNet(train, 100) equals 100 × RunNet(train) bit for bit, in one submit', async () => {
    const name = await setup(42);
    const before = await workspace.Stats();
    await workspace.RunNet(name, 100);
    expect((await workspace.Stats()).submits - before.submits).toBe(1);
    const batched = await params();
    const name2 = await setup(42);
    for (let i = 0; i < 100; i++) await workspace.RunNet(name2);
    expect(await params()).toEqual(batched);
  });

  it('gives bit-identical W and B for the same seed and different ones for another seed', async () => {
    const a = await setup(7).then(async (n) => (await workspace.RunNet(n, 30), params()));
    const b = await setup(7).then(async (n) => (await workspace.RunNet(n, 30), params()));
    const c = await setup(8).then(async (n) => (await workspace.RunNet(n, 30), params()));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('records a 50-iteration history with one readback, equal to per-iteration fetches', async () => {
    const name = await setup(9);
    const before = await workspace.Stats();
    const h = await workspace.RunNetWithHistory(name, 50, ['W', 'B', 'loss']);
    const after = await workspace.Stats();
    expect(after.mapAsyncs - before.mapAsyncs).toBe(1);
    expect(after.submits - before.submits).toBe(2); // the run, and the one readback copy
    expect(h.W!.shape).toEqual([50, 1, 2]);
    expect(h.B!.shape).toEqual([50, 1]);
    expect(h.loss!.shape).toEqual([50]);

    const name2 = await setup(9);
    for (let i = 0; i < 50; i++) {
      await workspace.RunNet(name2);
      const { W, B } = await params();
      expect([h.W!.data[2 * i], h.W!.data[2 * i + 1]]).toEqual(W);
      expect([h.B!.data[i]]).toEqual(B);
      expect(h.loss!.data[i]).toBe((await workspace.FetchBlob('loss')).data[0]);
    }
  });
});

describe('the Node example (the README main command)', () => {
  it('prints the tutorial lines, converges, and writes the drawings and plots', async () => {
    const run = promisify(execFile);
    const root = join(import.meta.dirname, '../..');
    const out = mkdtempSync(join(tmpdir(), 'toy-out-'));
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'examples/toy_regression.ts', '--seed=3', `--out=${out}`], { cwd: root, timeout: 120_000 });
    // Nothing a newcomer must learn to ignore: no native Dawn warning, no raw return values.
    expect(stderr).not.toMatch(/vkCreateInstance|Warning:/);
    expect(stdout).not.toMatch(/: true$/m);
    for (const f of ['train_forward.svg', 'train_with_gradients.svg', 'train_with_sgd.svg', 'w_path.svg', 'b_history.svg']) {
      expect(readFileSync(join(out, f), 'utf8'), f).toMatch(/^(<\?xml[^>]*>\s*)?(<!DOCTYPE[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg/);
    }
    expect(readFileSync(join(out, 'train_with_sgd.svg'), 'utf8')).toContain('WeightedSum (op#15)');
    expect(stdout).toContain(`to ${out}`);
    expect(stdout).toMatch(/Before training, W is: \[\[ ?-?\d/);
    expect(stdout).toMatch(/Ground truth W is: \[\[2\.  1\.5\]\]/);
    const after = /After training, W is: \[\[\s*(\S+)\s+(\S+)\]\]/.exec(stdout);
    expect(after).not.toBeNull();
    expect(Math.abs(Number(after![1]) - 2)).toBeLessThan(0.15);
    expect(Math.abs(Number(after![2]) - 1.5)).toBeLessThan(0.15);
  }, 180_000);
});
