/**
 * The benchmark CLI: `npm run bench -- [--suite toy|fc|elementwise|overhead|conv|lenet|matmul|all] [--quick|--full]
 * [--json FILE] [--repeats N]`. Our runtime and tfjs-webgpu on the same adapter in one process;
 * a table on stdout, a progress bar on stderr, every sample in the JSON.
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { workspace, type AdapterDescription } from '../src/index.js';
import { ownVersion } from '../src/version_node.js';
import { benchConfig, type CaseResult, type Suite } from './harness.js';
import { missingTfjs, missingTfjsMessage, openTfjsPeer, packageVersion, TFJS_INSTALL, type PeerAdapter, type TfjsPeer } from './tfjs_peer.js';
import { toySuite } from './suites/toy.js';
import { fcSuite } from './suites/fc.js';
import { elementwiseSuite } from './suites/elementwise.js';
import { overheadSuite } from './suites/overhead.js';
import { convSuite } from './suites/conv.js';
import { lenetSuite } from './suites/lenet.js';
import { matmulSuite } from './suites/matmul.js';
import { formatTable, Progress, type BenchReport } from './report.js';
import { evaluateTargets } from './targets.js';

const SUITES: readonly Suite[] = [toySuite, fcSuite, elementwiseSuite, overheadSuite, convSuite, lenetSuite, matmulSuite];

/** What the command line asked for. */
export interface BenchArgs {
  suites: string[];
  quick: boolean;
  full: boolean;
  json: string | null;
  repeats: number | undefined;
  /** Also print the project's performance targets (always in the JSON). */
  targets: boolean;
  help: boolean;
}

export const USAGE = `usage: caffe2-webgpu bench [--suite S] [--quick|--full] [--json FILE] [--repeats N] [--targets]
  --suite S     toy, fc, elementwise, overhead, conv, lenet, matmul or all (repeatable, or comma-separated; default all)
  --quick       CI-sized run: small sizes, few repeats (under a minute on a software adapter)
  --full        the full sizes, for a real GPU: adds FC 2048³ and 4096³ (hours on a software adapter)
  --json FILE   also write adapter, versions, date, every sample and every check to FILE
  --repeats N   at most N samples per figure (default 9; 3 with --quick)
  --targets     also list the project's performance targets, met or not
The default sizes take about 5 minutes on a software adapter (SwiftShader): use --quick there.
Needs TensorFlow.js (an optional peer dependency): ${TFJS_INSTALL}
suites:
${SUITES.map((s) => `  ${s.name.padEnd(12)}${s.description}`).join('\n')}`;

/** Parses the bench's arguments; throws an Error naming the bad one. */
export function parseArgs(args: readonly string[]): BenchArgs {
  const out: BenchArgs = { suites: [], quick: false, full: false, json: null, repeats: undefined, targets: false, help: false };
  const value = (i: number, flag: string): string => {
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const raw = args[i]!;
    const [flag, inline] = raw.startsWith('--') && raw.includes('=') ? [raw.slice(0, raw.indexOf('=')), raw.slice(raw.indexOf('=') + 1)] : [raw, undefined];
    const take = (): string => inline ?? value(i++, flag);
    switch (flag) {
      case '--suite':
        out.suites.push(...take().split(',').filter(Boolean));
        break;
      case '--quick':
        out.quick = true;
        break;
      case '--full':
        out.full = true;
        break;
      case '--targets':
        out.targets = true;
        break;
      case '--json':
        out.json = take();
        break;
      case '--repeats': {
        const v = take();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new Error(`--repeats must be a positive integer, got "${v}"`);
        out.repeats = n;
        break;
      }
      case '--help':
      case '-h':
        out.help = true;
        break;
      default:
        throw new Error(`unknown argument "${raw}"`);
    }
  }
  if (out.quick && out.full) throw new Error('--quick and --full exclude each other');
  const names = SUITES.map((s) => s.name);
  if (out.suites.length === 0 || out.suites.includes('all')) out.suites = names;
  for (const s of out.suites) {
    if (!names.includes(s)) throw new Error(`unknown suite "${s}" (known: ${names.join(', ')}, all)`);
  }
  out.suites = names.filter((n) => out.suites.includes(n));
  return out;
}

function sameAdapter(a: AdapterDescription, b: PeerAdapter): boolean {
  return a.vendor === b.vendor && a.architecture === b.architecture && a.device === b.device && a.description === b.description;
}

