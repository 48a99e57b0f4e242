import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs';
import { core, Caffe2Error, ArgumentError, ShapeError, DTypeError, UnknownOperatorError, type NetDef } from '../../src/index.js';
import { CAFFE2_PROTO } from '../../src/proto/caffe2.proto.js';
import { decodeNetDef, decodeTensorProtos, encodeNetDef, encodeTensorProtos, type NamedTensor } from '../../src/proto/codec.js';
import { netDefFromJson, netDefToJson, netToProto } from '../../src/proto/net_io.js';
import { netFromJson, netFromProto } from '../../src/builder/net_io.js';
import { makeRng } from '../helpers/gpu.js';

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
/** A length-delimited field with a one-byte length (every message in these tests is short). */
const ld = (field: number, body: number[]): number[] => {
  expect(body.length).toBeLessThan(128);
  return [(field << 3) | 2, body.length, ...body];
};
const f32 = (v: number): number[] => [...new Uint8Array(Float32Array.of(v).buffer)];

/** Raw protobufjs types for crafting well-formed messages the codec must reject. */
const raw = protobuf.parse(CAFFE2_PROTO, { keepCase: true }).root;
const RawTensorProtos = raw.lookupType('caffe2.TensorProtos');
const RawNetDef = raw.lookupType('caffe2.NetDef');

function trainNet() {
  const net = core.Net('codec_train');
  const W = net.GivenTensorFill([], 'W', { shape: [1, 2], values: [2, 1.5] });
  const B = net.ConstantFill([], 'B', { shape: [1], value: 0.5 });
  net.ConstantFill([], 'ITER', { shape: [1], value: 0, dtype: core.DataType.INT64, run_once: 1 });
  const Y = net.FC(['X', W, B], 'Y', { axis: 1 });
  net.Add([Y, B], 'Z', { broadcast: 1, axis: 1 });
  net.Copy([Y], 'Y_copy', { name: 'copy_op', engine: 'CUDNN' });
  net.Proto().op[5]!.is_gradient_op = true;
  net.AddExternalOutput('Z');
  return net;
}

