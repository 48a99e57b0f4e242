import { describe, expect, it } from 'vitest';
import { core, net_drawer, netDrawer } from '../../src/index.js';

function smallNet() {
  const net = core.Net('drawn');
  const X = net.GaussianFill([], 'X', { shape: [2, 2] });
  const Y = X.FC(['W', 'b'], 'Y');
  Y.StopGradient([], 'Y');
  Y.AveragedLoss([], 'L');
  return net;
}

describe("net_drawer's Caffe2 entry points", () => {
  it('GetPydotGraph(ops, name, rankdir) honours the name and the rankdir', () => {
    const net = smallNet();
    const g = net_drawer.GetPydotGraph(net.Proto().op, 'train', 'TB');
    const dot = g.to_string();
    expect(dot).toMatch(/^digraph "train" \{\n {2}rankdir=TB;/);
    expect(String(g)).toBe(dot);
    expect(g.get_name()).toBe('train');
    expect(dot).toContain('[label="FC (op#1)"');
    // StopGradient in place: two "Y" nodes (versions 0 and 1), as Caffe2 draws it.
    expect(dot.match(/\[label="Y", shape=octagon\]/g)).toHaveLength(2);
  });

  it('takes rankdir as a keyword-style object, defaults to LR and the net name', () => {
    const net = smallNet();
    expect(net_drawer.GetPydotGraph(net, { rankdir: 'BT' }).to_string()).toMatch(/^digraph "drawn(_\d+)?" \{\n {2}rankdir=BT;/);
    expect(net_drawer.GetPydotGraph(net).to_string()).toMatch(/rankdir=LR;/);
    expect(net_drawer.GetPydotGraph(net.Proto().op).get_name()).toBe('unnamed');
    expect(net_drawer.GetPydotGraph(net, null, { rankdir: 'RL' }).to_string()).toMatch(/rankdir=RL;/);
    expect(() => net_drawer.GetPydotGraph(net, 'x', 'XY' as never).to_string()).toThrow(/rankdir must be LR, TB, RL or BT/);
  });

  it('GetPydotGraphMinimal draws ops only, minimal_dependency dropping implied edges', () => {
    const net = core.Net('mini');
    const a = net.ConstantFill([], 'a', { shape: [1] });
    const b = a.Copy([], 'b');
    net.Add([a, b], 'c');
    const full = net_drawer.GetPydotGraphMinimal(net, 'm', 'LR').to_string();
    expect(full).not.toContain('octagon');
    expect(full).toContain('"op#0" -> "op#2"');
    const minimal = net_drawer.GetPydotGraphMinimal(net, 'm', 'LR', true).to_string();
    expect(minimal).not.toContain('"op#0" -> "op#2"');
    expect(minimal).toContain('"op#1" -> "op#2"');
  });

  it('renders to SVG with the graph name as its title; PNG says what to use instead', async () => {
    const g = net_drawer.GetPydotGraph(smallNet(), 'train', 'LR');
    const svg = await g.create_svg();
    expect(svg).toMatch(/<svg/);
    expect(svg).toContain('<title>train</title>');
    expect(() => g.create_png()).toThrow(/use await graph\.create_svg\(\)/);
  });

  it('netToDot refuses a positional name instead of ignoring it', () => {
    const ops = smallNet().Proto().op;
    expect(() => netDrawer.netToDot(ops, 'train' as never)).toThrow(TypeError);
    expect(() => netDrawer.netToDot(ops, 'train' as never)).toThrow(/for Caffe2's \(net, name, rankdir\) use GetPydotGraph/);
    expect(netDrawer.netToDot(ops, { name: 'train', rankdir: 'TB' })).toMatch(/^digraph "train" \{\n {2}rankdir=TB;/);
  });
});
