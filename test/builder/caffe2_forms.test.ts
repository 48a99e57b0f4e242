import { describe, expect, expectTypeOf, it } from 'vitest';
import { core, caffe2_pb2, BlobReference, ArgumentError, MissingBlobError, type BlobRef } from '../../src/index.js';

describe('op calls return what Caffe2 returns', () => {
  it('one name in a list gives one BlobReference, typed as one', () => {
    const net = core.Net('one_list');
    const X = net.GaussianFill([], ['X'], { shape: [4, 2] });
    expectTypeOf(X).toEqualTypeOf<BlobRef>();
    expect(X).toBeInstanceOf(BlobReference);
    const Y = X.FC(['W', 'b'], ['Y']);
    expect(Y.name).toBe('Y');
    const loss = Y.AveragedLoss([], ['loss']);
    expect(net.AddGradientOperators([loss]).get('W')?.name).toBe('W_grad');
  });

  it('two or more names give an array; a count of 1 gives one reference', () => {
    const net = core.Net('many');
    const outs = net.Copy(['a'], 1);
    expectTypeOf(outs).toEqualTypeOf<BlobRef>();
    expect(outs.name).toBe('many/Copy:0');
    const grads = net.SquaredL2DistanceGradient(['x', 'y', 'd'], ['gx', 'gy']);
    expectTypeOf(grads).toEqualTypeOf<BlobRef[]>();
    expect(grads.map(String)).toEqual(['gx', 'gy']);
    const auto = net.SquaredL2DistanceGradient(['x', 'y', 'd'], 2);
    expect(auto.map(String)).toEqual(['many/SquaredL2DistanceGradient:0', 'many/SquaredL2DistanceGradient:1']);
  });

  it('names a list whose length TypeScript cannot see as either', () => {
    const net = core.Net('either');
    const names: string[] = ['only'];
    const r = net.Copy(['a'], names);
    expectTypeOf(r).toEqualTypeOf<BlobRef | BlobRef[]>();
    expect(r).toBeInstanceOf(BlobReference);
  });
});