describe('NetDef wire format', () => {
  it('round-trips a net through bytes and JSON', () => {
    const net = trainNet();
    const bytes = netToProto(net);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(decodeNetDef(bytes)).toEqual(net.Proto());
    const back = netFromProto(bytes);
    expect(back.Name()).not.toBe(net.Name()); // core.Net uniquifies the copy's name
    expect({ ...back.Proto(), name: net.Name() }).toEqual(net.Proto());
    const json = netDefToJson(net);
    expect(JSON.parse(json).op[1].arg).toContainEqual({ name: 'value', f: 0.5 });
    expect(netDefFromJson(json)).toEqual(net.Proto());
    expect(netFromJson(json).Proto().op).toEqual(net.Proto().op);
  });

  it('writes each argument in the field its schema names (f vs i, floats vs ints)', () => {
    const def: NetDef = {
      name: 'fields',
      op: [
        { type: 'ConstantFill', input: [], output: ['c'], arg: [{ name: 'value', i: 3 }, { name: 'shape', floats: [2, 2] }, { name: 'dtype', f: 1 }] },
        { type: 'NotRegistered', input: [], output: ['d'], arg: [{ name: 'value', i: 3 }] },
      ],
      external_input: [],
      external_output: [],
    };
    const back = decodeNetDef(encodeNetDef(def), { checkOps: false });
    expect(back.op[0]!.arg).toEqual([{ name: 'value', f: 3 }, { name: 'shape', ints: [2, 2] }, { name: 'dtype', i: 1 }]);
    expect(back.op[1]!.arg).toEqual([{ name: 'value', i: 3 }]);
    const bad = { ...def, op: [{ ...def.op[0]!, arg: [{ name: 'dtype', f: 1.5 }] }] };
    expect(() => encodeNetDef(bad)).toThrow(/ConstantFill \(op #0 in net "fields"\): argument "dtype" must be an integer, got 1.5/);
  });

  // NetDef{name:"n", op:[{output:["Y"], type:"ConstantFill", arg:[{name:"shape", ints:[2,3]}, {name:"value", f:1.5}]}],
  // external_output:["Y"]}, written byte by byte from caffe2.proto's field numbers.
  const shapeUnpacked = [...ld(1, ascii('shape')), 0x30, 2, 0x30, 3]; // ints = 6, varint, one per field
  const shapePacked = [...ld(1, ascii('shape')), ...ld(6, [2, 3])]; // ints = 6, packed
  const value = [...ld(1, ascii('value')), 0x15, ...f32(1.5)]; // f = 2, fixed32
  const tiny = (shapeArg: number[]): Uint8Array =>
    Uint8Array.from([
      ...ld(1, ascii('n')),
      ...ld(2, [...ld(2, ascii('Y')), ...ld(4, ascii('ConstantFill')), ...ld(5, shapeArg), ...ld(5, value)]),
      ...ld(8, ascii('Y')),
    ]);

  it('decodes hand-built bytes field by field, packed or not', () => {
    for (const bytes of [tiny(shapeUnpacked), tiny(shapePacked)]) {
      const net = decodeNetDef(bytes);
      expect(net.name).toBe('n');
      expect(net.op).toHaveLength(1);
      const op = net.op[0]!;
      expect(op.type).toBe('ConstantFill');
      expect(op.input).toEqual([]);
      expect(op.output).toEqual(['Y']);
      expect(op.arg).toEqual([{ name: 'shape', ints: [2, 3] }, { name: 'value', f: 1.5 }]);
      expect(net.external_input).toEqual([]);
      expect(net.external_output).toEqual(['Y']);
    }
    // The encoder writes what Caffe2's does: fields in number order, repeated scalars unpacked.
    expect([...encodeNetDef(decodeNetDef(tiny(shapePacked)))]).toEqual([...tiny(shapeUnpacked)]);
  });

  it('rejects malformed bytes with messages that say what is wrong', () => {
    const good = tiny(shapeUnpacked);
    expect(() => decodeNetDef(good.subarray(0, good.length - 2))).toThrow(/decodeNetDef: malformed NetDef \(\d+ bytes\): the bytes end inside a field/);
    // name (field 1, a string) sent as a varint
    expect(() => decodeNetDef(Uint8Array.from([0x08, 5]))).toThrow(
      /NetDef\.name \(field 1\) arrived with wire type 0 \(varint\), but caffe2\.proto declares it string, written with wire type 2/,
    );
    // deep inside: Argument.f (field 2, float) sent as a varint
    const wrongF = Uint8Array.from(ld(2, [...ld(4, ascii('ConstantFill')), ...ld(5, [...ld(1, ascii('value')), 0x10, 1])]));
    expect(() => decodeNetDef(wrongF)).toThrow(/NetDef\.op\[0\]\.arg\[0\]\.f \(field 2\) arrived with wire type 0/);
    expect(() => decodeNetDef(Uint8Array.from([0x0f]))).toThrow(/invalid wire type 7/);
    expect(() => decodeNetDef(Uint8Array.from([0x00, 0x01]))).toThrow(/field number 0/);
    expect(() => decodeNetDef('abc' as unknown as Uint8Array)).toThrow(/expected the NetDef bytes as a Uint8Array, got string/);
  });

  it('rejects unknown operator types unless asked only to decode', () => {
    const bytes = RawNetDef.encode({ name: 'u', op: [{ type: 'ConstantFil', output: ['Y'] }] }).finish();
    expect(() => decodeNetDef(bytes)).toThrow(UnknownOperatorError);
    expect(() => decodeNetDef(bytes)).toThrow(/ConstantFil \(op #0 in net "u"\): "ConstantFil" is not a registered operator\. Did you mean "ConstantFill"/);
    expect(decodeNetDef(bytes, { checkOps: false }).op[0]!.type).toBe('ConstantFil');
  });

  it('rejects arguments Caffe2 readers would misread, and ops that break their schema', () => {
    const enc = (arg: object, type = 'ConstantFill') => RawNetDef.encode({ name: 'a', op: [{ type, output: ['Y'], arg: [arg] }] }).finish();
    expect(() => decodeNetDef(enc({ name: 'value', f: 1, i: 2 }))).toThrow(/argument "value" sets f and i; an Argument holds exactly one value/);
    expect(() => decodeNetDef(enc({ name: 'value', n: { name: 'inner' } }))).toThrow(/argument "value" holds a NetDef \(field n\)/);
    expect(() => decodeNetDef(enc({ f: 1 }))).toThrow(/an argument has no name/);
    expect(() => decodeNetDef(enc({ name: 'valu', f: 1 }))).toThrow(/unknown argument "valu"\. Did you mean "value"/);
    expect(() => decodeNetDef(enc({ name: 'dtype', f: 1.5 }))).toThrow(ArgumentError);
    expect(() => decodeNetDef(enc({ name: 's', s: Uint8Array.of(0xff, 0xfe) }, 'X'), { checkOps: false })).toThrow(/argument "s": bytes are not UTF-8/);
    expect(() => decodeNetDef(enc({ name: 'i', i: 2 ** 60 }, 'X'), { checkOps: false })).toThrow(/beyond the 2\^53/);
    const noType = RawNetDef.encode({ name: 'a', op: [{ output: ['Y'] }] }).finish();
    expect(() => decodeNetDef(noType, { checkOps: false })).toThrow(/the operator has no type/);
    const counts = RawNetDef.encode({ name: 'a', op: [{ type: 'Copy', input: ['x', 'y'], output: ['Y'] }] }).finish();
    expect(() => decodeNetDef(counts)).toThrow(/Copy \(op #0 in net "a"\): expected 1 inputs/);
  });

  it('checks JSON field by field', () => {
    expect(() => netDefFromJson('{')).toThrow(/netDefFromJson: not valid JSON/);
    expect(() => netDefFromJson('{"name":"j","op":[{"type":"Copy","inputs":["x"],"output":["y"]}]}')).toThrow(
      /NetDef\.op\[0\] has unknown field "inputs"/,
    );
    expect(() => netDefFromJson('{"name":"j","op":[{"type":"Copy","input":"x","output":["y"]}]}')).toThrow(/NetDef\.op\[0\]\.input must be an array/);
    expect(() => netDefFromJson('{"name":"j","op":[{"type":"Copy","input":["x"],"output":["y"],"arg":[{"name":"a","i":1.5}]}]}')).toThrow(
      /NetDef\.op\[0\]\.arg\[0\]\.i must be an integer/,
    );
    expect(() => netDefFromJson('{"name":"j","op":[{"type":"Cpy","input":["x"],"output":["y"]}]}')).toThrow(UnknownOperatorError);
  });
});

describe('TensorProtos wire format', () => {
  const tensors: NamedTensor[] = [
    { name: 'W', shape: [2, 3], dtype: 'float32', data: Float32Array.of(1, -2.5, 3, 0.25, 1e-20, -0) },
    { name: 'iter', shape: [1], dtype: 'int32', data: Int32Array.of(-7), dataType: core.DataType.INT64 },
    { name: 'labels', shape: [4], dtype: 'int32', data: Int32Array.of(0, 1, 2 ** 31 - 1, -(2 ** 31)) },
    { name: 'mask', shape: [2], dtype: 'int32', data: Int32Array.of(1, 0), dataType: core.DataType.BOOL },
    { name: 'scalar', shape: [], dtype: 'float32', data: Float32Array.of(4) },
    { name: 'empty', shape: [0, 5], dtype: 'float32', data: new Float32Array(0) },
    { name: 'd', shape: [2], dtype: 'float32', data: Float32Array.of(0.5, 3), dataType: core.DataType.DOUBLE },
  ];

  it('round-trips float32 and int32 data bit for bit', () => {
    const back = decodeTensorProtos(encodeTensorProtos(tensors));
    expect(back.map((t) => t.name)).toEqual(tensors.map((t) => t.name));
    back.forEach((t, k) => {
      const want = tensors[k]!;
      expect(t.shape).toEqual(want.shape);
      expect(t.dtype).toBe(want.dtype);
      expect(t.dataType).toBe(want.dataType ?? (want.dtype === 'float32' ? core.DataType.FLOAT : core.DataType.INT32));
      expect([...new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length)]).toEqual([...new Uint32Array(want.data.buffer, want.data.byteOffset, want.data.length)]);
    });
  });

  it('reads raw_data, byte_data, int64_data and float16 bit patterns', () => {
    const le = (arr: ArrayBufferView) => new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
    const bytes = RawTensorProtos.encode({
      protos: [
        { name: 'rf', dims: [3], data_type: 1, raw_data: le(Float32Array.of(1, 2, -3)) },
        { name: 'ri', dims: [2], data_type: 10, raw_data: le(BigInt64Array.of(-5n, 7n)) },
        { name: 'u8', dims: [2], data_type: 6, byte_data: Uint8Array.of(200, 7) },
        { name: 'i64', dims: [2], data_type: 10, int64_data: [-3, 2 ** 31 - 1] },
        { name: 'h', dims: [3], data_type: 12, int32_data: [0x3c00, 0xc000, 0x7c00] },
        { name: 'dd', dims: [1], data_type: 13, double_data: [0.1] },
      ],
    }).finish();
    const got = decodeTensorProtos(bytes);
    expect(got.map((t) => [t.name, t.dtype, [...t.data]])).toEqual([
      ['rf', 'float32', [1, 2, -3]],
      ['ri', 'int32', [-5, 7]],
      ['u8', 'int32', [200, 7]],
      ['i64', 'int32', [-3, 2 ** 31 - 1]],
      ['h', 'float32', [1, -2, Infinity]],
      ['dd', 'float32', [Math.fround(0.1)]],
    ]);
  });

  it('rejects data that does not match the dims, absurd dims and values out of range', () => {
    const enc = (p: object) => RawTensorProtos.encode({ protos: [{ name: 'x', ...p }] }).finish();
    expect(() => decodeTensorProtos(enc({ dims: [2, 3], float_data: [1, 2, 3, 4, 5] }))).toThrow(ShapeError);
    expect(() => decodeTensorProtos(enc({ dims: [2, 3], float_data: [1, 2, 3, 4, 5] }))).toThrow(
      /tensor #0 "x": dims \[2,3\] hold 6 elements, but float_data holds 5 values/,
    );
    expect(() => decodeTensorProtos(enc({ dims: [2], raw_data: Uint8Array.of(1, 2, 3) }))).toThrow(/raw_data holds 3 bytes \(4 per element\)/);
    expect(() => decodeTensorProtos(enc({ dims: [2, 3] }))).toThrow(/hold 6 elements, but no data field holds nothing/);
    expect(() => decodeTensorProtos(enc({ dims: [2 ** 20, 2 ** 20] }))).toThrow(/over the limit of 2\^28 per tensor/);
    expect(() => decodeTensorProtos(enc({ dims: [2 ** 40, 0] }))).toThrow(/dim 1099511627776 .* exceeds the limit/);
    expect(() => decodeTensorProtos(enc({ dims: [-1] }))).toThrow(/every dim must be a non-negative integer/);
    expect(() => decodeTensorProtos(enc({ dims: Array(40).fill(1), float_data: [1] }))).toThrow(/40 dims exceed the limit of 32/);
    expect(() => decodeTensorProtos(enc({ dims: [1], data_type: 10, int64_data: [2 ** 33] }))).toThrow(DTypeError);
    expect(() => decodeTensorProtos(enc({ dims: [1], data_type: 10, int64_data: [2 ** 33] }))).toThrow(/stored as int32 on the GPU/);
    expect(() => decodeTensorProtos(enc({ dims: [1], data_type: 5, int32_data: [2] }))).toThrow(/value 2 at index 0 does not fit BOOL/);
    expect(() => decodeTensorProtos(enc({ dims: [1], data_type: 4, string_data: [Uint8Array.of(1)] }))).toThrow(/DataType STRING cannot be stored/);
    expect(() => decodeTensorProtos(enc({ dims: [1], data_type: 1, int32_data: [1] }))).toThrow(/keeps its values in float_data or raw_data, but int32_data is set/);
    expect(() => decodeTensorProtos(enc({ dims: [1], float_data: [1], raw_data: f32(1) }))).toThrow(/values are given twice, in float_data and raw_data/);
    expect(() => decodeTensorProtos(enc({ dims: [4], float_data: [1, 2, 3, 4], segment: { begin: 0, end: 2 } }))).toThrow(/chunked tensors are not supported/);
    expect(() => decodeTensorProtos(Uint8Array.from(ld(1, [0x10, 99])))).toThrow(/TensorProtos\.protos\[0\]\.data_type is 99, which is not a DataType value/);
    // float_data unpacked (wire type 5, one per field) is fine; as a varint it is not
    expect([...decodeTensorProtos(Uint8Array.from(ld(1, [0x08, 1, 0x1d, ...f32(1.5)])))[0]!.data]).toEqual([1.5]);
    expect(() => decodeTensorProtos(Uint8Array.from(ld(1, [0x08, 1, 0x18, 1])))).toThrow(
      /protos\[0\]\.float_data \(field 3\) arrived with wire type 0 \(varint\), but caffe2\.proto declares it repeated float, written with wire type 5 \(fixed32\), or 2 when packed/,
    );
  });

  it('refuses to write what the file could not hold', () => {
    expect(() => encodeTensorProtos([{ name: 'x', shape: [2], dtype: 'float32', data: new Float32Array(3) }])).toThrow(/shape \[2\] holds 2 elements, but data has 3/);
    expect(() => encodeTensorProtos([{ name: 'x', shape: [1], dtype: 'float32', data: new Float32Array(1), dataType: core.DataType.INT64 }])).toThrow(
      /cannot write float32 data as DataType INT64/,
    );
    expect(() => encodeTensorProtos([{ name: 'x', shape: [1], dtype: 'int32', data: Int32Array.of(3), dataType: core.DataType.BOOL }])).toThrow(/does not fit BOOL/);
  });
});

describe('fuzz', () => {
  type Mutation = (b: Uint8Array, rng: () => number) => Uint8Array;
  const pick = (rng: () => number, n: number) => Math.floor(rng() * n);
  const mutations: Mutation[] = [
    (b, rng) => b.slice(0, pick(rng, b.length)),
    (b, rng) => {
      const c = b.slice();
      for (let k = 0, n = 1 + pick(rng, 4); k < n; k++) c[pick(rng, c.length)]! ^= 1 << pick(rng, 8);
      return c;
    },
    (b, rng) => {
      const c = b.slice();
      c[pick(rng, c.length)] = pick(rng, 256);
      return c;
    },
    (b, rng) => {
      const at = pick(rng, b.length + 1);
      const extra = Uint8Array.from({ length: 1 + pick(rng, 6) }, () => (rng() < 0.3 ? 0xff : pick(rng, 256)));
      return Uint8Array.from([...b.subarray(0, at), ...extra, ...b.subarray(at)]);
    },
    (b, rng) => {
      const from = pick(rng, b.length);
      const len = 1 + pick(rng, 12);
      const at = pick(rng, b.length);
      return Uint8Array.from([...b.subarray(0, at), ...b.subarray(from, from + len), ...b.subarray(at)]);
    },
  ];

  function fuzz(seedBytes: Uint8Array, decode: (b: Uint8Array) => unknown, seed: number, runs: number) {
    const rng = makeRng(seed);
    let decoded = 0;
    let rejected = 0;
    const start = performance.now();
    for (let k = 0; k < runs; k++) {
      let b = seedBytes;
      for (let m = 0, n = 1 + pick(rng, 3); m < n; m++) b = mutations[pick(rng, mutations.length)]!(b, rng);
      try {
        decode(b);
        decoded++;
      } catch (e) {
        if (!(e instanceof Caffe2Error)) throw new Error(`run ${k}: ${String(e)} for bytes ${Buffer.from(b).toString('hex')}`);
        expect(e.message.length).toBeGreaterThan(20);
        rejected++;
      }
    }
    const ms = performance.now() - start;
    expect(ms).toBeLessThan(15_000);
    // Both outcomes occur, so the mutations really reach the decoder's checks.
    expect(decoded).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(runs / 10);
  }

  it('NetDef: 2000 mutated buffers either decode or throw a Caffe2Error', () => {
    fuzz(netToProto(trainNet()), (b) => decodeNetDef(b), 7, 2000);
  });

  it('TensorProtos: 2000 mutated buffers either decode or throw a Caffe2Error', () => {
    const bytes = encodeTensorProtos([
      { name: 'W', shape: [2, 3], dtype: 'float32', data: Float32Array.of(1, 2, 3, 4, 5, 6) },
      { name: 'it', shape: [1], dtype: 'int32', data: Int32Array.of(9), dataType: core.DataType.INT64 },
      { name: 'b', shape: [3], dtype: 'int32', data: Int32Array.of(1, 0, 1), dataType: core.DataType.BOOL },
    ]);
    fuzz(bytes, (b) => decodeTensorProtos(b), 11, 2000);
  });

  it('TensorProtos: 1000 well-formed messages with mutated dims, types and data lengths', () => {
    // Byte mutations mostly stop at the wire format; these reach the semantic checks behind it.
    const rng = makeRng(13);
    const dimChoices = [0, 1, 2, 3, 7, -1, 2 ** 20, 2 ** 31, 2 ** 53, -(2 ** 40)];
    const kinds = new Set<string>();
    for (let k = 0; k < 1000; k++) {
      const dims = Array.from({ length: Math.floor(rng() * 4) }, () => dimChoices[Math.floor(rng() * dimChoices.length)]!);
      const count = Math.floor(rng() * 8);
      const field = ['float_data', 'int32_data', 'int64_data', 'double_data', 'raw_data', 'byte_data'][Math.floor(rng() * 6)]!;
      const values = Array.from({ length: count }, () => Math.round((rng() - 0.5) * 2 ** (1 + Math.floor(rng() * 40))));
      const data = field === 'raw_data' || field === 'byte_data' ? Uint8Array.from(values) : values;
      const bytes = RawTensorProtos.encode({ protos: [{ name: 't', dims, data_type: Math.floor(rng() * 16), [field]: data }] }).finish();
      try {
        const [t] = decodeTensorProtos(bytes);
        expect(t!.data.length).toBe(t!.shape.reduce((a, b) => a * b, 1));
        kinds.add('decoded');
      } catch (e) {
        if (!(e instanceof Caffe2Error)) throw e;
        kinds.add(e.name);
      }
    }
    expect([...kinds].sort()).toEqual(['ArgumentError', 'DTypeError', 'ShapeError', 'decoded']);
  });
});
