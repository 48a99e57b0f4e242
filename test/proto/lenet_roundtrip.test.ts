/**
 * Caffe2 NetDef round trip of a LeNet (issue #13, "Bench and interop"): the MNIST tutorial's LeNet
 * with its training ops, built with brew, goes through NetDef bytes and back; the decoded nets must
 * equal the originals field for field and, run from the same seed in a second workspace, give every
 * blob bit for bit. A Conv op written here byte by byte with Caffe2's field numbers (not by our
 * encoder) checks the decoder against the wire format itself, ints packed and unpacked.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { brew, caffe2_pb2, core, model_helper, optimizer, workspace, type Argument, type NetDef } from '../../src/index.js';
import { decodeNetDef, normalizeNetDef } from '../../src/proto/codec.js';
import { makeRng, useGpu } from '../helpers/gpu.js';

useGpu();

const BATCH = 2;

/** LeNet as in the MNIST tutorial, with int-list args, an engine and a device_option on some ops. */
function buildLeNet(): ReturnType<typeof model_helper.ModelHelper> {
  const model = model_helper.ModelHelper({ name: 'lenet_pb', arg_scope: { order: 'NCHW' } });
  const conv1 = brew.conv(model, 'data', 'conv1', { dim_in: 1, dim_out: 20, kernel: 5, engine: 'CUDNN' });
  const pool1 = brew.max_pool(model, conv1, 'pool1', { kernel: 2, stride: 2 });
  const conv2 = brew.conv(model, pool1, 'conv2', { dim_in: 20, dim_out: 50, kernel: 5, strides: [1, 1], pads: [0, 0, 0, 0] });
  const pool2 = brew.max_pool(model, conv2, 'pool2', { kernels: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] });
  const fc3 = core.DeviceScope(core.DeviceOption(caffe2_pb2.CPU, 0, 7, 'node0'), () => brew.fc(model, pool2, 'fc3', { dim_in: 50 * 4 * 4, dim_out: 500 }));
  const relu = brew.relu(model, fc3, fc3);
  const pred = brew.fc(model, relu, 'pred', 500, 10);
  const softmax = brew.softmax(model, pred, 'softmax');
  const xent = model.LabelCrossEntropy([softmax, 'label'], 'xent');
  const loss = model.AveragedLoss(xent, 'loss');
  model.AddGradientOperators([loss]);
  optimizer.build_sgd(model, { base_learning_rate: 0.1, policy: 'step', stepsize: 1, gamma: 0.999 });
  return model;
}

/** The NetDef as the bytes hold it: Argument.f and .floats are proto floats, so float32 (0.1 reads back as fround(0.1)). */
function onWire(net: NetDef): NetDef {
  const arg = (a: Argument): Argument => ({
    ...a,
    ...(a.f !== undefined ? { f: Math.fround(a.f) } : {}),
    ...(a.floats !== undefined ? { floats: a.floats.map(Math.fround) } : {}),
  });
  return { ...net, op: net.op.map((o) => ({ ...o, arg: o.arg.map(arg) })) };
}

/** Runs init once and train twice in workspace `name`, from seed 1234 and the same data; returns every blob. */
async function runIn(name: string, init: ReturnType<typeof core.Net>, train: ReturnType<typeof core.Net>): Promise<Map<string, { shape: readonly number[]; dtype: string; data: Float32Array | Int32Array }>> {
  workspace.SwitchWorkspace(name, true);
  workspace.SetSeed(1234);
  const rng = makeRng(5);
  await workspace.FeedBlob('data', Float32Array.from({ length: BATCH * 28 * 28 }, () => rng()), [BATCH, 1, 28, 28]);
  await workspace.FeedBlob('label', Int32Array.from({ length: BATCH }, () => Math.floor(rng() * 10)), [BATCH]);
  await workspace.RunNetOnce(init);
  await workspace.CreateNet(train, true);
  await workspace.RunNet(train, 2);
  const names = workspace.Blobs().sort();
  const tensors = await workspace.FetchBlobs(names);
  return new Map(names.map((n, k) => [n, tensors[k]!]));
}