/** Runs the chosen suites and returns the report (the GPU is opened here and shut down after). */
export async function runBench(opts: BenchArgs, command: string): Promise<BenchReport> {
  const started = performance.now();
  const config = benchConfig(opts.quick ? 'quick' : opts.full ? 'full' : 'default', opts.repeats);
  const suites = SUITES.filter((s) => opts.suites.includes(s.name));
  const ours = await workspace.Init();
  const cases = suites.flatMap((s) => s.cases(config, ours).map((c) => ({ suite: s.name, c })));
  // The overhead suite is the same size in every mode; the others grow, FC the most.
  if (ours.software && !opts.quick && opts.suites.some((n) => n !== 'overhead')) {
    const how = opts.full ? 'the --full sizes take hours' : 'the default sizes take minutes (about 5 for all suites)';
    process.stderr.write(`bench: ${ours.architecture || ours.vendor} is a software adapter: ${how} here; --quick takes under a minute.\n`);
  }
  let peer: TfjsPeer;
  try {
    peer = await openTfjsPeer();
  } catch (e) {
    // Dawn keeps Node alive while a device lives: let ours go before reporting.
    await workspace.Shutdown();
    throw e;
  }
  const progress = new Progress(process.stderr, cases.length);
  const results: CaseResult[] = [];
  let tfjsFlags: Record<string, unknown> = {};
  try {
    for (const { suite, c } of cases) {
      progress.start(`${suite} ${c.name}`);
      try {
        results.push(await c.run({ config, peer, note: (t) => progress.note(t) }));
      } catch (e) {
        // One broken case (an op missing, a GPU error) is a failed check, not a lost run.
        const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        results.push({ suite, case: c.name, params: {}, measurements: [], ratios: [], checks: [{ name: 'ran to completion', passed: false, detail }] });
      }
    }
    tfjsFlags = peer.flags();
  } finally {
    progress.done();
    peer.close();
    await workspace.Shutdown();
  }
  const same = sameAdapter(ours, peer.adapter);
  const adapterCheck = {
    name: 'tfjs runs on the same adapter as ours',
    passed: same,
    detail: `ours: ${ours.vendor}/${ours.architecture}/${ours.description}; tfjs: ${peer.adapter.vendor}/${peer.adapter.architecture}/${peer.adapter.description}`,
  };
  const allChecks = [adapterCheck, ...results.flatMap((r) => r.checks.map((c) => ({ ...c, name: `${r.suite} ${r.case}: ${c.name}` })))];
  const failed = allChecks.filter((c) => !c.passed).map((c) => `${c.name} (${c.detail})`);
  return {
    schema: 'caffe2-webgpu-bench/1',
    date: new Date().toISOString(),
    command,
    durationS: (performance.now() - started) / 1000,
    options: { suites: opts.suites, size: config.size, config },
    versions: {
      'caffe2-webgpu': ownVersion(),
      '@tensorflow/tfjs-core': peer.versions.tfjsCore,
      '@tensorflow/tfjs-backend-webgpu': peer.versions.tfjsBackendWebgpu,
      webgpu: packageVersion('webgpu'),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    adapter: { ours, tfjs: peer.adapter, same },
    tfjsFlags,
    results,
    checks: { total: allChecks.length, passed: allChecks.length - failed.length, failed },
    targets: evaluateTargets(results, ours),
  };
}

/** `caffe2-webgpu bench …`: runs, prints the table, writes the JSON; resolves to the exit code. */
export async function benchCommand(args: string[]): Promise<number> {
  let opts: BenchArgs;
  try {
    opts = parseArgs(args);
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const missing = missingTfjs();
  if (missing.length) {
    process.stderr.write(`bench: ${missingTfjsMessage(missing)}\n`);
    return 1;
  }
  let report: BenchReport;
  try {
    report = await runBench(opts, ['caffe2-webgpu bench', ...args].join(' '));
  } catch (e) {
    process.stderr.write(`bench: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
    return 1;
  }
  process.stdout.write(formatTable(report, { targets: opts.targets }));
  if (opts.json) {
    writeFileSync(opts.json, `${JSON.stringify(report, null, 1)}\n`);
    process.stdout.write(`\nwrote ${opts.json}\n`);
  }
  return report.checks.failed.length === 0 ? 0 : 1;
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return pathToFileURL(realpathSync(entry)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isMain()) {
  process.exitCode = await benchCommand(process.argv.slice(2));
}
