/**
 * The WGSL generator of the fusion pass: turns the fusable stages of consecutive ops into one
 * compute kernel over one workgroup, or, for data too big for one, a few kernels over a grid of
 * workgroups split where the whole grid must finish first. Every blob lives in one arena buffer
 * (word offsets baked in as constants), so a kernel needs two bindings whatever the net's size;
 * the single-workgroup kernel loops `params.n` iterations inside itself, and run_once stages run
 * only when `params.first` is set on the first one. Few outputs of many terms reduce across a
 * workgroup's lanes, with subgroup sums where the device has them. Nothing here knows any
 * particular op or net: it only places the op files' pieces (FusedStage) and the lanes that run them.
 */
import type { FusedStage } from '../ops/registry.js';

/** One stage of the kernel, with where its operands sit in the arena. */
export interface PlacedStage {
  stage: FusedStage;
  /** Word offsets of the op's inputs and outputs (by index), and of the RNG state. */
  inputs: readonly number[];
  outputs: readonly number[];
  rng: number;
  /** Run only on a created net's first iteration (run_once fills). */
  runOnce: boolean;
  /** Arena offsets of the regions the stage reads and writes (its blobs, and the RNG state when it uses it). */
  reads: readonly number[];
  writes: readonly number[];
  /** Those of its regions that item i touches at word i only (a pointwise stage's operands of `items` words). */
  pointwise: ReadonlySet<number>;
  /** For messages and the generated comments: "FC (op #4 in net "train")". */
  where: string;
}

const HELPERS = `fn ldf(a: u32) -> f32 { return bitcast<f32>(arena[a]); }
fn ldi(a: u32) -> i32 { return bitcast<i32>(arena[a]); }
fn ldu(a: u32) -> u32 { return arena[a]; }
fn stf(a: u32, v: f32) { arena[a] = bitcast<u32>(v); }
fn sti(a: u32, v: i32) { arena[a] = bitcast<u32>(v); }
fn stu(a: u32, v: u32) { arena[a] = v; }`;

/** Function-scope constants naming the stage's operands. */
function operandConsts(p: PlacedStage): string {
  const lines = [
    ...p.inputs.map((off, k) => `  const in${k} = ${off}u;`),
    ...p.outputs.map((off, k) => `  const out${k} = ${off}u;`),
    `  const rng = ${p.rng}u;`,
  ];
  return lines.join('\n');
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => (l.trim() ? by + l : l))
    .join('\n');
}

/**
 * How a kernel's invocations share a stage's items. One workgroup (`single`): lane `lane` of
 * `lanes`. A grid of workgroups: invocation `gid` of `stride`, workgroup `group` of `groups`.
 */
type Grid = 'single' | 'grid';

/** Few outputs of many terms: the lanes of a workgroup split each output's terms (a tree in workgroup memory). */
function cooperative(s: FusedStage, lanes: number, grid: Grid): boolean {
  if (s.class !== 'reduction' || lanes === 1) return false;
  // In a grid, one workgroup per output while outputs are fewer than a GPU runs serially at once.
  return grid === 'single' ? s.items < lanes : s.terms > lanes && s.items < GRID_SERIAL_ITEMS;
}

/** Outputs of a reduction beyond which a grid gives each invocation whole outputs (enough of them to fill a GPU). */
const GRID_SERIAL_ITEMS = 1 << 16;

/** The body of stage function s<k> for `lanes` invocations per workgroup (a power of two). */
function stageBody(s: FusedStage, lanes: number, grid: Grid, subgroups: boolean): string {
  const L = `${lanes}u`;
  // The first item an invocation owns and the step to its next one.
  const [from, step] = grid === 'single' ? ['lane', L] : ['gid', 'stride'];
  switch (s.class) {
    case 'scalar':
      if (grid === 'grid') return `  if (gid == 0u) {\n${indent(s.body, '    ')}\n  }`;
      return lanes === 1 ? indent(s.body, '  ') : `  if (lane == 0u) {\n${indent(s.body, '    ')}\n  }`;
    case 'reduction': {
      if (!cooperative(s, lanes, grid)) {
        // Each invocation owns whole outputs and sums their terms in order.
        return [
          `  for (var i = ${from}; i < ${s.items}u; i += ${step}) {`,
          `    var acc = 0.0;`,
          `    for (var j = 0u; j < ${s.terms}u; j++) {`,
          `      acc += ${s.term};`,
          `    }`,
          indent(s.finish, '    '),
          `  }`,
        ].join('\n');
      }
      // The loop over outputs is uniform in the workgroup (it holds barriers): one workgroup's outputs.
      const [first, next] = grid === 'single' ? ['0u', '1u'] : ['group', 'groups'];
      return [
        `  for (var i = ${first}; i < ${s.items}u; i += ${next}) {`,
        `    var acc = 0.0;`,
        `    for (var j = lane; j < ${s.terms}u; j += ${L}) {`,
        `      acc += ${s.term};`,
        `    }`,
        ...(subgroups ? subgroupSum(L) : treeSum(lanes)),
        `    if (lane == 0u) {`,
        indent(s.finish, '      '),
        `    }`,
        `    workgroupBarrier();`,
        `  }`,
      ].join('\n');
    }
    default:
      return [`  for (var i = ${from}; i < ${s.items}u; i += ${step}) {`, indent(s.body, '    '), `  }`].join('\n');
  }
}

