import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { workspace, core, ArgumentError, MissingBlobError, ShapeError, UnknownOperatorError, type Tensor } from '../../src/index.js';
import { buildToyRegression } from '../../src/models/toy_regression.js';
import { exportOnnx } from '../../src/proto/onnx_export.js';
import { hasOp } from '../../src/ops/registry.js';
import { makeRng, randomTensor, useGpu } from '../helpers/gpu.js';

useGpu();

const { onnx } = onnxProto;

/** Runs exported model bytes in ONNX Runtime (CPU) and returns the named outputs. */
async function runOrt(model: Uint8Array, feeds: Record<string, { data: Float32Array; shape: number[] }>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(model);
  try {
    const inputs = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.shape)]));
    return await session.run(inputs);
  } finally {
    await session.release();
  }
}

/** Largest |ours - ort| / max(1, |ort|), after checking the shapes match. */
function maxDiff(ours: Tensor, theirs: ort.Tensor): number {
  expect([...theirs.dims]).toEqual([...ours.shape]);
  const t = theirs.data as Float32Array;
  let worst = 0;
  ours.data.forEach((v, i) => {
    const e = Math.abs(v - t[i]!) / Math.max(1, Math.abs(t[i]!));
    if (!(e <= worst)) worst = e;
  });
  return worst;
}

function feed(rng: () => number, shape: number[]): { data: Float32Array; shape: number[] } {
  return { data: Float32Array.from(randomTensor(rng, shape, -2, 2).data), shape };
}

