/**
 * The fusion pass, between shape checking and binding: consecutive ops that declare a fusable form
 * become a segment whose blobs live in one arena buffer. Blobs are copied into the arena before the
 * segment and back after it, so every blob holds what the unfused run gives. A segment whose
 * iteration fits one workgroup's budget is one generated kernel (fused_wgsl.ts) over one
 * workgroup, and when it is the whole iteration RunNet(name, n) is one dispatch that loops n times;
 * a bigger one is a few kernels over a grid of workgroups, split where the whole grid must finish
 * first (a reduction's result, a map's output read at other items). Ops without a fusable form
 * stay separate dispatches. `CAFFE2_WEBGPU_FUSION=0` or `workspace.Init({ fusion: false })` turns
 * fusion off.
 */
import type { FusedStage } from '../ops/registry.js';
import { generateFusedKernel, generateGridKernels, sourceHash, type PlacedStage } from './fused_wgsl.js';

/** A blob as one op sees it: the buffer of the blob's version there, and its element count. */
export interface FusionOperand {
  key: { readonly buffer: GPUBuffer };
  words: number;
}

/** What the pass needs to know of a checked op. */
export interface FusionOp {
  where: string;
  inputs: readonly FusionOperand[];
  outputs: readonly FusionOperand[];
  runOnce: boolean;
  random: boolean;
  fused: FusedStage[] | null;
}

/** How fusion is configured: on/off and, for tests, the lanes of the generated workgroup. */
export interface FusionSettings {
  enabled: boolean;
  /** Invocations of the fused workgroup; default by adapter (fusionLanes). */
  lanes?: number;
  /** Work one dispatch may loop over (iterations × an iteration's cost); default LOOP_WORK. */
  loopWork?: number;
  /** Work of an iteration beyond which a segment runs over a grid of workgroups; default workgroupBudget. */
  workgroupWork?: number;
  /** False: tree reductions in workgroup memory even where the adapter offers subgroup sums. */
  subgroups?: boolean;
}

function envEnabled(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.CAFFE2_WEBGPU_FUSION !== '0';
}

let settings: FusionSettings = { enabled: envEnabled() };

/** Changes the fusion settings for nets planned from now on (nets already created keep their plan). */
export function configureFusion(next: Partial<FusionSettings>): void {
  settings = { ...settings, ...next };
}

export function fusionSettings(): Readonly<FusionSettings> {
  return settings;
}

/**
 * Lanes of the fused workgroup on a software adapter. SwiftShader runs one workgroup on one CPU
 * thread, four invocations per SIMD instruction, and a barrier costs more the more invocations wait
 * (15 µs at 4, 40 at 64, 116 at 256): four lanes fill the SIMD width at the cheapest barrier
 * (measured on the toy step: 2–3× faster than one lane at batch 64 and 1024, and than 16 lanes).
 */
const SOFTWARE_LANES = 4;

/** Lanes of the fused workgroup: SOFTWARE_LANES on a CPU adapter, 256 on a GPU. */
export function fusionLanes(software: boolean): number {
  return settings.lanes ?? (software ? SOFTWARE_LANES : 256);
}

/**
 * Work (items × per-item cost, summed over stages) of an iteration that one workgroup runs: beyond
 * this the segment runs over a grid of workgroups. On a CPU adapter one workgroup is one thread
 * and a grid buys at most the few other cores for a dispatch and copies each: only huge iterations
 * gain (the toy step at batch 65536, ~10^6, is fastest in one). On a GPU one workgroup is one of
 * ~100 compute units: a grid pays off once each lane would run a few hundred items (an estimate
 * from ~5 µs per dispatch and ~1 ns per item and lane; not yet measured on a GPU).
 */
function workgroupBudget(lanes: number): number {
  return settings.workgroupWork ?? (lanes <= SOFTWARE_LANES ? 1 << 22 : lanes * 512);
}

/** Lanes of a grid segment's workgroups: 64 on a CPU adapter (a barrier there costs by lanes), 256 on a GPU. */
function gridLanes(lanes: number): number {
  return lanes <= SOFTWARE_LANES ? 64 : Math.max(lanes, 64);
}

