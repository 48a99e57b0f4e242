/**
 * Net drawer after Caffe2's `net_drawer.py`: operators are boxes labelled "<Type> (op#i)", blobs are
 * octagons, edges run blob → op → blob. Produces Graphviz DOT; `netToSvg` lays it out with the real
 * Graphviz (the @viz-js/viz WebAssembly build), which runs the same in Node and in browsers.
 */
import type { NetDef, NetLike, OperatorDef } from '../core/netdef.js';
import { netDefOf } from '../core/netdef.js';

/** Anything the drawer accepts: a Net (anything with `Proto()`), a NetDef, or a list of ops. */
export type Drawable = NetDef | readonly OperatorDef[] | { Proto(): NetDef };

/** Options of `netToDot` / `netToSvg`. */
export interface NetDrawOptions {
  /** Graph name; defaults to the NetDef's name, else "unnamed" (as GetPydotGraph). */
  name?: string;
  /** Graphviz rankdir; Caffe2's default and the tutorial's choice is "LR". */
  rankdir?: 'LR' | 'TB' | 'RL' | 'BT';
  /**
   * Op nodes only, with an edge from the op that last wrote an input to its reader
   * (GetPydotGraphMinimal); 'dependency' also drops edges implied transitively.
   */
  minimal?: boolean | 'dependency';
}

/** Caffe2's op colour; gradient ops get a second colour so the backward half reads apart. */
const OP_STYLE = 'shape=box, style=filled, color="#0F9D58", fontcolor="#FFFFFF"';
const GRAD_OP_STYLE = 'shape=box, style=filled, color="#1A73E8", fontcolor="#FFFFFF"';
const BLOB_STYLE = 'shape=octagon';
/**
 * Graphviz sizes boxes from its own metrics of the named font. DejaVu Sans is the widest common sans
 * font, so sizing for it keeps labels inside their boxes whichever font the viewer ends up with;
 * the SVG then lists fallbacks, as Graphviz would name only DejaVu (absent on most Macs and Windows).
 */
const LAYOUT_FONT = 'DejaVu Sans';
const SVG_FONTS = 'DejaVu Sans,Helvetica,Arial,sans-serif';
const GRAD_BLOB_STYLE = 'shape=octagon, style="filled,dashed", color="#1A73E8", fillcolor="#E8F0FE"';

/** Forward ops whose type happens to end in "Gradient". */
const FORWARD_GRADIENT_NAMED = new Set(['StopGradient']);

/** True for ops the autodiff emitted (flagged) or whose type names them as a gradient (for unflagged JSON). */
export function isGradientOp(op: OperatorDef): boolean {
  return op.is_gradient_op === true || (op.type.endsWith('Gradient') && !FORWARD_GRADIENT_NAMED.has(op.type));
}

/** True for blobs named by the autodiff's gradient naming (`X_grad`, `loss_autogen_grad`, `_X_grad_autosplit_0`). */
export function isGradientBlob(name: string): boolean {
  return name.includes('_grad');
}

/** A DOT double-quoted string: backslashes doubled so labels never gain Graphviz escapes like \N. */
function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

function operatorsOf(net: Drawable): { ops: readonly OperatorDef[]; name: string | undefined } {
  if (Array.isArray(net)) return { ops: net as readonly OperatorDef[], name: undefined };
  const def = typeof net === 'object' && net !== null ? netDefOf(net as NetLike) : undefined;
  if (!def || !Array.isArray(def.op)) {
    throw new TypeError('netToDot: expected a Net, a NetDef ({name, op: [...]}) or a list of OperatorDefs');
  }
  return { ops: def.op, name: def.name || undefined };
}

/** The label GetPydotGraph gives an op: "<Type> (op#i)" or "<name>/<Type> (op#i)". */
export function opLabel(op: OperatorDef, index: number): string {
  return `${op.name ? `${op.name}/` : ''}${op.type} (op#${index})`;
}

function opNode(op: OperatorDef, index: number): string {
  return `  ${quote(`op#${index}`)} [label=${quote(opLabel(op, index))}, ${isGradientOp(op) ? GRAD_OP_STYLE : OP_STYLE}];`;
}

/**
 * Blob versions follow GetPydotGraph: a blob's first appearance is version 0 and every later write
 * makes a new node, so in-place ops (StopGradient, Iter, WeightedSum) show two nodes with one label.
 * Node ids are "<name>@<version>": the version after the last "@" keeps them distinct for any name.
 */