describe('ONNX export', () => {
  it('exports the tutorial predictor; ONNX Runtime gives our Y_pred within 1e-5', async () => {
    workspace.ResetWorkspace();
    workspace.SetSeed(5);
    const { init, train } = buildToyRegression({ batch: 16 });
    await workspace.RunNetOnce(init);
    await workspace.CreateNet(train);
    await workspace.RunNet(train.Name(), 30);

    const predict = core.Net('predict');
    predict.FC(['X', 'W', 'B'], 'Y_pred');
    predict.AddExternalOutput('Y_pred');
    const x = feed(makeRng(1), [64, 2]);
    await workspace.FeedBlob('X', x.data, { shape: x.shape });
    await workspace.RunNetOnce(predict);
    const ours = await workspace.FetchBlob('Y_pred');

    const model = await exportOnnx(predict, { inputs: { X: [64, 2] } });
    const graph = onnx.ModelProto.decode(model).graph!;
    expect(graph.node!.map((n) => n.opType)).toEqual(['Gemm']);
    expect(graph.initializer!.map((t) => [t.name, t.dims!.map(Number)])).toEqual([
      ['W', [1, 2]],
      ['B', [1]],
    ]);
    const W = await workspace.FetchBlob('W');
    expect(graph.initializer![0]!.floatData).toEqual([...W.data]);

    const out = await runOrt(model, { X: x });
    expect(maxDiff(ours, out.Y_pred!)).toBeLessThan(1e-5);
  });

  it('lowers FC axes, legacy and numpy broadcasting, and in-place writes', async () => {
    workspace.ResetWorkspace();
    const rng = makeRng(2);
    const params: Record<string, number[]> = { W: [5, 3, 4], b: [5], W2: [6, 5], b2: [6], row: [3], col: [6], s: [1], v: [1, 1] };
    for (const [name, shape] of Object.entries(params)) {
      const t = feed(rng, shape);
      await workspace.FeedBlob(name, t.data, { shape });
    }
    const net = core.Net('lowering');
    net.FC(['X', 'W', 'b'], 'h', { axis: 1, axis_w: 1 }); // X [2,3,4] flattened to [2,12]; W [5,3,4] to [5,12]
    net.FC(['X3', 'W2', 'b2'], 'g', { axis: 2 }); // X3 [2,3,5] → g [2,3,6]
    net.Add(['g', 'row'], 'g1', { broadcast: 1, axis: 1 }); // row [3] at axis 1 of [2,3,6]: needs [3,1]
    net.Mul(['g1', 'col'], 'g1', { broadcast: 1 }); // suffix alignment, in place
    net.Sub(['g1', 'v'], 'g2', { broadcast: 1 }); // one-element B with more dims than... a scalar
    net.Div(['g2', 's'], 'g3'); // numpy-style
    net.Mul(['h', 'h'], 'h2');
    net.Copy(['g3'], 'out');
    const x = feed(rng, [2, 3, 4]);
    const x3 = feed(rng, [2, 3, 5]);
    for (const [name, t] of [['X', x], ['X3', x3]] as const) await workspace.FeedBlob(name, t.data, { shape: t.shape });
    await workspace.RunNetOnce(net);
    const [out, h2, g1] = await workspace.FetchBlobs(['out', 'h2', 'g1']);

    const model = await exportOnnx(net, { inputs: { X: [2, 3, 4], X3: [2, 3, 5] }, outputs: ['out', 'h2', 'g1'] });
    const types = onnx.ModelProto.decode(model).graph!.node!.map((n) => n.opType);
    expect(types).toEqual(['Flatten', 'Flatten', 'Gemm', 'Flatten', 'Gemm', 'Reshape', 'Reshape', 'Add', 'Mul', 'Sub', 'Div', 'Mul', 'Identity']);
    const res = await runOrt(model, { X: x, X3: x3 });
    expect(maxDiff(out!, res.out!)).toBeLessThan(1e-5);
    expect(maxDiff(h2!, res.h2!)).toBeLessThan(1e-5);
    expect(maxDiff(g1!, res.g1!)).toBeLessThan(1e-5);
  });

  it.runIf(['Relu', 'Sigmoid', 'Tanh', 'Softmax', 'Flatten', 'Reshape'].every(hasOp))('exports activations, Softmax, Flatten and Reshape', async () => {
    workspace.ResetWorkspace();
    const net = core.Net('activations');
    const ops = net as unknown as Record<string, (i: string[], o: string, a?: object) => void>;
    ops.Relu!(['X'], 'r');
    ops.Sigmoid!(['r'], 's');
    ops.Tanh!(['X'], 't');
    ops.Softmax!(['t'], 'sm', { axis: 1 });
    ops.Flatten!(['sm'], 'f', { axis: 2 });
    (net as unknown as Record<string, (i: string[], o: string[], a?: object) => void>).Reshape!(['f'], ['rs', 'rs_old'], { shape: [0, -1] });
    const x = feed(makeRng(3), [2, 3, 4]);
    await workspace.FeedBlob('X', x.data, { shape: x.shape });
    await workspace.RunNetOnce(net);
    const names = ['s', 'sm', 'rs'];
    const ours = await workspace.FetchBlobs(names);
    const res = await runOrt(await exportOnnx(net, { inputs: { X: [2, 3, 4] }, outputs: names }), { X: x });
    names.forEach((n, i) => expect(maxDiff(ours[i]!, res[n]!)).toBeLessThan(1e-5));
  });

  it('exports the rest of the unary family, Clip and both forms of Pow', async () => {
    workspace.ResetWorkspace();
    const rng = makeRng(6);
    const e = feed(rng, [4]);
    await workspace.FeedBlob('pw_e', e.data, { shape: e.shape });
    const net = core.Net('unary_family');
    const op = (type: string, i: string[], o: string, args: Record<string, unknown> = {}) => net.Proto().op.push(core.CreateOperator(type, i, [o], args));
    op('LeakyRelu', ['X'], 'lr', { alpha: 1.5 });
    op('Softsign', ['X'], 'ss');
    op('Abs', ['X'], 'ab');
    op('Exp', ['ab'], 'ex');
    op('Log', ['ex'], 'lg');
    op('Sqrt', ['ex'], 'sq');
    op('Sqr', ['X'], 'sr');
    op('Negative', ['X'], 'ng');
    op('Clip', ['X'], 'cl', { min: -0.5, max: 1 });
    op('Clip', ['X'], 'cl2', { min: 0 });
    op('Pow', ['X'], 'pa', { exponent: 3 });
    op('Pow', ['sq', 'pw_e'], 'pb', { broadcast: 1 });
    const x = feed(rng, [2, 3, 4]);
    await workspace.FeedBlob('X', x.data, { shape: x.shape });
    await workspace.RunNetOnce(net);
    const names = ['lr', 'ss', 'lg', 'sr', 'ng', 'cl', 'cl2', 'pa', 'pb'];
    const ours = await workspace.FetchBlobs(names);
    const model = await exportOnnx(net, { inputs: { X: [2, 3, 4] }, outputs: names });
    const types = onnx.ModelProto.decode(model).graph!.node!.map((n) => n.opType);
    expect(types).toEqual(['LeakyRelu', 'Softsign', 'Abs', 'Exp', 'Log', 'Sqrt', 'Mul', 'Neg', 'Clip', 'Clip', 'Pow', 'Pow']);
    const res = await runOrt(model, { X: x });
    names.forEach((n, i) => expect(maxDiff(ours[i]!, res[n]!), n).toBeLessThan(1e-5));
  });

  it.runIf(['Conv', 'MaxPool', 'AveragePool'].every(hasOp))('exports Conv and pooling', async () => {
    workspace.ResetWorkspace();
    const rng = makeRng(4);
    const w = feed(rng, [4, 2, 3, 3]);
    const b = feed(rng, [4]);
    await workspace.FeedBlob('cw', w.data, { shape: w.shape });
    await workspace.FeedBlob('cb', b.data, { shape: b.shape });
    const net = core.Net('conv');
    const ops = net as unknown as Record<string, (i: string[], o: string, a?: object) => void>;
    ops.Conv!(['X', 'cw', 'cb'], 'c', { kernel: 3, pad: 1, stride: 1 });
    ops.MaxPool!(['c'], 'mp', { kernel: 2, stride: 2 });
    ops.AveragePool!(['c'], 'ap', { kernel: 3, stride: 2, pad: 1 });
    const x = feed(rng, [1, 2, 6, 6]);
    await workspace.FeedBlob('X', x.data, { shape: x.shape });
    await workspace.RunNetOnce(net);
    const names = ['mp', 'ap'];
    const ours = await workspace.FetchBlobs(names);
    const res = await runOrt(await exportOnnx(net, { inputs: { X: [1, 2, 6, 6] }, outputs: names }), { X: x });
    names.forEach((n, i) => expect(maxDiff(ours[i]!, res[n]!)).toBeLessThan(1e-5));
  });

  it.runIf(['Conv', 'MaxPool', 'FC', 'Relu', 'Softmax'].every(hasOp))('exports a LeNet; ONNX Runtime gives our class probabilities', async () => {
    workspace.ResetWorkspace();
    const rng = makeRng(6);
    const params: Record<string, number[]> = {
      conv1_w: [20, 1, 5, 5], conv1_b: [20], conv2_w: [50, 20, 5, 5], conv2_b: [50],
      fc3_w: [500, 800], fc3_b: [500], pred_w: [10, 500], pred_b: [10],
    };
    for (const [name, shape] of Object.entries(params)) {
      // Small weights (fan-in scaled) keep the activations O(1), as a trained net's are.
      const fanIn = shape.slice(1).reduce((a, b) => a * b, 1) || 1;
      const t = feed(rng, shape);
      await workspace.FeedBlob(name, t.data.map((v) => v / Math.sqrt(fanIn)), { shape });
    }
    const net = core.Net('lenet_predict');
    const ops = net as unknown as Record<string, (i: string[], o: string, a?: object) => void>;
    ops.Conv!(['data', 'conv1_w', 'conv1_b'], 'conv1', { kernel: 5 });
    ops.MaxPool!(['conv1'], 'pool1', { kernel: 2, stride: 2 });
    ops.Conv!(['pool1', 'conv2_w', 'conv2_b'], 'conv2', { kernel: 5 });
    ops.MaxPool!(['conv2'], 'pool2', { kernel: 2, stride: 2 });
    ops.FC!(['pool2', 'fc3_w', 'fc3_b'], 'fc3');
    ops.Relu!(['fc3'], 'fc3');
    ops.FC!(['fc3', 'pred_w', 'pred_b'], 'pred');
    ops.Softmax!(['pred'], 'softmax');
    const x = feed(rng, [3, 1, 28, 28]);
    await workspace.FeedBlob('data', x.data, { shape: x.shape });
    await workspace.RunNetOnce(net);
    const ours = await workspace.FetchBlob('softmax');
    expect([...ours.shape]).toEqual([3, 10]);
    const model = await exportOnnx(net, { inputs: { data: [3, 1, 28, 28] }, outputs: ['softmax'] });
    const types = onnx.ModelProto.decode(model).graph!.node!.map((n) => n.opType);
    expect(types.filter((t) => ['Conv', 'MaxPool', 'Relu', 'Softmax'].includes(t ?? ''))).toEqual(['Conv', 'MaxPool', 'Conv', 'MaxPool', 'Relu', 'Softmax']);
    const res = await runOrt(model, { data: x });
    expect(maxDiff(ours, res.softmax!)).toBeLessThan(1e-5);
  });

  it.runIf(['Conv', 'AveragePool'].every(hasOp))('exports grouped, dilated, strided and 1-D convolutions and global pools', async () => {
    workspace.ResetWorkspace();
    const rng = makeRng(8);
    for (const [name, shape] of Object.entries({ gw: [6, 2, 3, 3], gb: [6], dw: [3, 6, 2, 2], w1: [4, 3, 3] })) {
      const t = feed(rng, shape);
      await workspace.FeedBlob(name, t.data, { shape });
    }
    const net = core.Net('conv_variants');
    const ops = net as unknown as Record<string, (i: string[], o: string, a?: object) => void>;
    ops.Conv!(['X', 'gw', 'gb'], 'g', { kernel: 3, group: 2, pads: [1, 0, 2, 1], strides: [2, 1] });
    ops.Conv!(['g', 'dw'], 'd', { kernel: 2, dilation: 2 });
    ops.AveragePool!(['d'], 'gap', { global_pooling: 1 });
    ops.Conv!(['X1', 'w1'], 'c1', { kernels: [3], pads: [1, 1], strides: [2] });
    const x = feed(rng, [2, 4, 9, 8]);
    const x1 = feed(rng, [2, 3, 11]);
    await workspace.FeedBlob('X', x.data, { shape: x.shape });
    await workspace.FeedBlob('X1', x1.data, { shape: x1.shape });
    await workspace.RunNetOnce(net);
    const names = ['d', 'gap', 'c1'];
    const ours = await workspace.FetchBlobs(names);
    const res = await runOrt(await exportOnnx(net, { inputs: { X: [2, 4, 9, 8], X1: [2, 3, 11] }, outputs: names }), { X: x, X1: x1 });
    names.forEach((n, i) => expect(maxDiff(ours[i]!, res[n]!), n).toBeLessThan(1e-5));
  });

  it('exports the shape ops, MatMul, reductions and Cast; ONNX Runtime agrees', async () => {
    workspace.ResetWorkspace();
    const rng = makeRng(8);
    const w = feed(rng, [5, 4]);
    await workspace.FeedBlob('mw', w.data, { shape: w.shape });
    const net = core.Net('shape_ops');
    const op = (type: string, i: string[], o: string[], args: Record<string, unknown> = {}) => net.Proto().op.push(core.CreateOperator(type, i, o, args));
    op('Transpose', ['X'], ['t'], { axes: [1, 0, 2] });
    op('Concat', ['X', 'X'], ['cat', 'cat_info'], { axis: 2 });
    op('Concat', ['X', 'X'], ['stk', 'stk_info'], { axis: 1, add_axis: 1 });
    op('Split', ['cat'], ['s0', 's1', 's2'], { axis: 2, split: [3, 1, 4] });
    op('Split', ['stk'], ['u0', 'u1'], { axis: 1, add_axis: 1 });
    op('ExpandDims', ['X'], ['ex'], { dims: [0, 4] });
    op('Squeeze', ['ex'], ['sq'], { dims: [0, 4] });
    op('FlattenToVec', ['X'], ['vec']);
    op('MatMul', ['X', 'mw'], ['mm'], { axis_a: 2, trans_b: 1 });
    op('MatMul', ['X', 'X'], ['mt'], { trans_a: 1, axis_a: 2, axis_b: 2 });
    op('ReduceSum', ['X'], ['rs'], { axes: [1] });
    op('ReduceMean', ['X'], ['rm'], { axes: [0, 2], keepdims: 0 });
    op('ReduceMax', ['X'], ['rx'], { keepdims: 0 });
    op('Scale', ['X'], ['x10'], { scale: 10 });
    op('Cast', ['x10'], ['ci'], { to: 'INT32' });
    op('Cast', ['ci'], ['cf'], { to: 'FLOAT' });
    op('Cast', ['X'], ['cb'], { to: 'BOOL' });
    const x = feed(rng, [2, 3, 4]);
    await workspace.FeedBlob('X', x.data, { shape: x.shape });
    await workspace.RunNetOnce(net);
    const names = ['t', 'cat', 'cat_info', 'stk_info', 's0', 's1', 's2', 'u0', 'u1', 'sq', 'vec', 'mm', 'mt', 'rs', 'rm', 'rx', 'ci', 'cf', 'cb'];
    const ours = await workspace.FetchBlobs(names);
    const res = await runOrt(await exportOnnx(net, { inputs: { X: [2, 3, 4] }, outputs: names }), { X: x });
    names.forEach((n, i) => expect(maxDiff(ours[i]!, res[n]!), n).toBeLessThan(1e-5));
  });

  it('exports legacy_pad (VALID, SAME, CAFFE_LEGACY_POOLING) as explicit pads; ONNX Runtime agrees', async () => {
    workspace.ResetWorkspace();
    const rng = makeRng(13);
    const w = feed(rng, [3, 2, 3, 2]);
    await workspace.FeedBlob('lw', w.data, { shape: w.shape });
    const net = core.Net('legacy_pads');
    const op = (type: string, o: string, args: Record<string, unknown>) => net.Proto().op.push(core.CreateOperator(type, type === 'Conv' ? ['X', 'lw'] : ['X'], [o], args));
    // Caffe's ceil rule: 7 rows, k3 s2 p1 -> 4 windows (floor gives 4 too), 9 cols -> 5; k2 s2 on 7x9 -> 4x5 (floor gives 3x4).
    op('MaxPool', 'mp_legacy', { kernel: 3, stride: 2, pad: 1, legacy_pad: 3 });
    op('MaxPool', 'mp_ceil', { kernel: 2, stride: 2, legacy_pad: 3 });
    op('AveragePool', 'ap_ceil', { kernel: 2, stride: 2, legacy_pad: 3 });
    op('AveragePool', 'ap_ceil_incl', { kernels: [3, 2], strides: [2, 2], legacy_pad: 3, count_include_pad: 1 });
    op('MaxPool', 'mp_same', { kernel: 3, stride: 2, legacy_pad: 2 });
    op('AveragePool', 'ap_same', { kernel: 4, stride: 3, legacy_pad: 2 });
    op('Conv', 'conv_same', { kernels: [3, 2], strides: [2, 1], legacy_pad: 2 });
    op('Conv', 'conv_valid', { kernels: [3, 2], stride: 2, legacy_pad: 1 });
    const x = feed(rng, [2, 2, 7, 9]);
    await workspace.FeedBlob('X', x.data, { shape: x.shape });
    await workspace.RunNetOnce(net);
    const names = ['mp_legacy', 'mp_ceil', 'ap_ceil', 'ap_ceil_incl', 'mp_same', 'ap_same', 'conv_same', 'conv_valid'];
    const ours = await workspace.FetchBlobs(names);
    expect(ours[1]!.shape).toEqual([2, 2, 4, 5]);
    const model = await exportOnnx(net, { inputs: { X: [2, 2, 7, 9] }, outputs: names });
    const nodes = onnx.ModelProto.decode(model).graph!.node!;
    const padsOf = (out: string) => nodes.find((n) => n.output![0] === out)!.attribute!.find((a) => a.name === 'pads')!.ints!.map(Number);
    // The least tail that fits: below the kernel, as onnxruntime requires.
    expect(padsOf('mp_ceil')).toEqual([0, 0, 1, 1]);
    expect(padsOf('mp_same')).toEqual([1, 1, 1, 1]);
    const res = await runOrt(model, { X: x });
    names.forEach((n, i) => expect(maxDiff(ours[i]!, res[n]!), n).toBeLessThan(1e-5));

    // Kernel 2 below stride 3 with no head pad: Caffe's ceil rule keeps a 4th column window starting at col 9 of 9.
    const odd = core.Net('legacy_odd');
    odd.Proto().op.push(core.CreateOperator('MaxPool', ['X'], ['Y'], { kernels: [3, 2], strides: [2, 3], legacy_pad: 3 }));
    await expect(exportOnnx(odd, { inputs: { X: [2, 2, 7, 9] }, outputs: ['Y'] })).rejects.toThrow(
      /MaxPool \(op #0 in net "legacy_odd"\): legacy_pad=3 gives a last window \(spatial dim 1\) that lies wholly in the padding/,
    );
  });

  it('rejects what it cannot export, with the op and blob named', async () => {
    workspace.ResetWorkspace();
    await workspace.FeedBlob('W', new Float32Array(2), { shape: [1, 2] });
    await workspace.FeedBlob('B', new Float32Array(1), { shape: [1] });
    const net = core.Net('bad_export');
    const y = net.FC(['X', 'W', 'B'], 'Y');
    net.SquaredL2Distance([y, 'label'], 'dist');
    await expect(exportOnnx(net, { inputs: { X: [4, 2], label: [4, 1] }, outputs: ['dist'] })).rejects.toThrow(
      /exportOnnx\(net "bad_export"\): SquaredL2Distance \(op #1 in net "bad_export"\) has no ONNX export \(exportable ops: .*FC/,
    );
    await expect(exportOnnx(net, { inputs: { X: [4, 3], label: [4, 1] }, outputs: ['Y'] })).rejects.toThrow(ShapeError);
    await expect(exportOnnx(net, { inputs: { X: [4, 3], label: [4, 1] }, outputs: ['Y'] })).rejects.toThrow(/FC \(op #0 in net "bad_export"\): input W has shape \[1,2\]/);
    await expect(exportOnnx(net, { inputs: { X: [4, 2] }, outputs: ['dist'] })).rejects.toThrow(MissingBlobError);
    await expect(exportOnnx(net, { inputs: { X: [4, 2] }, outputs: ['dist'] })).rejects.toThrow(/reads "label", which is neither in options\.inputs nor a blob/);
    await expect(exportOnnx(net, { inputs: { X: [4, 2] }, outputs: ['Z'] })).rejects.toThrow(/output "Z" is not computed by any op/);
    await expect(exportOnnx(net, { inputs: { X: [4, 2] } })).rejects.toThrow(ArgumentError);
    const unknown = { name: 'u', op: [{ type: 'Foo', input: ['X'], output: ['Y'], arg: [] }], external_input: [], external_output: ['Y'] };
    await expect(exportOnnx(unknown, { inputs: { X: [1] } })).rejects.toThrow(UnknownOperatorError);
  });
});