/** Lines that leave in `acc` the sum of every lane's `acc`: a tree in workgroup memory, a barrier per level. */
function treeSum(lanes: number): string[] {
  return [
    `    red[lane] = acc;`,
    `    workgroupBarrier();`,
    `    for (var h = ${lanes / 2}u; h > 0u; h >>= 1u) {`,
    `      if (lane < h) {`,
    `        red[lane] += red[lane + h];`,
    `      }`,
    `      workgroupBarrier();`,
    `    }`,
    `    acc = red[0];`,
  ];
}

/**
 * The same with subgroup sums: each subgroup adds its lanes' sums, the subgroup leaders park
 * theirs in workgroup memory, and one more subgroup sum over those gives every lane the total: one
 * barrier instead of one per tree level. Which lanes form a subgroup is the implementation's
 * choice, so leaders write at their own lane and each lane then adds every sgsz-th slot from its
 * subgroup index (the subgroups of a workgroup whose size is a multiple of the subgroup size are
 * full, so these cover every slot once).
 */
function subgroupSum(L: string): string[] {
  return [
    `    let part = subgroupAdd(acc);`,
    `    red[lane] = select(0.0, part, sgi == 0u);`,
    `    workgroupBarrier();`,
    `    var mine = 0.0;`,
    `    for (var k = sgi; k < ${L}; k += sgsz) {`,
    `      mine += red[k];`,
    `    }`,
    `    acc = subgroupAdd(mine);`,
  ];
}

function itemsOf(p: PlacedStage): number {
  return 'items' in p.stage ? p.stage.items : -1;
}

/**
 * How stage `p` must follow the earlier stage `q`: 'after' a synchronisation (it reads what q
 * wrote, or writes what q touched), 'with' q (the same, but every such region is pointwise over
 * the same items in both, so the invocation that owns item i touched word i itself, earlier in
 * its own program order), or 'free' (no region in common that either writes).
 */
function order(q: PlacedStage, p: PlacedStage): 'after' | 'with' | 'free' {
  const shared = [...q.writes.filter((r) => p.reads.includes(r) || p.writes.includes(r)), ...q.reads.filter((r) => p.writes.includes(r))];
  if (shared.length === 0) return 'free';
  const pointwise = itemsOf(p) === itemsOf(q) && shared.every((r) => p.pointwise.has(r) && q.pointwise.has(r));
  return pointwise ? 'with' : 'after';
}

/**
 * Groups stages into runs with no synchronisation needed inside a run: where a storage barrier (or
 * a new dispatch) must go. Each stage joins the earliest run its dependencies allow (stages that
 * touch nothing in common may swap); inside a run stages keep their order.
 */
function syncRuns(stages: readonly PlacedStage[]): PlacedStage[][] {
  const level: number[] = [];
  stages.forEach((p, k) => {
    let l = 0;
    for (let j = 0; j < k; j++) {
      const o = order(stages[j]!, p);
      if (o !== 'free') l = Math.max(l, level[j]! + (o === 'after' ? 1 : 0));
    }
    level.push(l);
  });
  const runs: PlacedStage[][] = Array.from({ length: Math.max(0, ...level) + 1 }, () => []);
  stages.forEach((p, k) => runs[level[k]!]!.push(p));
  return runs.filter((r) => r.length > 0);
}

/** What every generated kernel starts with: includes, params, the arena, workgroup memory, helpers, stage functions. */
function preamble(stages: readonly PlacedStage[], lanes: number, arenaWords: number, grid: Grid, subgroups: boolean): string[] {
  const includes = [...new Set(stages.flatMap((p) => p.stage.includes ?? []))];
  const args = (grid === 'single' ? 'lane: u32' : 'lane: u32, gid: u32, stride: u32, group: u32, groups: u32') + (subgroups ? ', sgi: u32, sgsz: u32' : '');
  return [
    ...(subgroups ? ['enable subgroups;'] : []),
    "// Generated by the fusion pass (src/runtime/fusion.ts) from the ops' fusable forms.",
    ...includes.map((f) => `#include "${f}"`),
    'struct Params {\n  n: u32,\n  first: u32,\n}',
    '@group(0) @binding(0) var<uniform> params: Params;',
    // A fixed size lets bounds checks clamp to a constant instead of reading the binding's length.
    `@group(0) @binding(1) var<storage, read_write> arena: array<u32, ${arenaWords}>;`,
    ...(stages.some((p) => cooperative(p.stage, lanes, grid)) ? [`var<workgroup> red: array<f32, ${lanes}>;`] : []),
    HELPERS,
    ...stages.map((p, k) => `// ${p.where}: ${p.stage.class}\nfn s${k}(${args}) {\n${operandConsts(p)}\n${stageBody(p.stage, lanes, grid, subgroups)}\n}`),
  ];
}

