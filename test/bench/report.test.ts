/**
 * The bench's terminal table, on the report of a real `--quick` run on SwiftShader (samples trimmed):
 * it fits a 100-column terminal and lists the internal targets only when asked.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fmtNumber, formatTable, TABLE_WIDTH, wrap, type BenchReport } from '../../bench/report.js';

const report = JSON.parse(readFileSync(new URL('./fixtures/quick_report.json', import.meta.url), 'utf8')) as BenchReport;

function widest(text: string): number {
  return Math.max(...text.split('\n').map((l) => [...l].length));
}

describe('bench table', () => {
  it('fits 100 columns and shows every measurement with its ratios', () => {
    const table = formatTable(report);
    expect(TABLE_WIDTH).toBe(100);
    expect(widest(table)).toBeLessThanOrEqual(100);
    for (const r of report.results) {
      expect(table).toContain(`${r.suite} · ${r.case}`);
      for (const m of r.measurements) expect(table).toContain(m.impl);
    }
    expect(table).toMatch(/ours Add +1\.89 GB\/s +1\.72–2\.54 +3×4 +67% of vec4 copy\n +0\.889× vs tfjs add\n/);
    expect(table).toContain('checks: 28/28 passed');
  });

  it('lists the targets only when asked, wrapped to the same width', () => {
    expect(formatTable(report)).not.toMatch(/targets|H100|TFLOP/);
    const withTargets = formatTable(report, { targets: true });
    expect(withTargets).toMatch(/targets:\n {2}✗ toy step, batch 64/);
    expect(withTargets).toContain('goal ≥ 40 TFLOP/s, on an H100');
    expect(widest(withTargets)).toBeLessThanOrEqual(100);
  });

  it('wraps failed checks and long adapter names instead of widening the table', () => {
    const failing: BenchReport = {
      ...report,
      adapter: { ...report.adapter, ours: { ...report.adapter.ours, description: 'NVIDIA GeForce RTX 4090 Laptop GPU, driver 560.35.03 (Vulkan 1.3.289, open kernel modules)' } },
      checks: { ...report.checks, failed: [`fc 256×256×256: ours FC matches tfjs matMul (${'max |Δ| 3.1e-2 at row 17, column 203; '.repeat(3)})`] },
    };
    const table = formatTable(failing);
    expect(widest(table)).toBeLessThanOrEqual(100);
    expect(table).toMatch(/FAILED:\n {2}✗ fc 256×256×256/);
  });

  it('formats numbers in three significant digits, exponents only for tiny ones', () => {
    expect([8935.8, 21.94, 2.843, 0.1319, 0.0394, 0.000359, 1.42e-5].map(fmtNumber)).toEqual(['8936', '21.9', '2.84', '0.132', '0.0394', '3.59e-4', '1.42e-5']);
    expect(wrap('  a bb ccc dddd', 8, ' ')).toEqual(['  a bb', '   ccc', '   dddd']);
  });
});
