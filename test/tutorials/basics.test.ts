/**
 * Caffe2's "Basics" tutorial (Basics.ipynb), ported line for line: each Python line is the comment
 * above its TypeScript. Differences are syntax, `await` on workspace calls, a seeded generator for
 * np.random, and fewer timing/training iterations so the test stays short on a software GPU.
 */
import { describe, expect, it } from 'vitest';
import { core, model_helper, net_drawer, workspace, MissingBlobError } from '../../src/index.js';
import { makeRng, useGpu } from '../helpers/gpu.js';

useGpu();

const rng = makeRng(2017);
/** np.random.rand(*shape) as nested arrays (float64 numbers; FeedBlob stores float32). */
function rand(rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, rng));
}
/** A standard normal sample (np.random.randn). */
function randn(): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

describe('Basics tutorial, line for line', () => {
  it('workspaces: feed, fetch, switch, reset', async () => {
    workspace.ResetWorkspace();
    // print("Current blobs in the workspace: {}".format(workspace.Blobs()))
    expect(workspace.Blobs()).toEqual([]);
    // print("Workspace has blob 'X'? {}".format(workspace.HasBlob("X")))
    expect(workspace.HasBlob('X')).toBe(false);
    // X = np.random.randn(2, 3).astype(np.float32)
    const X = Array.from({ length: 2 }, () => Array.from({ length: 3 }, () => Math.fround(randn())));
    // workspace.FeedBlob("X", X)
    await workspace.FeedBlob('X', X);
    // print("Workspace has blob 'X'? {}".format(workspace.HasBlob("X")))
    expect(workspace.HasBlob('X')).toBe(true);
    // print("Fetched X:\n{}".format(workspace.FetchBlob("X")))
    const fetched = await workspace.FetchBlob('X');
    expect(String(fetched)).toMatch(/^\[\[.*\]\n \[.*\]\]$/);
    // np.testing.assert_array_equal(X, workspace.FetchBlob("X"))
    expect(fetched.toArray()).toEqual(X);
    // try: workspace.FetchBlob("invincible_pink_unicorn") except RuntimeError as err: print(err)
    await expect(workspace.FetchBlob('invincible_pink_unicorn')).rejects.toThrow(MissingBlobError);
    // print("Current workspace: {}".format(workspace.CurrentWorkspace()))
    expect(workspace.CurrentWorkspace()).toBe('default');
    // workspace.SwitchWorkspace("gutentag", True)
    workspace.SwitchWorkspace('gutentag', true);
    // print("Current blobs in the workspace: {}".format(workspace.Blobs()))
    expect(workspace.Blobs()).toEqual([]);
    // workspace.SwitchWorkspace("default")
    workspace.SwitchWorkspace('default');
    expect(workspace.Blobs()).toEqual(['X']);
    // workspace.ResetWorkspace()
    workspace.ResetWorkspace();
    expect(workspace.Blobs()).toEqual([]);
  });

  it('operators: Relu and GaussianFill through CreateOperator and RunOperatorOnce', async () => {
    // op = core.CreateOperator("Relu", ["X"], ["Y"])
    let op = core.CreateOperator('Relu', ['X'], ['Y']);
    expect(op).toEqual({ type: 'Relu', input: ['X'], output: ['Y'], arg: [] });
    // print(str(op))
    expect(String(op)).toBe('input: "X"\noutput: "Y"\ntype: "Relu"\n');
    // workspace.FeedBlob("X", np.random.randn(2, 3).astype(np.float32))
    await workspace.FeedBlob('X', Array.from({ length: 2 }, () => Array.from({ length: 3 }, randn)));
    // workspace.RunOperatorOnce(op)
    await workspace.RunOperatorOnce(op);
    // print("Current blobs in the workspace: {}\n".format(workspace.Blobs()))
    expect(workspace.Blobs()).toEqual(['X', 'Y']);
    // print("Expected:\n{}\n".format(np.maximum(workspace.FetchBlob("X"), 0)))
    const x = Array.from((await workspace.FetchBlob('X')).data);
    expect(Array.from((await workspace.FetchBlob('Y')).data)).toEqual(x.map((v) => Math.max(v, 0)));

    // op = core.CreateOperator("GaussianFill", [], ["Z"], shape=[100, 100], mean=1.0, std=1.0)
    op = core.CreateOperator('GaussianFill', [], ['Z'], { shape: [100, 100], mean: 1.0, std: 1.0 });
    // workspace.RunOperatorOnce(op)
    await workspace.RunOperatorOnce(op);
    // temp = workspace.FetchBlob("Z"); pyplot.hist(temp.flatten(), bins=50)  → the histogram's centre and width
    const temp = Array.from((await workspace.FetchBlob('Z')).data);
    const mean = temp.reduce((a, b) => a + b, 0) / temp.length;
    const std = Math.sqrt(temp.reduce((a, b) => a + (b - mean) ** 2, 0) / temp.length);
    expect(Math.abs(mean - 1)).toBeLessThan(0.05);
    expect(Math.abs(std - 1)).toBeLessThan(0.05);
  });

  it('nets: build with BlobReferences, draw, RunNetOnce, CreateNet and RunNet', async () => {
    // net = core.Net("my_first_net")
    const net = core.Net('my_first_net');
    // X = net.GaussianFill([], ["X"], mean=0.0, std=1.0, shape=[2, 3], run_once=0)
    const X = net.GaussianFill([], ['X'], { mean: 0.0, std: 1.0, shape: [2, 3], run_once: 0 });
    // print("The blob name is: {}".format(str(X)))
    expect(String(X)).toBe('X');
    // W = net.GaussianFill([], ["W"], mean=0.0, std=1.0, shape=[5, 3], run_once=0)
    const W = net.GaussianFill([], ['W'], { mean: 0.0, std: 1.0, shape: [5, 3], run_once: 0 });
    // b = net.ConstantFill([], ["b"], shape=[5,], value=1.0, run_once=0)
    const b = net.ConstantFill([], ['b'], { shape: [5], value: 1.0, run_once: 0 });
    // Y = X.FC([W, b], ["Y"])
    const Y = X.FC([W, b], ['Y']);
    // print("Current network proto:\n\n{}".format(net.Proto()))
    expect(`${net.Proto()}`).toContain('op {\n  input: "X"\n  input: "W"\n  input: "b"\n  output: "Y"\n  type: "FC"\n}');
    expect(net.Proto().op.map((o) => o.type)).toEqual(['GaussianFill', 'GaussianFill', 'ConstantFill', 'FC']);
    expect(String(Y)).toBe('Y');
    // graph = net_drawer.GetPydotGraph(net, rankdir="LR")
    const graph = net_drawer.GetPydotGraph(net, { rankdir: 'LR' });
    // display.Image(graph.create_png(), width=800)  → SVG here
    expect(await graph.create_svg()).toContain('<title>my_first_net</title>');

    // workspace.ResetWorkspace()
    workspace.ResetWorkspace();
    // workspace.RunNetOnce(net)
    await workspace.RunNetOnce(net);
    // print("Blobs in the workspace after execution: {}".format(workspace.Blobs()))
    expect(workspace.Blobs()).toEqual(['W', 'X', 'Y', 'b']);
    // for name in workspace.Blobs(): print("{}:\n{}".format(name, workspace.FetchBlob(name)))
    for (const name of workspace.Blobs()) expect(String(await workspace.FetchBlob(name))).toMatch(/^\[/);
    // workspace.ResetWorkspace(); workspace.CreateNet(net); workspace.RunNet(net.Proto().name)
    workspace.ResetWorkspace();
    await workspace.CreateNet(net);
    await workspace.RunNet(net.Proto().name);
    expect(workspace.Blobs()).toEqual(['W', 'X', 'Y', 'b']);
    // for i in range(1000): workspace.RunNet(net.Proto().name)   (10 here)
    for (let i = 0; i < 10; i++) await workspace.RunNet(net.Proto().name);
    const [x, w, y] = await workspace.FetchBlobs(['X', 'W', 'Y']);
    // Y = X·Wᵀ + 1 on the last run's fresh X and W.
    for (let r = 0; r < 2; r++) {
      for (let o = 0; o < 5; o++) {
        const want = 1 + [0, 1, 2].reduce((s, k) => s + x!.data[r * 3 + k]! * w!.data[o * 3 + k]!, 0);
        expect(y!.data[r * 5 + o]).toBeCloseTo(want, 4);
      }
    }
  });

  it('models: FC, Sigmoid, SoftmaxWithLoss trained with gradients', async () => {
    workspace.ResetWorkspace();
    // data = np.random.rand(16, 100).astype(np.float32)
    let data = rand(16, 100);
    // label = (np.random.rand(16) * 10).astype(np.int32)
    let label = Int32Array.from({ length: 16 }, () => Math.floor(rng() * 10));
    // workspace.FeedBlob("data", data)
    await workspace.FeedBlob('data', data);
    // workspace.FeedBlob("label", label)
    await workspace.FeedBlob('label', label);
    // m = model_helper.ModelHelper(name="my first net")
    const m = model_helper.ModelHelper({ name: 'my first net' });
    // weight = m.param_init_net.XavierFill([], 'fc_w', shape=[10, 100])
    m.param_init_net.XavierFill([], 'fc_w', { shape: [10, 100] });
    // bias = m.param_init_net.ConstantFill([], 'fc_b', shape=[10, ])
    m.param_init_net.ConstantFill([], 'fc_b', { shape: [10] });
    // fc_1 = m.net.FC(["data", "fc_w", "fc_b"], "fc1")
    const fc_1 = m.net.FC(['data', 'fc_w', 'fc_b'], 'fc1');
    // pred = m.net.Sigmoid(fc_1, "pred")
    const pred = m.net.Sigmoid(fc_1, 'pred');
    // softmax, loss = m.net.SoftmaxWithLoss([pred, "label"], ["softmax", "loss"])
    const [softmax, loss] = m.net.SoftmaxWithLoss([pred, 'label'], ['softmax', 'loss']);
    expect([String(softmax), String(loss)]).toEqual(['softmax', 'loss']);
    // workspace.RunNetOnce(m.param_init_net)
    await workspace.RunNetOnce(m.param_init_net);
    // workspace.CreateNet(m.net)
    await workspace.CreateNet(m.net);
    // for _ in range(100):   (3 here)
    for (let step = 0; step < 3; step++) {
      // data = np.random.rand(16, 100).astype(np.float32)
      data = rand(16, 100);
      // label = (np.random.rand(16) * 10).astype(np.int32)
      label = Int32Array.from({ length: 16 }, () => Math.floor(rng() * 10));
      // workspace.FeedBlob("data", data)
      await workspace.FeedBlob('data', data);
      // workspace.FeedBlob("label", label)
      await workspace.FeedBlob('label', label);
      // workspace.RunNet(m.name, 10)
      await workspace.RunNet(m.name, 10);
    }
    // print(workspace.FetchBlob("softmax"))
    const sm = await workspace.FetchBlob('softmax');
    expect(sm.shape).toEqual([16, 10]);
    for (let r = 0; r < 16; r++) expect(Array.from(sm.data.slice(r * 10, r * 10 + 10)).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    // print(workspace.FetchBlob("loss"))
    const before = (await workspace.FetchBlob('loss')).data[0]!;
    expect(before).toBeGreaterThan(0);

    // m.AddGradientOperators([loss])
    const grads = m.AddGradientOperators([loss]);
    expect(grads.get('fc_w')?.name).toBe('fc_w_grad');
    // (the tutorial stops at the gradients; one SGD step shows they point downhill)
    const ONE = m.param_init_net.ConstantFill([], 'ONE', { shape: [1], value: 1 });
    const LR = m.param_init_net.ConstantFill([], 'LR', { shape: [1], value: -2 });
    m.net.WeightedSum(['fc_w', ONE, grads.get('fc_w')!, LR], 'fc_w');
    await workspace.RunNetOnce(m.param_init_net);
    await workspace.CreateNet(m.net, true);
    let first = 0;
    for (let i = 0; i < 20; i++) {
      await workspace.RunNet(m.name);
      const l = (await workspace.FetchBlob('loss')).data[0]!;
      if (i === 0) first = l;
      else if (i === 19) expect(l).toBeLessThan(first);
    }
  });
});