/** Use subgroup sums where the adapter offers them and a stage of these reduces cooperatively. */
function useSubgroups(stages: readonly PlacedStage[], lanes: number, grid: Grid, subgroups: boolean): boolean {
  return subgroups && stages.some((p) => cooperative(p.stage, lanes, grid));
}

/** The builtins a kernel's main takes for subgroup sums, and the arguments its stages get. */
const SUBGROUP_BUILTINS = ', @builtin(subgroup_invocation_id) sgi: u32, @builtin(subgroup_size) sgsz: u32';

/** The call of stage k; run_once stages only on a created net's first iteration. */
function call(p: PlacedStage, k: number, args: string): string {
  return p.runOnce ? `    if (first) {\n      s${k}(${args});\n    }` : `    s${k}(${args});`;
}

/**
 * The single-workgroup kernel for these stages: `params` (n, first) at binding 0, the arena at
 * binding 1; the whole iteration loops `params.n` times inside it.
 */
export function generateFusedKernel(stages: readonly PlacedStage[], lanes: number, arenaWords: number, subgroups = false): string {
  const sg = useSubgroups(stages, lanes, 'single', subgroups);
  const args = sg ? 'lane, sgi, sgsz' : 'lane';
  // With one lane there is nothing to wait for; with more, a stage waits (a storage barrier, 15 µs
  // and up on a CPU adapter) only when it touches a region a stage since the last barrier wrote,
  // or writes one it read. The iteration ends with one, for the next iteration's stages.
  const barrier = '    storageBarrier();';
  const runs = lanes > 1 ? syncRuns(stages) : [stages];
  const body = runs.flatMap((run, r) => [...(r > 0 ? [barrier] : []), ...run.map((p) => call(p, stages.indexOf(p), args))]);
  if (lanes > 1) body.push(barrier);
  return [
    ...preamble(stages, lanes, arenaWords, 'single', sg),
    `@compute @workgroup_size(${lanes})`,
    `fn main(@builtin(local_invocation_index) lane: u32${sg ? SUBGROUP_BUILTINS : ''}) {`,
    '  for (var it = 0u; it < params.n; it++) {',
    '    let first = params.first != 0u && it == 0u;',
    ...body,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** One dispatch of a grid segment: its kernel and how many workgroups run it. */
export interface GridKernel {
  code: string;
  workgroups: number;
}

/**
 * Kernels over many workgroups for data too big for one: the stages split where a dependency
 * needs the whole grid to have finished (a reduction's result, a map's output read at other
 * items), each run one dispatch whose invocations share every stage's items. `params.first` marks
 * a created net's first iteration; each dispatch runs one iteration.
 */
export function generateGridKernels(stages: readonly PlacedStage[], lanes: number, arenaWords: number, maxWorkgroups: number, subgroups = false): GridKernel[] {
  return syncRuns(stages).map((run) => {
    const sg = useSubgroups(run, lanes, 'grid', subgroups);
    const groups = run.map((p) => {
      const s = p.stage;
      if (s.class === 'scalar') return 1;
      return cooperative(s, lanes, 'grid') ? s.items : Math.ceil(s.items / lanes);
    });
    const workgroups = Math.max(1, Math.min(maxWorkgroups, Math.max(...groups)));
    const code = [
      ...preamble(run, lanes, arenaWords, 'grid', sg),
      `@compute @workgroup_size(${lanes})`,
      `fn main(@builtin(local_invocation_index) lane: u32, @builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>${sg ? SUBGROUP_BUILTINS : ''}) {`,
      '    let first = params.first != 0u;',
      `    let gid = wg.x * ${lanes}u + lane;`,
      `    let stride = nwg.x * ${lanes}u;`,
      ...run.map((p, k) => call(p, k, `lane, gid, stride, wg.x, nwg.x${sg ? ', sgi, sgsz' : ''}`)),
      '}',
      '',
    ].join('\n');
    return { code, workgroups };
  });
}

/** A short stable hash of generated WGSL (FNV-1a, 2 x 32 bits): the pipeline cache key. */
export function sourceHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