/**
 * Work one dispatch may loop over (iterations × the segment's cost): longer runs take several
 * dispatches, so no single dispatch runs long enough to trip a GPU watchdog (about 2 s on Windows).
 */
const LOOP_WORK = 1 << 26;

/** A blob copied between its own buffer and the arena: `key` null is the RNG state. */
export interface ArenaRegion {
  key: FusionOperand['key'] | null;
  offset: number;
  words: number;
}

/** A generated kernel of a segment: name (by source hash), WGSL and the workgroups a dispatch runs. */
export interface FusedKernel {
  shader: string;
  code: string;
  workgroups: number;
}

/** Fused ops [from, to) of the net (to = ops.length + 1 includes the RNG advance). */
export interface FusedSegment {
  from: number;
  to: number;
  /** One single-workgroup kernel that loops iterations inside (`loops`), or the grid kernels of one iteration in order. */
  kernels: FusedKernel[];
  loops: boolean;
  lanes: number;
  /** Most iterations one looping dispatch runs: LOOP_WORK over an iteration's work (items × per-item cost). */
  maxLoop: number;
  arenaWords: number;
  copyIn: ArenaRegion[];
  copyOut: ArenaRegion[];
}

/** The plan in pieces: runs of ops bound as today, and fused segments. */
export type PlanPiece = { kind: 'ops'; from: number; to: number } | { kind: 'fused'; segment: FusedSegment };

/** The RNG counter advance that ends an iteration of a net with random ops, as a scalar stage. */
const RNG_ADVANCE: FusedStage = {
  class: 'scalar',
  body: 'let lo = ldu(rng + 2u) + 1u;\nstu(rng + 2u, lo);\nif (lo == 0u) {\n  stu(rng + 3u, ldu(rng + 3u) + 1u);\n}',
};

function stageCost(s: FusedStage): number {
  if (s.class === 'scalar') return 1;
  if (s.class === 'reduction') return s.items * Math.max(1, s.terms);
  return s.items * (s.cost ?? 1);
}

/** A unit of the iteration: an op (index) or the RNG advance (index ops.length). */
interface Unit {
  index: number;
  stages: FusedStage[] | null;
  cost: number;
}

/**
 * Splits a net into pieces; `lanes` from fusionLanes, `maxArenaBytes` the most one binding may see
 * (a segment whose arena would be larger stays unfused), `maxWorkgroups` the adapter's
 * maxComputeWorkgroupsPerDimension, `subgroups` whether the device has the 'subgroups' feature.
 * Returns one 'ops' piece when fusion is off.
 */
export function planFusion(ops: readonly FusionOp[], lanes: number, maxArenaBytes: number, maxWorkgroups = 65535, subgroups = false): PlanPiece[] {
  const random = ops.some((o) => o.random);
  const units: Unit[] = ops.map((o, index) => ({
    index,
    stages: o.fused,
    cost: o.fused ? o.fused.reduce((a, s) => a + stageCost(s), 0) : 0,
  }));
  if (random) units.push({ index: ops.length, stages: [RNG_ADVANCE], cost: 1 });
  if (!settings.enabled) return [{ kind: 'ops', from: 0, to: ops.length }];

  const pieces: PlanPiece[] = [];
  let opsFrom = 0;
  const flushOps = (to: number): void => {
    if (to > opsFrom) pieces.push({ kind: 'ops', from: opsFrom, to: Math.min(to, ops.length) });
  };
  let u = 0;
  while (u < units.length) {
    // The longest run of fusable units from u.
    let end = u;
    while (end < units.length && units[end]!.stages) end++;
    // Two units at least: one op alone gains little from the arena copies, and a one-op net (an op
    // test, RunOperatorOnce) then runs the op's own kernels.
    const segment = end - u >= 2 ? buildSegment(ops, units.slice(u, end), lanes, maxWorkgroups, subgroups && settings.subgroups !== false) : null;
    if (segment && segment.arenaWords * 4 <= maxArenaBytes) {
      flushOps(units[u]!.index);
      pieces.push({ kind: 'fused', segment });
      opsFrom = end < units.length ? units[end]!.index : ops.length;
      u = end;
    } else {
      u = Math.max(end, u + 1);
    }
  }
  // Unfused ops up to the end; the RNG advance (if not fused) is the planner's own dispatch.
  flushOps(ops.length);
  return pieces;
}