describe('bad inputs fail when the op is built', () => {
  it('an array inside the input list is a TypeError naming the op and the slot', () => {
    const net = core.Net('nested');
    const X = net.GaussianFill([], 'X', { shape: [4, 2] });
    expect(() => net.FC([[X, 'W', 'b']] as never, ['Y'])).toThrow(TypeError);
    expect(() => net.FC([[X, 'W', 'b']] as never, ['Y'])).toThrow(/FC \(op #1 in net "nested"\): input #0 must be a blob name or a BlobReference, got an array \[X, W, b\]/);
    expect(net.Proto().op).toHaveLength(1);
  });

  it('numbers, objects and undefined inside lists are TypeErrors too, for inputs and outputs', () => {
    const net = core.Net('junk');
    expect(() => net.Copy([3] as never, 'y')).toThrow(/input #0 must be a blob name or a BlobReference, got a number 3/);
    expect(() => net.Copy(['x', undefined] as never, 'y')).toThrow(/input #1 .* got undefined/);
    expect(() => net.Copy('x', [{}] as never)).toThrow(/output #0 must be a blob name/);
    expect(() => net.Copy({} as never, 'y')).toThrow(TypeError);
    expect(() => net.Copy('x', 'y', 'axis' as never)).toThrow(/options must be an object/);
    expect(() => net.Copy('x', 1.5)).toThrow(/output count must be a whole number/);
  });

  it('a BlobReference method refuses other inputs that are not blobs or lists', () => {
    const net = core.Net('refjunk');
    const X = net.GaussianFill([], 'X', { shape: [2] });
    expect(() => X.Add(7 as never, 'Y')).toThrow(/X\.Add: other inputs must be a BlobReference, a string, or a list, got a number 7/);
  });
});

describe('core.Net API', () => {
  it('Clone renames blobs through blob_remap and keeps op_id_mask ops', () => {
    const net = core.Net('remap');
    const Y = net.FC(['X', 'W', 'b'], 'Y');
    net.AddExternalOutput(Y);
    const c = net.Clone('remapped', { X: 'data', Y: 'out' });
    expect(c.Proto().op[0]!.input).toEqual(['data', 'W', 'b']);
    expect(c.Proto().op[0]!.output).toEqual(['out']);
    expect(c.Proto().external_input).toEqual(['data', 'W', 'b']);
    expect(c.Proto().external_output).toEqual(['out']);
    expect(net.Proto().op[0]!.input).toEqual(['X', 'W', 'b']);
    const part = net.Clone('part', new Map([[Y, 'Y2']]), []);
    expect(part.Proto().op).toEqual([]);
    expect(() => net.Clone('bad', {}, [3])).toThrow(/op_id_mask names op #3, but the net has 1 ops/);
  });

  it('AddExternalInput: one name → one reference, several → an array, twice → error', () => {
    const net = core.Net('ext');
    const data = net.AddExternalInput('data');
    expectTypeOf(data).toEqualTypeOf<BlobRef>();
    expect(data.name).toBe('data');
    const pair = net.AddExternalInputs('a', 'b');
    expect(Array.isArray(pair) && pair.map(String)).toEqual(['a', 'b']);
    expect(() => net.AddExternalInput('data')).toThrow(/Net already contains an input named data/);
    const Y = data.Copy([], 'Y');
    net.AddExternalOutput(Y);
    expect(net.external_inputs.map(String)).toEqual(['data', 'a', 'b']);
    expect(net.external_outputs.map(String)).toEqual(['Y']);
    expect(net.external_outputs[0]!.Net()).toBe(net);
  });

  it('BlobIsDefined, UsesBlob and GetBlobRef know op outputs and external inputs', () => {
    const net = core.Net('defined');
    net.Copy(['x'], 'y');
    expect(net.BlobIsDefined('x')).toBe(true);
    expect(net.BlobIsDefined(net.GetBlobRef('y'))).toBe(true);
    expect(net.BlobIsDefined('z')).toBe(false);
    expect(net.UsesBlob('x')).toBe(true);
    expect(net.UsesBlob('y')).toBe(false);
    expect(() => net.GetBlobRef('yy')).toThrow(MissingBlobError);
    expect(() => net.GetBlobRef('yy')).toThrow(/Net does not define blob yy\. Did you mean "y"/);
  });

  it('NextBlob never repeats a name; NextName follows Caffe2', () => {
    const net = core.Net('nb');
    net.Copy(['x'], 'tmp');
    expect(String(net.NextBlob('tmp'))).toBe('tmp_auto_0');
    expect(String(net.NextBlob('tmp'))).toBe('tmp_auto_1');
    expect(String(net.NextBlob())).toBe('unnamed');
    expect(String(net.NextBlob())).toBe('unnamed_auto_0');
    expect(net.NextName()).toBe('nb_blob_0');
    expect(net.NextName()).toBe('nb_blob_1');
    expect(net.NextName('FC')).toBe('nb/FC');
    net.Copy(['x'], 'nb/FC');
    expect(net.NextName('FC')).toBe('nb/FC_2');
    expect(net.NextName('FC', 1)).toBe('nb/FC:1');
    expect(core.NameScope('s', () => String(net.NextScopedBlob('w')))).toBe('s/w');
  });

  it('Const picks the fill by element type, with the shape of nested arrays', () => {
    const net = core.Net('const');
    const a = net.Const([[1, 2, 3], [4, 5, 6]], 'A');
    const b = net.Const(Int32Array.from([7, 8]));
    const c = net.Const([1, 2], 'C', core.DataType.INT64);
    const d = net.Const([true, false], 'D');
    const e = net.Const(true, 'E');
    const f = net.Const(0.5, 'F');
    expect(a.name).toBe('A');
    expect(b.name).toBe('const/GivenTensorIntFill:0');
    const ops = net.Proto().op;
    expect(ops.map((o) => o.type)).toEqual(['GivenTensorFill', 'GivenTensorIntFill', 'GivenTensorInt64Fill', 'GivenTensorBoolFill', 'ConstantFill', 'GivenTensorFill']);
    expect(ops[0]!.arg).toEqual([
      { name: 'shape', ints: [2, 3] },
      { name: 'values', floats: [1, 2, 3, 4, 5, 6] },
    ]);
    expect(ops[3]!.arg).toContainEqual({ name: 'values', ints: [1, 0] });
    expect(ops[4]!.arg).toContainEqual({ name: 'dtype', i: core.DataType.BOOL });
    expect(ops[5]!.arg).toContainEqual({ name: 'shape', ints: [] });
    expect(String(c) + String(d) + String(e) + String(f)).toBe('CDEF');
    expect(() => net.Const([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => net.Const([1, true])).toThrow(/mixes booleans and numbers/);
    expect(() => net.Const([1], 'S', core.DataType.STRING)).toThrow(/dtype STRING has no constant fill/);
  });

  it('AppendNet adds the other net\'s ops and the external blobs it lacks', () => {
    const a = core.Net('app_a');
    a.Copy(['x'], 'y');
    const b = core.Net('app_b');
    const z = b.Copy(['y'], 'z');
    b.Copy(['w'], 'v');
    b.AddExternalOutput(z);
    const opt = core.DeviceOption(caffe2_pb2.CUDA, 1);
    expect(a.AppendNet(b, opt)).toBe(a);
    expect(a.Proto().op.map((o) => o.output[0])).toEqual(['y', 'z', 'v']);
    expect(a.Proto().external_input).toEqual(['x', 'w']);
    expect(a.Proto().external_output).toEqual(['z']);
    expect(a.Proto().op[1]!.device_option).toEqual({ device_type: 1, device_id: 1 });
    expect(b.Proto().op[0]!.device_option).toBeUndefined();
  });
});

describe('core.CreateOperator', () => {
  it('accepts device_option, engine, arg and control_input as Caffe2 does', () => {
    const op = core.CreateOperator('ConstantFill', [], 'Y', {
      device_option: core.DeviceOption(caffe2_pb2.CUDA, 0),
      engine: 'CUDNN',
      arg: [{ name: 'shape', ints: [2] }],
      control_input: ['Z'],
      value: 3,
    });
    expect(op).toEqual({
      type: 'ConstantFill',
      input: [],
      output: ['Y'],
      arg: [
        { name: 'shape', ints: [2] },
        { name: 'value', f: 3 },
      ],
      engine: 'CUDNN',
      device_option: { device_type: 1, device_id: 0 },
      control_input: ['Z'],
    });
  });

  it('checks raw arg entries against the schema when built', () => {
    expect(() => core.CreateOperator('ConstantFill', [], 'Y', { arg: [{ name: 'valu', f: 1 }] })).toThrow(ArgumentError);
    expect(() => core.CreateOperator('ConstantFill', [], 'Y', { arg: [{ nam: 'x' }] })).toThrow(/arg must be a list of proto Arguments/);
    expect(() => core.CreateOperator('ConstantFill', [], 'Y', { device_option: 1 })).toThrow(/device_option must be a DeviceOption/);
  });

  it('round-trips device_option and control_input through the protobuf codec', () => {
    const net = core.Net('devpb');
    net.ConstantFill([], 'Y', { shape: [1], device_option: core.DeviceOption(caffe2_pb2.CUDA, 2), control_input: 'c' });
    const back = core.Net.FromProto(net.ProtoBytes());
    expect(back.Proto().op[0]!.device_option).toEqual({ device_type: 1, device_id: 2 });
    expect(back.Proto().op[0]!.control_input).toEqual(['c']);
  });
});
