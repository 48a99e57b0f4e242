/** The report of a bench run: its JSON shape, the terminal table, and the progress bar. */
import type { AdapterDescription } from '../src/index.js';
import type { BenchConfig, BenchSize, CaseResult, Measurement, Ratio } from './harness.js';
import type { PeerAdapter } from './tfjs_peer.js';
import type { Target } from './targets.js';

/** Everything a run measured, as written by `--json`. */
export interface BenchReport {
  schema: 'caffe2-webgpu-bench/1';
  date: string;
  command: string;
  durationS: number;
  options: { suites: string[]; size: BenchSize; config: BenchConfig };
  versions: Record<string, string>;
  adapter: { ours: AdapterDescription; tfjs: PeerAdapter; same: boolean };
  tfjsFlags: Record<string, unknown>;
  results: CaseResult[];
  checks: { total: number; passed: number; failed: string[] };
  targets: Target[];
}

/** Three significant digits, without exponent notation for the ranges a bench sees. */
export function fmtNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

function fmtRatio(r: Ratio, to: Measurement | undefined): string {
  if (to?.role === 'baseline') return `${(r.value * 100).toFixed(0)}% of ${r.to}`;
  return `${fmtNumber(r.value)}× vs ${r.to}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const right = new Set([3, 4]);
  return rows.map((r) => r.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n');
}

/** The terminal report: adapter, one row per figure with its ratios, checks and targets. */
export function formatTable(report: BenchReport): string {
  const a = report.adapter.ours;
  const lines = [
    `adapter: ${a.vendor} ${a.architecture} (${a.description})${a.software ? ' [software]' : ''}; tfjs on ${report.adapter.same ? 'the same adapter' : `${report.adapter.tfjs.vendor} ${report.adapter.tfjs.architecture} (NOT the same adapter)`}`,
    `versions: ${Object.entries(report.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `${report.date}, ${report.options.size} sizes; ratios: how many times faster (>1: the row is faster)`,
    '',
  ];
  const rows: string[][] = [['suite', 'case', 'impl', 'median', 'min – max', 'unit', 'ratio', 'samples']];
  for (const r of report.results) {
    for (const m of r.measurements) {
      const ratios = r.ratios.filter((x) => x.of === m.impl).map((x) => fmtRatio(x, r.measurements.find((o) => o.impl === x.to)));
      rows.push([
        r.suite,
        r.case,
        m.impl,
        fmtNumber(m.value.median),
        `${fmtNumber(m.value.min)} – ${fmtNumber(m.value.max)}`,
        m.unit,
        ratios.join(', '),
        `${m.value.n}×${m.iterations}`,
      ]);
    }
  }
  lines.push(table(rows), '');
  lines.push(`checks: ${report.checks.passed}/${report.checks.total} passed${report.checks.failed.length ? '; FAILED:' : ''}`);
  for (const f of report.checks.failed) lines.push(`  ✗ ${f}`);
  lines.push('targets:');
  for (const t of report.targets) {
    const mark = t.met === null ? '–' : t.met ? '✓' : '✗';
    const got = t.measured === null ? 'not measured in this run' : `${fmtNumber(t.measured)}${t.unit}`;
    lines.push(`  ${mark} ${t.name}: ${got} (goal ${t.goal})${t.note ? `; ${t.note}` : ''}`);
  }
  lines.push(`(${report.durationS.toFixed(1)} s)`);
  return `${lines.join('\n')}\n`;
}

/** A progress bar on a TTY (redrawn in place); one line per case elsewhere (CI logs). */
export class Progress {
  private index = 0;
  private label = '';
  private readonly t0 = performance.now();

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly total: number,
  ) {}

  /** A new case begins. */
  start(label: string): void {
    this.index++;
    this.label = label;
    if (this.out.isTTY) this.draw('');
    else this.out.write(`[${this.index}/${this.total}] ${label}\n`);
  }

  /** What within the case is being measured now (TTY only). */
  note(text: string): void {
    if (this.out.isTTY) this.draw(text);
  }

  /** Clears the bar. */
  done(): void {
    if (this.out.isTTY) this.out.write('\r\x1b[2K');
  }

  private draw(sub: string): void {
    const width = 24;
    const filled = Math.round(((this.index - 1) / Math.max(1, this.total)) * width);
    const secs = ((performance.now() - this.t0) / 1000).toFixed(0);
    const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.index}/${this.total} ${this.label}${sub ? `: ${sub}` : ''} (${secs} s)`;
    const cols = this.out.columns || 100;
    this.out.write(`\r\x1b[2K${text.slice(0, Math.max(10, cols - 1))}`);
  }
}
