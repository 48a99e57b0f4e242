import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { proto, workspace } from '../../src/index.js';
import { parseMnistArgs, runMnist } from '../../examples/mnist.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

// CI installs Debian's dataset-fashion-mnist (.ci/run); the example's default data.
const FASHION = '/usr/share/datasets/fashion-mnist';
const out = mkdtempSync(join(tmpdir(), 'mnist-e2e-'));
afterAll(() => rmSync(out, { recursive: true }));

describe('npm run mnist (the MNIST tutorial on Fashion-MNIST)', () => {
  it('parses its flags and refuses unknown ones', () => {
    expect(parseMnistArgs(['--iters', '12', '--out=o', '--train_limit', '256'])).toMatchObject({ iters: 12, batch: 64, chunk: 50, trainLimit: 256 });
    expect(() => parseMnistArgs(['--iter', '5'])).toThrow(/unknown argument "--iter"/);
    expect(() => parseMnistArgs(['--iters', '0'])).toThrow(/--iters must be an integer >= 1/);
    expect(parseMnistArgs(['--eval_every', '100', '--stop_at', '0.89'])).toMatchObject({ evalEvery: 100, stopAt: 0.89 });
    expect(() => parseMnistArgs(['--stop_at', '0.89'])).toThrow(/--stop_at needs --eval_every/);
    expect(() => parseMnistArgs(['--eval_every', '10', '--stop_at', '89'])).toThrow(/--stop_at must be an accuracy in \(0, 1\]/);
    expect(parseMnistArgs(['--base_lr', '-0.05', '--gamma=0.9999'])).toMatchObject({ baseLr: -0.05, gamma: 0.9999 });
    expect(() => parseMnistArgs(['--gamma', '1.5'])).toThrow(/--gamma must be in \(0, 1\], got "1.5"/);
  });

  it.skipIf(!existsSync(FASHION))(
    'trains LeNet on a small subset: the loss falls, the test runs, plots, drawings and the saved model are written',
    async () => {
      const lines: string[] = [];
      const r = await runMnist({ data: FASHION, iters: 24, batch: 8, chunk: 8, out, trainLimit: 96, testLimit: 50, seed: 1, evalEvery: 12 }, (l) => lines.push(l));
      expect(r.loss).toHaveLength(24);
      // A test pass after 12 iterations and one at the end.
      expect(r.testCurve.map((p) => p.iteration)).toEqual([12, 24]);
      expect(r.testCurve.at(-1)!.accuracy).toBe(r.testAccuracy);
      expect(lines.filter((l) => l.startsWith('test_accuracy at iteration 12: '))).toHaveLength(1);
      expect(r.loss.every(Number.isFinite)).toBe(true);
      // Averages over a few batches: one batch's loss is noisy.
      const avg = (a: number[]): number => a.reduce((s, x) => s + x, 0) / a.length;
      expect(avg(r.loss.slice(-6))).toBeLessThan(avg(r.loss.slice(0, 6)) * 0.85);
      expect(r.testAccuracy).toBeGreaterThan(0.2); // chance is 0.1
      // Chunks of 8 end at the test pass too (8, 4 | 8, 4): four progress lines, the last one full.
      expect(lines.filter((l) => l.startsWith('['))).toHaveLength(4);
      expect(lines.some((l) => l.startsWith('[##############################] 24/24'))).toBe(true);
      for (const f of ['loss.svg', 'accuracy.svg', 'mnist_train_net.svg', 'mnist_deploy_net.svg']) {
        expect(readFileSync(join(out, f), 'utf8')).toMatch(/^<svg|<svg /);
      }
      // The tutorial's bookkeeping: Print and Summarize lines in the log, every iteration.
      const log = readFileSync(join(out, 'mnist_train.log'), 'utf8');
      expect(log).toMatch(/conv1_w\.summary:/);
      // The saved deploy model reads back: LeNet's ops, and the weights the init net fills.
      const predict = proto.decodeNetDef(readFileSync(join(out, 'mnist_deploy_predict_net.pb')));
      expect(predict.op.map((o) => o.type)).toEqual(['Conv', 'MaxPool', 'Conv', 'MaxPool', 'FC', 'Relu', 'FC', 'Softmax']);
      const init = proto.decodeNetDef(readFileSync(join(out, 'mnist_deploy_init_net.pb')));
      expect(init.op.map((o) => o.output[0])).toEqual(['conv1_w', 'conv1_b', 'conv2_w', 'conv2_b', 'fc3_w', 'fc3_b', 'pred_w', 'pred_b']);
      // Caffe2's way to load them: a Predictor on the two .pb files classifies an image.
      const predictor = new workspace.Predictor(readFileSync(join(out, 'mnist_deploy_init_net.pb')), readFileSync(join(out, 'mnist_deploy_predict_net.pb')));
      const [probs] = await predictor.run({ data: { data: new Float32Array(28 * 28).fill(0.5), shape: [1, 1, 28, 28] } });
      expect(probs!.shape).toEqual([1, 10]);
      expect(Array.from(probs!.data).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(readFileSync(join(out, 'mnist_deploy.onnx')).length).toBeGreaterThan(4 * (20 * 25 + 100 * 20 * 25 + 1600 * 500));
    },
    600_000,
  );

  it.skipIf(!existsSync(FASHION))(
    'stops at the first test pass that reaches --stop_at',
    async () => {
      const stopOut = mkdtempSync(join(tmpdir(), 'mnist-stop-'));
      try {
        const lines: string[] = [];
        // Any trained LeNet beats 1 % on 50 test images: the first pass, after 4 iterations, stops it.
        const r = await runMnist({ data: FASHION, iters: 16, batch: 8, chunk: 8, out: stopOut, trainLimit: 64, testLimit: 50, seed: 2, evalEvery: 4, stopAt: 0.01 }, (l) => lines.push(l));
        expect(r.loss).toHaveLength(4);
        expect(r.testCurve).toEqual([{ iteration: 4, accuracy: r.testAccuracy }]);
        expect(lines.some((l) => l.startsWith('test_accuracy: ') && l.includes('; 4 iterations at batch 8'))).toBe(true);
      } finally {
        rmSync(stopOut, { recursive: true });
      }
    },
    600_000,
  );
});
