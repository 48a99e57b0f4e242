/** Net drawer: Caffe2 net_drawer conventions (spec §9) on the tutorial's train net (spec §2.3, §10). No GPU. */
import { describe, expect, it } from 'vitest';
import '../../src/ops/all.js';
import { Net } from '../../src/builder/net.js';
import { hasOp } from '../../src/ops/registry.js';
import type { NetDef, OperatorDef } from '../../src/core/netdef.js';
import { netToDot, netToSvg } from '../../src/viz/index.js';
import { allElements, parseXml } from './xml_check.js';

const op = (type: string, input: string[], output: string[], extra: Partial<OperatorDef> = {}): OperatorDef => ({ type, input, output, arg: [], ...extra });
const grad = { is_gradient_op: true };

/** The tutorial train net as AddGradientOperators leaves it, plus Iter/LearningRate/WeightedSum. */
const TRAIN: NetDef = {
  name: 'train',
  op: [
    op('GaussianFill', [], ['X']),
    op('FC', ['X', 'W_gt', 'B_gt'], ['Y_gt']),
    op('GaussianFill', [], ['noise']),
    op('Add', ['Y_gt', 'noise'], ['Y_noise']),
    op('StopGradient', ['Y_noise'], ['Y_noise']),
    op('FC', ['X', 'W', 'B'], ['Y_pred']),
    op('SquaredL2Distance', ['Y_noise', 'Y_pred'], ['dist']),
    op('AveragedLoss', ['dist'], ['loss']),
    op('ConstantFill', ['loss'], ['loss_autogen_grad'], grad),
    op('AveragedLossGradient', ['dist', 'loss_autogen_grad'], ['dist_grad'], grad),
    op('SquaredL2DistanceGradient', ['Y_noise', 'Y_pred', 'dist_grad'], ['Y_noise_grad', 'Y_pred_grad'], grad),
    op('FCGradient', ['X', 'W', 'Y_pred_grad'], ['W_grad', 'B_grad', 'X_grad'], grad),
    op('Iter', ['ITER'], ['ITER']),
    op('LearningRate', ['ITER'], ['LR']),
    op('WeightedSum', ['W', 'ONE', 'W_grad', 'LR'], ['W']),
    op('WeightedSum', ['B', 'ONE', 'B_grad', 'LR'], ['B']),
  ],
  external_input: ['W_gt', 'B_gt', 'W', 'B', 'ITER', 'ONE'],
  external_output: [],
};

const QUOTED = String.raw`"((?:[^"\\]|\\.)*)"`;

interface Dot {
  nodes: Map<string, string>;
  edges: Array<[string, string]>;
}

/** Reads back the node and edge statements netToDot writes, one per line. */
function parseDot(dot: string): Dot {
  const unq = (s: string): string => s.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  const nodes = new Map<string, string>();
  const edges: Array<[string, string]> = [];
  for (const line of dot.split('\n')) {
    const e = new RegExp(`^\\s*${QUOTED} -> ${QUOTED};$`).exec(line);
    if (e) {
      edges.push([unq(e[1]!), unq(e[2]!)]);
      continue;
    }
    const n = new RegExp(`^\\s*${QUOTED} \\[(.*)\\];$`).exec(line);
    if (n) nodes.set(unq(n[1]!), n[2]!);
  }
  return { nodes, edges };
}

const labelOf = (attrs: string): string => new RegExp(`label=${QUOTED}`).exec(attrs)![1]!.replace(/\\(.)/g, '$1');
const isOpAttrs = (attrs: string): boolean => attrs.includes('shape=box');

