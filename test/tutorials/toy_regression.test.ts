/**
 * Caffe2's "Toy Regression" tutorial (toy_regression.ipynb), ported line for line: each Python line
 * is the comment above its TypeScript. Only the syntax changes, plus `await` on workspace calls and
 * `gradient_map.get(W)` for `gradient_map[W]` (TypeScript cannot index by an object).
 */
import { describe, expect, it } from 'vitest';
import { core, net_drawer, workspace } from '../../src/index.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

const NUMPY_ROW = /^\[\[\s*-?\d+\.\d*(e[-+]\d+)?\s+-?\d+\.\d*(e[-+]\d+)?\]\]$/;

describe('Toy Regression tutorial, line for line', () => {
  it('builds, draws, trains and converges as the notebook does', async () => {
    workspace.ResetWorkspace();
    workspace.SetSeed(12);
    const printed: string[] = [];
    const print = (s: string): void => void printed.push(s);

    // init_net = core.Net("init")
    const init_net = core.Net('init');
    // W_gt = init_net.GivenTensorFill([], "W_gt", shape=[1, 2], values=[2.0, 1.5])
    const W_gt = init_net.GivenTensorFill([], 'W_gt', { shape: [1, 2], values: [2.0, 1.5] });
    // B_gt = init_net.GivenTensorFill([], "B_gt", shape=[1], values=[0.5])
    const B_gt = init_net.GivenTensorFill([], 'B_gt', { shape: [1], values: [0.5] });
    // ONE = init_net.ConstantFill([], "ONE", shape=[1], value=1.)
    const ONE = init_net.ConstantFill([], 'ONE', { shape: [1], value: 1 });
    // ITER = init_net.ConstantFill([], "ITER", shape=[1], value=0, dtype=core.DataType.INT32)
    const ITER = init_net.ConstantFill([], 'ITER', { shape: [1], value: 0, dtype: core.DataType.INT32 });
    // W = init_net.UniformFill([], "W", shape=[1, 2], min=-1., max=1.)
    const W = init_net.UniformFill([], 'W', { shape: [1, 2], min: -1, max: 1 });
    // B = init_net.ConstantFill([], "B", shape=[1], value=0.0)
    const B = init_net.ConstantFill([], 'B', { shape: [1], value: 0.0 });
    // print('Created init net.')
    print('Created init net.');

    // train_net = core.Net("train")
    const train_net = core.Net('train');
    // X = train_net.GaussianFill([], "X", shape=[64, 2], mean=0.0, std=1.0, run_once=0)
    const X = train_net.GaussianFill([], 'X', { shape: [64, 2], mean: 0.0, std: 1.0, run_once: 0 });
    // Y_gt = X.FC([W_gt, B_gt], "Y_gt")
    const Y_gt = X.FC([W_gt, B_gt], 'Y_gt');
    // noise = train_net.GaussianFill([], "noise", shape=[64, 1], mean=0.0, std=1.0, run_once=0)
    const noise = train_net.GaussianFill([], 'noise', { shape: [64, 1], mean: 0.0, std: 1.0, run_once: 0 });
    // Y_noise = Y_gt.Add(noise, "Y_noise")
    let Y_noise = Y_gt.Add(noise, 'Y_noise');
    // Y_noise = Y_noise.StopGradient([], "Y_noise")
    Y_noise = Y_noise.StopGradient([], 'Y_noise');
    // Y_pred = X.FC([W, B], "Y_pred")
    const Y_pred = X.FC([W, B], 'Y_pred');
    // dist = train_net.SquaredL2Distance([Y_noise, Y_pred], "dist")
    const dist = train_net.SquaredL2Distance([Y_noise, Y_pred], 'dist');
    // loss = dist.AveragedLoss([], ["loss"])
    const loss = dist.AveragedLoss([], ['loss']);

    // graph = net_drawer.GetPydotGraph(train_net.Proto().op, "train", rankdir="LR")
    let graph = net_drawer.GetPydotGraph(train_net.Proto().op, 'train', { rankdir: 'LR' });
    expect(graph.to_string()).toMatch(/^digraph "train" \{\n {2}rankdir=LR;/);

    // gradient_map = train_net.AddGradientOperators([loss])
    const gradient_map = train_net.AddGradientOperators([loss]);
    // graph = net_drawer.GetPydotGraph(train_net.Proto().op, "train", rankdir="LR")
    graph = net_drawer.GetPydotGraph(train_net.Proto().op, 'train', { rankdir: 'LR' });
    expect(graph.to_string()).toContain('FCGradient (op#11)');

    // train_net.Iter(ITER, ITER)
    train_net.Iter(ITER, ITER);
    // LR = train_net.LearningRate(ITER, "LR", base_lr=-0.1, policy="step", stepsize=20, gamma=0.9)
    const LR = train_net.LearningRate(ITER, 'LR', { base_lr: -0.1, policy: 'step', stepsize: 20, gamma: 0.9 });
    // train_net.WeightedSum([W, ONE, gradient_map[W], LR], W)
    train_net.WeightedSum([W, ONE, gradient_map.get(W)!, LR], W);
    // train_net.WeightedSum([B, ONE, gradient_map[B], LR], B)
    train_net.WeightedSum([B, ONE, gradient_map.get(B)!, LR], B);
    // graph = net_drawer.GetPydotGraph(train_net.Proto().op, "train", rankdir="LR")
    graph = net_drawer.GetPydotGraph(train_net.Proto().op, 'train', { rankdir: 'LR' });
    // display.Image(graph.create_png(), width=800)  → SVG here
    expect(await graph.create_svg()).toContain('WeightedSum (op#15)');

    // workspace.RunNetOnce(init_net)
    await workspace.RunNetOnce(init_net);
    // workspace.CreateNet(train_net)
    await workspace.CreateNet(train_net);
    // print("Before training, W is: {}".format(workspace.FetchBlob("W")))
    print(`Before training, W is: ${await workspace.FetchBlob('W')}`);
    // print("Before training, B is: {}".format(workspace.FetchBlob("B")))
    print(`Before training, B is: ${await workspace.FetchBlob('B')}`);
    // for i in range(100):
    //     workspace.RunNet(train_net.Proto().name)
    for (let i = 0; i < 100; i++) await workspace.RunNet(train_net.Proto().name);
    // print("After training, W is: {}".format(workspace.FetchBlob("W")))
    print(`After training, W is: ${await workspace.FetchBlob('W')}`);
    // print("After training, B is: {}".format(workspace.FetchBlob("B")))
    print(`After training, B is: ${await workspace.FetchBlob('B')}`);
    // print("Ground truth W is: {}".format(workspace.FetchBlob("W_gt")))
    print(`Ground truth W is: ${await workspace.FetchBlob('W_gt')}`);
    // print("Ground truth B is: {}".format(workspace.FetchBlob("B_gt")))
    print(`Ground truth B is: ${await workspace.FetchBlob('B_gt')}`);

    expect(printed[0]).toBe('Created init net.');
    expect(printed[1]!.slice('Before training, W is: '.length)).toMatch(NUMPY_ROW);
    expect(printed[2]).toBe('Before training, B is: [0.]');
    expect(printed[5]).toBe('Ground truth W is: [[2.  1.5]]');
    expect(printed[6]).toBe('Ground truth B is: [0.5]');
    const after = (await workspace.FetchBlob('W')).data;
    expect(Math.abs(after[0]! - 2)).toBeLessThan(0.15);
    expect(Math.abs(after[1]! - 1.5)).toBeLessThan(0.15);
    expect(Math.abs((await workspace.FetchBlob('B')).data[0]! - 0.5)).toBeLessThan(0.15);

    // workspace.RunNetOnce(init_net)
    await workspace.RunNetOnce(init_net);
    // w_history = []; b_history = []
    const w_history: number[][] = [];
    const b_history: number[][] = [];
    // for i in range(50):
    for (let i = 0; i < 50; i++) {
      // workspace.RunNet(train_net.Proto().name)
      await workspace.RunNet(train_net.Proto().name);
      // w_history.append(workspace.FetchBlob("W"))
      w_history.push(Array.from((await workspace.FetchBlob('W')).data));
      // b_history.append(workspace.FetchBlob("B"))
      b_history.push(Array.from((await workspace.FetchBlob('B')).data));
    }
    // The plot shows W walking towards [2, 1.5]: it ends nearer than it started.
    const gap = (w: number[]): number => Math.hypot(w[0]! - 2, w[1]! - 1.5);
    expect(gap(w_history[49]!)).toBeLessThan(gap(w_history[0]!));
    expect(b_history).toHaveLength(50);
  });
});