describe('Caffe2 NetDef round trip of a LeNet', () => {
  afterAll(() => {
    workspace.SwitchWorkspace('default', true);
  });

  it('init and train nets survive the bytes field for field and run to the same blobs', async () => {
    const model = buildLeNet();
    const init = model.param_init_net;
    const train = model.net;
    const initBack = core.Net.FromProto(init.ProtoBytes());
    const trainBack = core.Net.FromProto(train.ProtoBytes());

    for (const [orig, back] of [
      [init, initBack],
      [train, trainBack],
    ] as const) {
      // The encoder writes each arg in its schema's field; the builder already does, so normalising changes nothing.
      expect(normalizeNetDef(orig.Proto(), 'test')).toEqual(orig.Proto());
      expect(decodeNetDef(orig.ProtoBytes())).toEqual(onWire(orig.Proto()));
      // core.Net(proto) takes the next free name, as Caffe2's does; all else is the decoded NetDef.
      expect(back.Name()).toBe(`${orig.Name()}_1`);
      expect({ ...back.Proto(), name: orig.Name() }).toEqual(onWire(orig.Proto()));
    }
    const t = trainBack.Proto();
    const conv1 = t.op.find((o) => o.output[0] === 'conv1')!;
    expect(conv1.engine).toBe('CUDNN');
    const pool2 = t.op.find((o) => o.output[0] === 'pool2')!;
    expect(pool2.arg).toEqual(expect.arrayContaining([{ name: 'kernels', ints: [2, 2] }, { name: 'strides', ints: [2, 2] }, { name: 'pads', ints: [0, 0, 0, 0] }]));
    expect(t.op.find((o) => o.type === 'FC')!.device_option).toEqual({ device_type: 0, device_id: 0, random_seed: 7, node_name: 'node0' });
    expect(t.op.some((o) => o.type === 'ConvGradient')).toBe(true);
    expect(t.op.filter((o) => o.type === 'WeightedSum')).toHaveLength(8);
    expect(t.external_input).toEqual(train.Proto().external_input);
    expect(t.external_input).toContain('conv1_w');

    const a = await runIn('lenet_pb_orig', init, train);
    const b = await runIn('lenet_pb_back', initBack, trainBack);
    expect([...b.keys()]).toEqual([...a.keys()]);
    expect(a.has('conv1_w_grad')).toBe(true);
    expect(a.get('optimizer_iteration')!.data[0]).toBe(2);
    for (const [name, x] of a) {
      const y = b.get(name)!;
      expect([name, y.shape, y.dtype]).toEqual([name, x.shape, x.dtype]);
      // Same ops, same seed, same inputs: the same bits.
      expect(Array.from(y.data), name).toEqual(Array.from(x.data));
    }
    expect(Number.isFinite(a.get('loss')!.data[0])).toBe(true);
  }, 240_000);
});

// --- protobuf written by hand with caffe2.proto's field numbers ------------------------------------

function varint(n: number): number[] {
  const out: number[] = [];
  // Negative int64s are ten bytes of two's complement; BigInt keeps the bits exact.
  let v = BigInt.asUintN(64, BigInt(n));
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? byte | 0x80 : byte);
  } while (v);
  return out;
}
const tag = (field: number, wire: number): number[] => varint((field << 3) | wire);
const bytesField = (field: number, body: readonly number[]): number[] => [...tag(field, 2), ...varint(body.length), ...body];
const str = (field: number, s: string): number[] => bytesField(field, [...new TextEncoder().encode(s)]);
const intField = (field: number, v: number): number[] => [...tag(field, 0), ...varint(v)];
const floatField = (field: number, v: number): number[] => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return [...tag(field, 5), ...b];
};