describe('netToDot (full)', () => {
  const dot = netToDot(TRAIN);
  const { nodes, edges } = parseDot(dot);
  const opIds = [...nodes].filter(([, a]) => isOpAttrs(a)).map(([id]) => id);
  const blobNodes = [...nodes].filter(([, a]) => a.includes('shape=octagon'));

  it('has one box per op and one octagon per blob version', () => {
    expect(opIds).toHaveLength(16);
    // 21 distinct blobs; Y_noise, ITER, W and B are each rewritten once, so 25 blob nodes.
    expect(blobNodes).toHaveLength(25);
    expect(nodes.size).toBe(16 + 25);
  });

  it('draws an edge per op input and output, always between a blob and an op', () => {
    expect(edges).toHaveLength(31 + 19);
    for (const [from, to] of edges) {
      expect(nodes.has(from) && nodes.has(to)).toBe(true);
      expect(isOpAttrs(nodes.get(from)!)).not.toBe(isOpAttrs(nodes.get(to)!));
    }
  });

  it('labels ops "<Type> (op#i)" and "<name>/<Type> (op#i)"', () => {
    expect(opIds.map((id) => labelOf(nodes.get(id)!))).toEqual(TRAIN.op.map((o, i) => `${o.type} (op#${i})`));
    const named = parseDot(netToDot([op('FC', ['X', 'W', 'B'], ['Y'], { name: 'fc1' })]));
    expect([...named.nodes.values()].map(labelOf)).toContain('fc1/FC (op#0)');
  });

  it('versions blobs so in-place writes make a second node with the same label', () => {
    const byLabel = new Map<string, string[]>();
    for (const [id, attrs] of blobNodes) byLabel.set(labelOf(attrs), [...(byLabel.get(labelOf(attrs)) ?? []), id]);
    expect([...byLabel].filter(([, ids]) => ids.length > 1).map(([l]) => l).sort()).toEqual(['B', 'ITER', 'W', 'Y_noise']);
    const into = (opIndex: number): string[] => edges.filter(([, t]) => t === `op#${opIndex}`).map(([f]) => f);
    const outOf = (opIndex: number): string[] => edges.filter(([f]) => f === `op#${opIndex}`).map(([, t]) => t);
    // StopGradient reads the first Y_noise and writes a new one, which the loss (op 6) and its gradient (op 10) read.
    expect(into(4)).toEqual(['Y_noise@0']);
    expect(outOf(4)).toEqual(['Y_noise@1']);
    expect(into(6)).toContain('Y_noise@1');
    expect(into(10)).toContain('Y_noise@1');
    expect(into(12)).toEqual(['ITER@0']);
    expect(outOf(12)).toEqual(['ITER@1']);
    expect(into(13)).toEqual(['ITER@1']);
    expect(into(14)).toEqual(['W@0', 'ONE@0', 'W_grad@0', 'LR@0']);
    expect(outOf(14)).toEqual(['W@1']);
  });

  it('styles gradient ops and gradient blobs apart from forward ones', () => {
    const gradOps = opIds.filter((id) => nodes.get(id)!.includes('#1A73E8')).map((id) => Number(id.slice(3)));
    expect(gradOps).toEqual([8, 9, 10, 11]);
    for (const id of opIds.filter((x) => !gradOps.includes(Number(x.slice(3))))) {
      expect(nodes.get(id)).toContain('color="#0F9D58"');
    }
    const gradBlobs = blobNodes.filter(([, a]) => a.includes('dashed')).map(([, a]) => labelOf(a)).sort();
    expect(gradBlobs).toEqual(['B_grad', 'W_grad', 'X_grad', 'Y_noise_grad', 'Y_pred_grad', 'dist_grad', 'loss_autogen_grad'].sort());
    // The type alone marks an op as a gradient op when the flag is missing.
    const unflagged = parseDot(netToDot([op('FCGradient', ['X', 'W', 'dY'], ['dW'])]));
    expect(unflagged.nodes.get('op#0')).toContain('#1A73E8');
  });

  it('uses rankdir LR and the net name by default, and honours options', () => {
    expect(dot).toMatch(/^digraph "train" \{\n {2}rankdir=LR;/);
    expect(netToDot(TRAIN.op)).toMatch(/^digraph "unnamed" \{/);
    expect(netToDot(TRAIN, { name: 'mine', rankdir: 'TB' })).toMatch(/^digraph "mine" \{\n {2}rankdir=TB;/);
    expect(() => netToDot(TRAIN, { rankdir: 'XY' as 'LR' })).toThrow(/rankdir must be LR, TB, RL or BT, got "XY"/);
    expect(() => netToDot({} as NetDef)).toThrow(/expected a Net, a NetDef/);
  });
});

describe('netToDot (minimal)', () => {
  it('keeps op nodes only, with an edge from the last writer of each input to its reader', () => {
    const { nodes, edges } = parseDot(netToDot(TRAIN, { minimal: true }));
    expect([...nodes.values()].every(isOpAttrs)).toBe(true);
    expect(nodes.size).toBe(16);
    const e = edges.map(([f, t]) => `${f.slice(3)}>${t.slice(3)}`).sort();
    expect(e).toEqual(
      ['0>1', '1>3', '2>3', '3>4', '0>5', '4>6', '5>6', '6>7', '7>8', '6>9', '8>9', '4>10', '5>10', '9>10', '0>11', '10>11', '12>13', '11>14', '13>14', '11>15', '13>15'].sort(),
    );
  });

  it("'dependency' drops edges already implied through another parent", () => {
    const { edges } = parseDot(netToDot(TRAIN, { minimal: 'dependency' }));
    const e = edges.map(([f, t]) => `${f.slice(3)}>${t.slice(3)}`);
    expect(e).toHaveLength(17);
    for (const dropped of ['6>9', '4>10', '5>10', '0>11']) expect(e).not.toContain(dropped);
    expect(e).toContain('9>10');
  });
});

describe('netToDot input forms and escaping', () => {
  it('draws a core.Net through its Proto()', () => {
    const net = new Net('draw_me');
    net.GivenTensorFill([], 'A', { shape: [2], values: [1, 2] });
    net.Copy('A', 'B');
    net.StopGradient('B', 'B');
    const { nodes, edges } = parseDot(netToDot(net));
    expect(netToDot(net)).toContain(`digraph "${net.Name()}"`);
    expect([...nodes.values()].map(labelOf)).toEqual(['GivenTensorFill (op#0)', 'A', 'Copy (op#1)', 'B', 'StopGradient (op#2)', 'B']);
    expect(edges).toEqual([
      ['op#0', 'A@0'],
      ['A@0', 'op#1'],
      ['op#1', 'B@0'],
      ['B@0', 'op#2'],
      ['op#2', 'B@1'],
    ]);
  });

  const tutorialOps = ['GaussianFill', 'FC', 'Add', 'StopGradient', 'SquaredL2Distance', 'AveragedLoss', 'Iter', 'LearningRate', 'WeightedSum'];
  it.runIf(tutorialOps.every(hasOp))('builds the same graph from the real Net + AddGradientOperators', () => {
    const n = new Net('train');
    n.GaussianFill([], 'X', { shape: [64, 2], run_once: 0 });
    n.FC(['X', 'W_gt', 'B_gt'], 'Y_gt');
    n.GaussianFill([], 'noise', { shape: [64, 1], run_once: 0 });
    n.Add(['Y_gt', 'noise'], 'Y_noise');
    n.StopGradient('Y_noise', 'Y_noise');
    n.FC(['X', 'W', 'B'], 'Y_pred');
    n.SquaredL2Distance(['Y_noise', 'Y_pred'], 'dist');
    n.AveragedLoss('dist', 'loss');
    n.AddGradientOperators(['loss']);
    n.Iter('ITER', 'ITER');
    n.LearningRate('ITER', 'LR', { base_lr: -0.1, policy: 'step', stepsize: 20, gamma: 0.9 });
    n.WeightedSum(['W', 'ONE', 'W_grad', 'LR'], 'W');
    n.WeightedSum(['B', 'ONE', 'B_grad', 'LR'], 'B');
    const real = parseDot(netToDot(n, { name: 'train' }));
    const literal = parseDot(netToDot(TRAIN));
    expect(real.edges).toEqual(literal.edges);
    expect([...real.nodes.keys()]).toEqual([...literal.nodes.keys()]);
  });

  it('escapes quotes, backslashes, newlines and DOT syntax in names', async () => {
    const weird = ['a"b', 'c\\d', 'e\nf', 'g -> h', '{i};', '\\N', '<&>'];
    const ops = [op('Copy', [weird[0]!, weird[1]!, weird[2]!], [weird[3]!, weird[4]!], { name: weird[5]! }), op('Copy', [weird[6]!], [weird[0]!])];
    const { nodes, edges } = parseDot(netToDot(ops));
    expect(nodes.size).toBe(2 + 7);
    expect(edges).toHaveLength(7);
    expect([...nodes.values()].map(labelOf)).toContain('a"b');
    const texts = allElements(parseXml(await netToSvg(ops)))
      .filter((e) => e.name === 'text')
      .map((e) => e.text);
    for (const w of ['a"b', 'c\\d', 'g -> h', '{i};', '<&>', '\\N/Copy (op#0)']) expect(texts).toContain(w);
    // A DOT newline escape becomes two text lines in Graphviz's SVG.
    expect(texts).toEqual(expect.arrayContaining(['e', 'f']));
  });
});

describe('netToSvg', () => {
  it('renders well-formed SVG with every op label and blob name', async () => {
    const svg = await netToSvg(TRAIN);
    const root = parseXml(svg);
    expect(root.name).toBe('svg');
    const els = allElements(root);
    const texts = els.filter((e) => e.name === 'text').map((e) => e.text);
    for (const [i, o] of TRAIN.op.entries()) expect(texts).toContain(`${o.type} (op#${i})`);
    for (const b of ['X', 'Y_noise', 'loss_autogen_grad', 'W_grad', 'ITER', 'LR', 'ONE']) expect(texts).toContain(b);
    expect(els.filter((e) => e.name === 'g' && e.attrs.class === 'node')).toHaveLength(41);
    expect(els.filter((e) => e.name === 'g' && e.attrs.class === 'edge')).toHaveLength(50);
    // Gradient ops are filled with the gradient colour in the rendered SVG too.
    const fills = els.filter((e) => e.name === 'polygon').map((e) => e.attrs.fill);
    expect(fills.filter((f) => f === '#1a73e8')).toHaveLength(4);
    expect(fills.filter((f) => f === '#0f9d58')).toHaveLength(12);
  });

  it('renders the minimal form', async () => {
    const els = allElements(parseXml(await netToSvg(TRAIN, { minimal: true })));
    expect(els.filter((e) => e.name === 'g' && e.attrs.class === 'node')).toHaveLength(16);
    expect(els.filter((e) => e.name === 'g' && e.attrs.class === 'edge')).toHaveLength(21);
  });
});
