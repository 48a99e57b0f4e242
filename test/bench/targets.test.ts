/**
 * The targets on a run of some suites only (the fixture is a real `--quick` report): a target whose
 * suite did not run says it was not measured and prints no figure of it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatTable, type BenchReport } from '../../bench/report.js';
import { evaluateTargets } from '../../bench/targets.js';

const report = JSON.parse(readFileSync(new URL('./fixtures/quick_report.json', import.meta.url), 'utf8')) as BenchReport;

describe('bench targets', () => {
  it('without the toy suite, the toy target is not measured and prints no dispatch count', () => {
    const results = report.results.filter((r) => r.suite === 'elementwise');
    const targets = evaluateTargets(results, report.adapter.ours);
    const toy = targets.find((t) => t.name.startsWith('toy step, batch 64'))!;
    expect(toy).toMatchObject({ measured: null, met: null, note: '' });
    const table = formatTable({ ...report, results, targets }, { targets: true });
    expect(table).toMatch(/– toy step, batch 64, vs tfjs-webgpu: not measured in this run \(goal/);
    expect(table).not.toMatch(/Infinity/);
    expect(targets.find((t) => t.name === 'elementwise vs vec4 copy')!.measured).not.toBeNull();
  });

  it('with the toy suite, the toy target gives its dispatches per step', () => {
    const toy = evaluateTargets(report.results, report.adapter.ours).find((t) => t.name.startsWith('toy step, batch 64'))!;
    expect(toy.measured).not.toBeNull();
    expect(toy.note).toMatch(/RunNet\(n\) on .*, [\d.]+ dispatches per step$/);
  });
});
