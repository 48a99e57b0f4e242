/**
 * The bench in --quick mode, as a user runs it (a child process): its JSON has the documented
 * structure and every correctness check in it passed. Speed is not asserted.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../bench/cli.js';
import { missingTfjs, missingTfjsMessage } from '../../bench/tfjs_peer.js';
import { summarize, toRate } from '../../bench/stats.js';
import type { BenchReport } from '../../bench/report.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the CLI; resolves with its exit code and output whatever the code (a failed check exits 1). */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'bench/cli.ts', ...args], { cwd: root, maxBuffer: 16 << 20, timeout: 290_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}
const dir = mkdtempSync(join(tmpdir(), 'caffe2-webgpu-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench arguments and statistics', () => {
  it('parses suites, sizes and flags, and rejects what it does not know', () => {
    expect(parseArgs([])).toMatchObject({ suites: ['toy', 'fc', 'elementwise', 'overhead', 'conv', 'lenet', 'matmul'], quick: false, full: false, json: null, targets: false });
    expect(parseArgs(['--targets']).targets).toBe(true);
    expect(parseArgs(['--suite', 'overhead,toy', '--quick', '--json=x.json', '--repeats', '5'])).toMatchObject({
      suites: ['toy', 'overhead'],
      quick: true,
      json: 'x.json',
      repeats: 5,
    });
    expect(parseArgs(['--suite', 'fc', '--suite', 'all']).suites).toEqual(['toy', 'fc', 'elementwise', 'overhead', 'conv', 'lenet', 'matmul']);
    expect(() => parseArgs(['--suite', 'fcc'])).toThrow(/unknown suite "fcc" \(known: toy, fc, elementwise, overhead, conv, lenet, matmul, all\)/);
    expect(() => parseArgs(['--repeats', '0'])).toThrow(/--repeats must be a positive integer, got "0"/);
    expect(() => parseArgs(['--json'])).toThrow(/--json needs a value/);
    expect(() => parseArgs(['--quick', '--full'])).toThrow(/exclude each other/);
    expect(() => parseArgs(['--fast'])).toThrow(/unknown argument "--fast"/);
  });

  it('finds tfjs installed here, and says how to add it where it is not', () => {
    expect(missingTfjs()).toEqual([]);
    const none = missingTfjs((name) => {
      throw new Error(`Cannot find module '${name}'`);
    });
    expect(none).toEqual(['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu']);
    expect(missingTfjsMessage(none)).toBe(
      'the bench measures against TensorFlow.js, and @tensorflow/tfjs-core and @tensorflow/tfjs-backend-webgpu are not installed.\n' +
        'Add them with: npm install @tensorflow/tfjs-core@^4.22.0 @tensorflow/tfjs-backend-webgpu@^4.22.0',
    );
    expect(missingTfjsMessage(['@tensorflow/tfjs-backend-webgpu'])).toMatch(/tfjs-backend-webgpu is not installed\.\nAdd it with: npm install/);
  });

  it('summarizes samples as median, min and max, and converts times to rates', () => {
    expect(summarize([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, n: 3 });
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
    expect(toRate({ median: 2, min: 1, max: 4, n: 3 }, 8)).toEqual({ median: 4, min: 2, max: 8, n: 3 });
    expect(() => summarize([])).toThrow(/no samples/);
  });
});

describe('bench --quick', () => {
  it('runs every suite, writes the JSON, and every correctness check passes', async () => {
    const file = join(dir, 'bench.json');
    const { code, stdout, stderr } = await runCli(['--quick', '--json', file]);
    expect(stdout, stderr).toMatch(/checks: \d+\/\d+ passed/);
    const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;

    expect(report.schema).toBe('caffe2-webgpu-bench/1');
    expect(Number.isNaN(Date.parse(report.date))).toBe(false);
    expect(report.options).toMatchObject({ suites: ['toy', 'fc', 'elementwise', 'overhead', 'conv', 'lenet', 'matmul'], size: 'quick' });
    for (const key of ['caffe2-webgpu', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu', 'webgpu', 'node']) {
      expect(report.versions[key], key).toMatch(/\d+\.\d+/);
    }
    expect(report.adapter.same).toBe(true);
    expect(report.adapter.ours.vendor).toBe(report.adapter.tfjs.vendor);
    expect(report.adapter.ours.description).toBe(report.adapter.tfjs.description);

    expect(new Set(report.results.map((r) => r.suite))).toEqual(new Set(['toy', 'fc', 'elementwise', 'overhead', 'conv', 'lenet', 'matmul']));
    for (const r of report.results) {
      const where = `${r.suite} ${r.case}`;
      expect(r.measurements.length, where).toBeGreaterThan(0);
      expect(r.checks.length, where).toBeGreaterThan(0);
      for (const m of r.measurements) {
        const what = `${where}: ${m.impl}`;
        expect(['µs', 'GFLOP/s', 'GB/s'], what).toContain(m.unit);
        expect(['ours', 'tfjs', 'baseline'], what).toContain(m.role);
        expect(m.samplesUs.length, what).toBe(m.value.n);
        expect(m.value.n, what).toBeGreaterThanOrEqual(3);
        expect(m.iterations, what).toBeGreaterThanOrEqual(1);
        expect(m.warmupUs.length, what).toBeGreaterThanOrEqual(2);
        for (const s of m.samplesUs) expect(s, what).toBeGreaterThan(0);
        expect(m.value.min, what).toBeLessThanOrEqual(m.value.median);
        expect(m.value.median, what).toBeLessThanOrEqual(m.value.max);
        if (m.unit === 'µs') expect(m.value).toEqual(summarize(m.samplesUs));
        else expect(m.work, what).toBeGreaterThan(0);
      }
      for (const ratio of r.ratios) {
        expect(r.measurements.map((m) => m.impl), where).toEqual(expect.arrayContaining([ratio.of, ratio.to]));
        expect(ratio.value, where).toBeGreaterThan(0);
      }
    }
    // Each suite compares against its peer: tfjs in every suite, the vec4 copy in elementwise.
    for (const suite of ['toy', 'fc', 'elementwise', 'overhead', 'conv', 'lenet', 'matmul']) {
      const roles = report.results.filter((r) => r.suite === suite).flatMap((r) => r.measurements.map((m) => m.role));
      expect(roles, suite).toEqual(expect.arrayContaining(['ours', 'tfjs']));
    }
    expect(report.results.find((r) => r.suite === 'elementwise')!.measurements.some((m) => m.role === 'baseline')).toBe(true);

    const failed = report.results.flatMap((r) => r.checks.filter((c) => !c.passed).map((c) => `${r.suite} ${r.case}: ${c.name}: ${c.detail}`));
    expect(failed).toEqual([]);
    expect(report.checks.failed).toEqual([]);
    expect(report.checks.passed).toBe(report.checks.total);
    expect(code).toBe(0);
    expect(report.targets.map((t) => t.name)).toEqual([
      'toy step, batch 64, vs tfjs-webgpu',
      'toy step, every batch, vs tfjs-webgpu',
      'FC fp32 4096³',
      'MatMul squares vs tfjs-webgpu matMul',
      'LeNet training step vs tfjs-webgpu',
      'elementwise vs vec4 copy',
    ]);
    expect(report.targets[0]!.measured).toBeGreaterThan(0);
    expect(report.targets[1]!.measured).toBeGreaterThan(0);
    expect(report.targets[2]!.measured).toBeNull();
    expect(report.targets[4]!.measured).toBeGreaterThan(0);
  }, 300_000);
});