/** Lays out the arena of a segment, decides its copies and generates its kernels (one workgroup or a grid, by its work). */
function buildSegment(ops: readonly FusionOp[], units: readonly Unit[], lanes: number, maxWorkgroups: number, subgroups: boolean): FusedSegment {
  type Key = ArenaRegion['key'];
  const regions = new Map<Key, ArenaRegion>();
  let words = 0;
  const place = (key: Key, n: number): number => {
    let r = regions.get(key);
    if (!r) {
      r = { key, offset: words, words: n };
      regions.set(key, r);
      words += n;
    }
    return r.offset;
  };
  const written = new Set<Key>();
  const copyIn = new Set<Key>();
  const placed: PlacedStage[] = [];
  for (const unit of units) {
    const op = ops[unit.index];
    const rng = place(null, 4);
    if (!op) {
      // The RNG advance reads and writes the state.
      if (!written.has(null)) copyIn.add(null);
      written.add(null);
      placed.push({ stage: unit.stages![0]!, inputs: [], outputs: [], rng, runOnce: false, where: 'rng advance', reads: [rng], writes: [rng], pointwise: new Set() });
      continue;
    }
    if (op.random && !written.has(null)) copyIn.add(null);
    const inputs = op.inputs.map((o) => {
      if (!written.has(o.key)) copyIn.add(o.key);
      return place(o.key, o.words);
    });
    const outputs = op.outputs.map((o) => {
      // A run_once output keeps its blob's value on later runs: the arena must start from it.
      if (op.runOnce && !written.has(o.key)) copyIn.add(o.key);
      return place(o.key, o.words);
    });
    for (const o of op.outputs) written.add(o.key);
    const reads = op.random ? [...inputs, rng] : inputs;
    const wordsAt = new Map([...regions.values()].map((r) => [r.offset, r.words]));
    for (const stage of unit.stages!) {
      const claimed = 'pointwise' in stage && stage.pointwise ? (stage.pointwise === 'outputs' ? outputs : [...inputs, ...outputs]) : [];
      const pointwise = new Set(claimed.filter((o) => wordsAt.get(o) === (stage as { items: number }).items));
      const stageReads = stage.reads ? [...stage.reads.map((k) => inputs[k]!), ...(op.random ? [rng] : [])] : reads;
      const writes = stage.writes ? stage.writes.map((k) => outputs[k]!) : outputs;
      placed.push({ stage, inputs, outputs, rng, runOnce: op.runOnce, where: op.where, reads: stageReads, writes, pointwise });
    }
  }
  const arenaWords = Math.max(1, words);
  const work = units.reduce((a, u) => a + u.cost, 0);
  const loops = work <= workgroupBudget(lanes);
  const kernelLanes = loops ? lanes : gridLanes(lanes);
  const generated = loops
    ? [{ code: generateFusedKernel(placed, lanes, arenaWords, subgroups), workgroups: 1 }]
    : generateGridKernels(placed, kernelLanes, arenaWords, maxWorkgroups, subgroups);
  const last = units[units.length - 1]!.index;
  const list = (keys: Set<Key>): ArenaRegion[] => [...keys].map((k) => regions.get(k)!).filter((r) => r.words > 0);
  return {
    from: units[0]!.index,
    to: last + 1,
    kernels: generated.map((g) => ({ ...g, shader: `fused_${sourceHash(g.code)}.wgsl` })),
    loops,
    lanes: kernelLanes,
    maxLoop: loops ? Math.max(1, Math.floor((settings.loopWork ?? LOOP_WORK) / Math.max(1, work))) : 1,
    arenaWords,
    copyIn: list(copyIn),
    copyOut: list(written),
  };
}
