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

/** The terminal is assumed this wide: every line of the table fits. */
export const TABLE_WIDTH = 100;

/** Three significant digits; exponent notation only below 0.001, where zeros would pad the column. */
export function fmtNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a >= 0.001 || a === 0) return v.toPrecision(3);
  return v.toExponential(2);
}

function fmtRatio(r: Ratio, to: Measurement | undefined): string {
  if (to?.role === 'baseline') return `${(r.value * 100).toFixed(0)}% of ${r.to}`;
  return `${fmtNumber(r.value)}× vs ${r.to}`;
}

/** Splits `text` at spaces into lines of at most `width`, continuation lines indented by `indent`. */
export function wrap(text: string, width = TABLE_WIDTH, indent = '    '): string[] {
  const lead = /^ */.exec(text)![0];
  const lines: string[] = [];
  let line = lead;
  for (const word of text.slice(lead.length).split(' ')) {
    const fresh = line.trim() === '';
    const next = fresh ? line + word : `${line} ${word}`;
    if (next.length > width && !fresh) {
      lines.push(line);
      line = lead + indent + word;
    } else line = next;
  }
  lines.push(line);
  return lines;
}

/**
 * One block per suite and case; a row per implementation with its median, range and samples, then
 * its ratios, one per line, in the last column so a long one never widens the rest.
 */
function measurementRows(report: BenchReport): string[] {
  type Row = { impl: string; median: string; range: string; samples: string; ratios: string[] };
  const blocks: Array<{ title: string; rows: Row[] }> = report.results.map((r) => ({
    title: `${r.suite} · ${r.case}`,
    rows: r.measurements.map((m) => ({
      impl: m.impl,
      median: `${fmtNumber(m.value.median)} ${m.unit}`,
      range: `${fmtNumber(m.value.min)}–${fmtNumber(m.value.max)}`,
      samples: `${m.value.n}×${m.iterations}`,
      ratios: [
        ...r.ratios.filter((x) => x.of === m.impl).map((x) => fmtRatio(x, r.measurements.find((o) => o.impl === x.to))),
        ...(m.note ? [m.note] : []),
      ],
    })),
  }));
  const all = blocks.flatMap((b) => b.rows);
  const header: Row = { impl: 'impl', median: 'median', range: 'min–max', samples: 'n×iter', ratios: ['ratio'] };
  const w = (k: 'impl' | 'median' | 'range' | 'samples'): number => Math.max(...[header, ...all].map((r) => r[k].length));
  const [wi, wm, wr, ws] = [w('impl'), w('median'), w('range'), w('samples')];
  const lead = (r: Row): string => `  ${r.impl.padEnd(wi)}  ${r.median.padStart(wm)}  ${r.range.padStart(wr)}  ${r.samples.padStart(ws)}  `;
  const blank = ' '.repeat(lead(header).length);
  const rowLines = (r: Row): string[] => (r.ratios.length ? r.ratios : ['']).map((x, i) => `${i === 0 ? lead(r) : blank}${x}`.trimEnd());
  return [...rowLines(header), ...blocks.flatMap((b) => [b.title, ...b.rows.flatMap(rowLines)])];
}

/** What `formatTable` shows beyond the measurements. */
export interface TableOptions {
  /** Also list the project's performance targets, met or not (the bench's --targets). */
  targets?: boolean;
}

/** The terminal report: adapter, each case's figures with their ratios, checks, and targets on request. */
export function formatTable(report: BenchReport, options: TableOptions = {}): string {
  const a = report.adapter.ours;
  const lines = [
    ...wrap(
      `adapter: ${a.vendor} ${a.architecture} (${a.description})${a.software ? ' [software]' : ''}; tfjs on ${report.adapter.same ? 'the same adapter' : `${report.adapter.tfjs.vendor} ${report.adapter.tfjs.architecture} (NOT the same adapter)`}`,
    ),
    ...wrap(`versions: ${Object.entries(report.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`),
    ...wrap(`${report.date}, ${report.options.size} sizes; ratio: how many times faster the row is (> 1: faster)`),
    '',
    ...measurementRows(report),
    '',
  ];
  lines.push(`checks: ${report.checks.passed}/${report.checks.total} passed${report.checks.failed.length ? '; FAILED:' : ''}`);
  for (const f of report.checks.failed) lines.push(...wrap(`  ✗ ${f}`));
  if (options.targets) {
    lines.push('targets:');
    for (const t of report.targets) {
      const mark = t.met === null ? '–' : t.met ? '✓' : '✗';
      const got = t.measured === null ? 'not measured in this run' : `${fmtNumber(t.measured)}${t.unit}`;
      lines.push(...wrap(`  ${mark} ${t.name}: ${got} (goal ${t.goal})${t.note ? `; ${t.note}` : ''}`));
    }
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
