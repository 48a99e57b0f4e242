/** `caffe2-webgpu draw`: a saved JSON NetDef drawn to SVG or DOT. No GPU. */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { drawCommand } from '../../src/viz/draw_command.js';
import { core } from '../../src/index.js';
import { buildToyRegression } from '../../src/models/toy_regression.js';
import { allElements, parseXml } from './xml_check.js';

const dir = mkdtempSync(join(tmpdir(), 'caffe2-draw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NET = {
  name: 'train',
  op: [
    { type: 'GaussianFill', input: [], output: ['X'], arg: [{ name: 'shape', ints: [4, 2] }] },
    { type: 'FC', input: ['X', 'W', 'B'], output: ['Y'], arg: [] },
    { type: 'StopGradient', input: ['Y'], output: ['Y'], arg: [] },
    { type: 'FCGradient', input: ['X', 'W', 'Y_grad'], output: ['W_grad', 'B_grad'], arg: [], is_gradient_op: true },
  ],
  external_input: ['W', 'B'],
  external_output: [],
};
const netFile = join(dir, 'net.json');
writeFileSync(netFile, JSON.stringify(NET));

/** Runs the command, collecting what it prints. */
async function run(args: string[]): Promise<string> {
  let out = '';
  await drawCommand(args, { stdout: (t) => (out += t), example: () => buildToyRegression().train.Proto() });
  return out;
}

describe('drawCommand', () => {
  it('writes an SVG file with every op drawn', async () => {
    const out = join(dir, 'net.svg');
    expect(await run([netFile, '--out', out])).toBe(`wrote ${out} (SVG: net "train", 4 ops)\n`);
    const els = allElements(parseXml(readFileSync(out, 'utf8')));
    const texts = els.filter((e) => e.name === 'text').map((e) => e.text);
    for (const label of ['GaussianFill (op#0)', 'FC (op#1)', 'StopGradient (op#2)', 'FCGradient (op#3)']) expect(texts).toContain(label);
    expect(els.filter((e) => e.attrs.class === 'node')).toHaveLength(4 + 8);
    expect(els.find((e) => e.name === 'title')!.text).toBe('train');
  });

  it('writes DOT for a .dot file and honours --rankdir and --minimal', async () => {
    const out = join(dir, 'net.dot');
    await run([netFile, '--out', out, '--rankdir', 'tb', '--minimal']);
    const dot = readFileSync(out, 'utf8');
    expect(dot).toMatch(/^digraph "train" \{\n {2}rankdir=TB;/);
    expect(dot).not.toContain('octagon');
    expect(dot.match(/->/g)).toHaveLength(3);
  });

  it('prints to standard output without --out (SVG unless --format dot)', async () => {
    expect(await run([netFile])).toMatch(/^<\?xml[\s\S]*<\/svg>\s*$/);
    const dot = await run([netFile, '--format', 'dot', '--name', 'renamed']);
    expect(dot).toMatch(/^digraph "renamed"/);
    expect(dot.match(/->/g)).toHaveLength((0 + 1) + (3 + 1) + (1 + 1) + (3 + 2));
    expect(await run(['--help'])).toContain('usage: caffe2-webgpu draw');
  });

  it('draws the built-in Toy Regression train net with --example, no file needed', async () => {
    const out = join(dir, 'example.dot');
    expect(await run(['--example', '--out', out])).toBe(`wrote ${out} (DOT: net "train", 16 ops)\n`);
    const dot = readFileSync(out, 'utf8');
    for (const label of ['GaussianFill (op#0)', 'AveragedLoss (op#7)', 'WeightedSum (op#15)']) expect(dot).toContain(label);
    await expect(run(['--example', netFile])).rejects.toThrow(/--example draws the built-in net: give it or a file/);
    await expect(run([])).rejects.toThrow(/no net file given \(or --example/);
  });

  it("reads protobuf's JSON form (camelCase, empty lists left out) and names an unnamed net after its file", async () => {
    const file = join(dir, 'proto_style.json');
    writeFileSync(file, JSON.stringify({ op: [{ type: 'ConstantFill', output: ['loss_autogen_grad'], isGradientOp: true }, { type: 'Copy', input: ['a'], output: ['b'] }] }));
    const dot = await run([file, '--format', 'dot']);
    expect(dot).toMatch(/^digraph "proto_style"/);
    expect(dot).toMatch(/"op#0" \[label="ConstantFill \(op#0\)", shape=box, style=filled, color="#1A73E8"/);
  });

  it('explains bad input and bad options', async () => {
    await expect(run([])).rejects.toThrow(/no net file given/);
    await expect(run([join(dir, 'missing.json')])).rejects.toThrow(/cannot read .*missing\.json/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"op": [');
    await expect(run([bad])).rejects.toThrow(/bad\.json is not valid JSON/);
    writeFileSync(bad, '{"ops": []}');
    await expect(run([bad])).rejects.toThrow(/expected a NetDef object with an "op" list/);
    writeFileSync(bad, '{"op": [{"type": "FC", "input": "X"}]}');
    await expect(run([bad])).rejects.toThrow(/op 0 \(FC\) "input" must be a list of blob names/);
    await expect(run([netFile, '--out', join(dir, 'x.png')])).rejects.toThrow(/cannot tell the format from ".*x\.png"/);
    await expect(run([netFile, '--rankdir', 'up'])).rejects.toThrow(/--rankdir must be LR, TB, RL or BT, got "UP"/);
    await expect(run([netFile, '--colour'])).rejects.toThrow(/unknown option --colour/);
    await expect(run([netFile, '--out'])).rejects.toThrow(/--out needs a value/);
  });

  it('runs as the package bin (cli.ts → draw)', () => {
    const root = resolve(import.meta.dirname, '../..');
    const tsx = join(root, 'node_modules/.bin/tsx');
    const ok = spawnSync(tsx, [join(root, 'src/cli.ts'), 'draw', netFile, '--format', 'dot'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^digraph "train"/);
    const bad = spawnSync(tsx, [join(root, 'src/cli.ts'), 'draw', join(dir, 'missing.json')], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^caffe2-webgpu draw: cannot read/);
    const unknown = spawnSync(tsx, [join(root, 'src/cli.ts'), 'paint'], { encoding: 'utf8' });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('unknown command "paint"');
    // Asked-for help and the version go to stdout (pipeable); a missing command is a mistake (stderr, 1).
    const help = spawnSync(tsx, [join(root, 'src/cli.ts'), '--help'], { encoding: 'utf8' });
    expect([help.status, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toMatch(/^usage: caffe2-webgpu <draw\|bench\|make_mnist_db>[\s\S]*--example[\s\S]*make_mnist_db --image_file[\s\S]*caffe2-webgpu bench/);
    const version = spawnSync(tsx, [join(root, 'src/cli.ts'), '--version'], { encoding: 'utf8' });
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect([version.status, version.stdout]).toEqual([0, `caffe2-webgpu ${pkg.version}\n`]);
    const none = spawnSync(tsx, [join(root, 'src/cli.ts')], { encoding: 'utf8' });
    expect([none.status, none.stdout]).toEqual([1, '']);
    expect(none.stderr).toMatch(/^no command given\nusage:/);
  });
});

describe('draw from a binary NetDef', () => {
  it('reads a .pb file written by ProtoBytes', async () => {
    const d = mkdtempSync(join(tmpdir(), 'draw-pb-'));
    const net = core.Net('pbdraw');
    net.GivenTensorFill([], 'W', { shape: [1], values: [1] });
    net.Copy(['W'], 'W2');
    writeFileSync(join(d, 'net.pb'), net.ProtoBytes());
    await drawCommand([join(d, 'net.pb'), '--out', join(d, 'net.dot')]);
    const dot = readFileSync(join(d, 'net.dot'), 'utf8');
    expect(dot).toContain('GivenTensorFill (op#0)');
    expect(dot).toContain('Copy (op#1)');
    writeFileSync(join(d, 'bad.pb'), Uint8Array.of(0x0a, 0xff));
    await expect(drawCommand([join(d, 'bad.pb')])).rejects.toThrow(/bad\.pb: /);
  });
});