/** Argument: name=1, f=2, i=3, s=4, floats=5, ints=6, strings=7. */
const arg = {
  i: (name: string, v: number) => [...str(1, name), ...intField(3, v)],
  f: (name: string, v: number) => [...str(1, name), ...floatField(2, v)],
  s: (name: string, v: string) => [...str(1, name), ...str(4, v)],
  /** proto2 default (what Caffe2's C++ writes): one tag per element. */
  intsUnpacked: (name: string, vs: number[]) => [...str(1, name), ...vs.flatMap((v) => intField(6, v))],
  intsPacked: (name: string, vs: number[]) => [...str(1, name), ...bytesField(6, vs.flatMap(varint))],
  strings: (name: string, vs: string[]) => [...str(1, name), ...vs.flatMap((v) => str(7, v))],
};

/** A NetDef (name=1, op=2, external_input=7, external_output=8) holding one Conv OperatorDef. */
function convNetBytes(strides: number[]): Uint8Array {
  const deviceOption = [...intField(1, 1), ...intField(2, 3)]; // device_type=1 (CUDA), device_id=3
  const op = [
    ...str(1, 'X'),
    ...str(1, 'W'),
    ...str(1, 'b'),
    ...str(2, 'Y'),
    ...str(3, 'conv_op'),
    ...str(4, 'Conv'),
    ...bytesField(5, arg.intsUnpacked('kernels', [3, 5])),
    ...bytesField(5, strides),
    ...bytesField(5, arg.intsUnpacked('pads', [1, 2, 1, 2])),
    ...bytesField(5, arg.i('group', 1)),
    ...bytesField(5, arg.s('order', 'NCHW')),
    ...bytesField(6, deviceOption),
    ...str(7, 'CUDNN'),
  ];
  return Uint8Array.from([...str(1, 'handmade'), ...bytesField(2, op), ...str(7, 'X'), ...str(7, 'W'), ...str(7, 'b'), ...str(8, 'Y')]);
}

describe('NetDef decoder on bytes written by hand with Caffe2 field numbers', () => {
  const expected: NetDef = {
    name: 'handmade',
    op: [
      {
        type: 'Conv',
        name: 'conv_op',
        input: ['X', 'W', 'b'],
        output: ['Y'],
        arg: [
          { name: 'kernels', ints: [3, 5] },
          { name: 'strides', ints: [2, 1] },
          { name: 'pads', ints: [1, 2, 1, 2] },
          { name: 'group', i: 1 },
          { name: 'order', s: 'NCHW' },
        ],
        device_option: { device_type: 1, device_id: 3 },
        engine: 'CUDNN',
      },
    ],
    external_input: ['X', 'W', 'b'],
    external_output: ['Y'],
  };

  it('reads a Conv with repeated ints unpacked (as Caffe2 writes them) and packed alike', () => {
    expect(decodeNetDef(convNetBytes(arg.intsUnpacked('strides', [2, 1])))).toEqual(expected);
    expect(decodeNetDef(convNetBytes(arg.intsPacked('strides', [2, 1])))).toEqual(expected);
  });

  it('reads negative int64s, floats and string lists in their Caffe2 fields', () => {
    const op = [
      ...str(1, 'X'),
      ...str(2, 'Y'),
      ...str(4, 'Scale'),
      ...bytesField(5, arg.f('scale', 0.25)),
      ...bytesField(5, arg.intsUnpacked('extra_ints', [-3, 2 ** 40])),
      ...bytesField(5, arg.strings('extra_strs', ['a', 'bc'])),
    ];
    const net = decodeNetDef(Uint8Array.from([...str(1, 'misc'), ...bytesField(2, op)]), { checkOps: false });
    expect(net.op[0]!.arg).toEqual([
      { name: 'scale', f: 0.25 },
      { name: 'extra_ints', ints: [-3, 2 ** 40] },
      { name: 'extra_strs', strings: ['a', 'bc'] },
    ]);
  });

  it('our encoder writes what the hand-made bytes hold (decoded both ways to the same NetDef)', () => {
    const net = core.Net(expected);
    expect(decodeNetDef(net.ProtoBytes())).toEqual(expected);
  });
});
