/**
 * The WGSL generator of the fusion pass: turns the fusable stages of consecutive ops into one
 * compute kernel over one workgroup. Every blob lives in one arena buffer (word offsets baked in as
 * constants), so the kernel needs two bindings whatever the net's size; the iteration loop runs
 * `params.n` times inside the kernel, and run_once stages only when `params.first` is set on the
 * loop's first pass. Nothing here knows any particular op or net: it only places the op files'
 * pieces (FusedStage) and the lanes that run them.
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

/** The body of stage function s<k> for `lanes` invocations (a power of two). */
function stageBody(s: FusedStage, lanes: number): string {
  const L = `${lanes}u`;
  switch (s.class) {
    case 'scalar':
      return lanes === 1 ? indent(s.body, '  ') : `  if (lane == 0u) {\n${indent(s.body, '    ')}\n  }`;
    case 'reduction': {
      const serial = lanes === 1 || s.items >= lanes;
      if (serial) {
        // Each lane owns whole outputs and sums their terms in order.
        return [
          `  for (var i = lane; i < ${s.items}u; i += ${L}) {`,
          `    var acc = 0.0;`,
          `    for (var j = 0u; j < ${s.terms}u; j++) {`,
          `      acc += ${s.term};`,
          `    }`,
          indent(s.finish, '    '),
          `  }`,
        ].join('\n');
      }
      // Few outputs, many terms: the lanes split the terms and a tree in workgroup memory adds them.
      return [
        `  for (var i = 0u; i < ${s.items}u; i++) {`,
        `    var acc = 0.0;`,
        `    for (var j = lane; j < ${s.terms}u; j += ${L}) {`,
        `      acc += ${s.term};`,
        `    }`,
        `    red[lane] = acc;`,
        `    workgroupBarrier();`,
        `    for (var h = ${lanes / 2}u; h > 0u; h >>= 1u) {`,
        `      if (lane < h) {`,
        `        red[lane] += red[lane + h];`,
        `      }`,
        `      workgroupBarrier();`,
        `    }`,
        `    acc = red[0];`,
        `    if (lane == 0u) {`,
        indent(s.finish, '      '),
        `    }`,
        `    workgroupBarrier();`,
        `  }`,
      ].join('\n');
    }
    default:
      return [`  for (var i = lane; i < ${s.items}u; i += ${L}) {`, indent(s.body, '    '), `  }`].join('\n');
  }
}

/** The complete kernel for these stages: `params` (n, first) at binding 0, the arena at binding 1. */
export function generateFusedKernel(stages: readonly PlacedStage[], lanes: number, arenaWords: number): string {
  const includes = [...new Set(stages.flatMap((p) => p.stage.includes ?? []))];
  const cooperative = lanes > 1 && stages.some((p) => p.stage.class === 'reduction' && p.stage.items < lanes);
  const fns = stages.map(
    (p, k) => `// ${p.where}: ${p.stage.class}\nfn s${k}(lane: u32) {\n${operandConsts(p)}\n${stageBody(p.stage, lanes)}\n}`,
  );
  const calls = stages.map((p, k) => (p.runOnce ? `    if (first) {\n      s${k}(lane);\n    }` : `    s${k}(lane);`));
  // With one lane there is nothing to wait for; with more, a stage waits (a storage barrier, 15 µs
  // and up on a CPU adapter) only when it touches a region a stage since the last barrier wrote,
  // or writes one it read. The iteration ends with one, for the next iteration's stages.
  const body: string[] = [];
  const barrier = '    storageBarrier();';
  let written = new Set<number>();
  let read = new Set<number>();
  stages.forEach((p, k) => {
    if (lanes > 1 && (p.reads.some((r) => written.has(r)) || p.writes.some((w) => written.has(w) || read.has(w)))) {
      body.push(barrier);
      written = new Set();
      read = new Set();
    }
    body.push(calls[k]!);
    for (const r of p.reads) read.add(r);
    for (const w of p.writes) written.add(w);
  });
  if (lanes > 1) body.push(barrier);
  return [
    '// Generated by the fusion pass (src/runtime/fusion.ts) from the ops\' fusable forms.',
    ...includes.map((f) => `#include "${f}"`),
    'struct Params {\n  n: u32,\n  first: u32,\n}',
    '@group(0) @binding(0) var<uniform> params: Params;',
    // A fixed size lets bounds checks clamp to a constant instead of reading the binding's length.
    `@group(0) @binding(1) var<storage, read_write> arena: array<u32, ${arenaWords}>;`,
    ...(cooperative ? [`var<workgroup> red: array<f32, ${lanes}>;`] : []),
    HELPERS,
    ...fns,
    `@compute @workgroup_size(${lanes})`,
    'fn main(@builtin(local_invocation_index) lane: u32) {',
    '  for (var it = 0u; it < params.n; it++) {',
    '    let first = params.first != 0u && it == 0u;',
    ...body,
    '  }',
    '}',
    '',
  ].join('\n');
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