function fullBody(ops: readonly OperatorDef[]): string[] {
  const lines: string[] = [];
  const version = new Map<string, number>();
  const blobId = (name: string): string => quote(`${name}@${version.get(name)}`);
  const addBlob = (name: string, v: number): void => {
    version.set(name, v);
    lines.push(`  ${blobId(name)} [label=${quote(name)}, ${isGradientBlob(name) ? GRAD_BLOB_STYLE : BLOB_STYLE}];`);
  };
  ops.forEach((op, i) => {
    lines.push(opNode(op, i));
    const opId = quote(`op#${i}`);
    for (const input of op.input) {
      if (!version.has(input)) addBlob(input, 0);
      lines.push(`  ${blobId(input)} -> ${opId};`);
    }
    for (const output of op.output) {
      addBlob(output, version.has(output) ? version.get(output)! + 1 : 0);
      lines.push(`  ${opId} -> ${blobId(output)};`);
    }
  });
  return lines;
}

/** GetPydotGraphMinimal, with repeated edges between the same two ops drawn once. */
function minimalBody(ops: readonly OperatorDef[], dependencyOnly: boolean): string[] {
  const lines: string[] = [];
  const producer = new Map<string, number>();
  const ancestry: Array<Set<number>> = [];
  ops.forEach((op, i) => {
    lines.push(opNode(op, i));
    const parents = [...new Set(op.input.filter((b) => producer.has(b)).map((b) => producer.get(b)!))];
    const ancestors = new Set<number>(parents);
    for (const p of parents) for (const a of ancestry[p]!) ancestors.add(a);
    ancestry.push(ancestors);
    for (const p of parents) {
      if (dependencyOnly && parents.some((other) => ancestry[other]!.has(p))) continue;
      lines.push(`  ${quote(`op#${p}`)} -> ${quote(`op#${i}`)};`);
    }
    for (const output of op.output) producer.set(output, i);
  });
  return lines;
}

/** Graphviz DOT text for a net, following Caffe2's net_drawer conventions. */
export function netToDot(net: Drawable, options: NetDrawOptions = {}): string {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    // netToDot(ops, "train", …) would otherwise drop the name silently; the positional form is GetPydotGraph.
    throw new TypeError(
      `netToDot: the second argument is an options object ({ name, rankdir, minimal }), got ${JSON.stringify(options)}; for Caffe2's (net, name, rankdir) use GetPydotGraph`,
    );
  }
  const { ops, name } = operatorsOf(net);
  const rankdir = options.rankdir ?? 'LR';
  if (!['LR', 'TB', 'RL', 'BT'].includes(rankdir)) {
    throw new TypeError(`netToDot: rankdir must be LR, TB, RL or BT, got ${JSON.stringify(rankdir)}`);
  }
  const body = options.minimal ? minimalBody(ops, options.minimal === 'dependency') : fullBody(ops);
  return [
    `digraph ${quote(options.name ?? name ?? 'unnamed')} {`,
    `  rankdir=${rankdir};`,
    // Tighter than Graphviz's defaults so a long training net stays readable when scaled to a page.
    '  nodesep=0.25; ranksep=0.4;',
    `  node [fontname="${LAYOUT_FONT}", fontsize=11, margin="0.12,0.04", height=0.3];`,
    '  edge [color="#5F6368", arrowsize=0.7];',
    ...body,
    '}',
    '',
  ].join('\n');
}

type VizInstance = Awaited<ReturnType<typeof import('@viz-js/viz').instance>>;
let viz: Promise<VizInstance> | undefined;

/** Graphviz's WebAssembly module, loaded once on first use (it is ~1.5 MB). */
function graphviz(): Promise<VizInstance> {
  viz ??= import('@viz-js/viz').then((m) => m.instance());
  return viz;
}

/** Renders DOT text to an SVG document with Graphviz's `dot` layout. */
export async function dotToSvg(dot: string): Promise<string> {
  const result = (await graphviz()).render(dot, { format: 'svg', engine: 'dot' });
  if (result.status !== 'success') {
    throw new Error(`Graphviz could not render the graph: ${result.errors.map((e) => e.message.trim()).join('; ')}`);
  }
  return result.output;
}

/** The net drawn as SVG text (Graphviz layout of `netToDot`). */
export async function netToSvg(net: Drawable, options: NetDrawOptions = {}): Promise<string> {
  const svg = await dotToSvg(netToDot(net, options));
  return svg.replaceAll(`font-family="${LAYOUT_FONT}"`, `font-family="${SVG_FONTS}"`);
}
