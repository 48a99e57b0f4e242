import { describe, expect, it } from 'vitest';
import { core, BlobReference, ArgumentError, UnknownOperatorError } from '../../src/index.js';

describe('core.Net', () => {
  it('uniquifies names and works with or without new', () => {
    const a = core.Net('uniq');
    const b = new core.Net('uniq');
    expect(a.Name()).toBe('uniq');
    expect(b.Name()).toBe('uniq_1');
    expect(String(b)).toBe('uniq_1');
  });

  it('records ops with Caffe2 argument fields and external inputs', () => {
    const net = core.Net('proto');
    const W = net.GivenTensorFill([], 'W', { shape: [1, 2], values: [2, 1.5] });
    net.ConstantFill([], 'ITER', { shape: [1], value: 0, dtype: core.DataType.INT32 });
    net.Copy([W], 'W2');
    net.Copy(['ext'], 'E2');
    const p = net.Proto();
    expect(p.op.map((o) => o.type)).toEqual(['GivenTensorFill', 'ConstantFill', 'Copy', 'Copy']);
    expect(p.op[0]!.arg).toEqual([
      { name: 'shape', ints: [1, 2] },
      { name: 'values', floats: [2, 1.5] },
    ]);
    expect(p.op[1]!.arg).toContainEqual({ name: 'dtype', i: 2 });
    expect(p.op[1]!.arg).toContainEqual({ name: 'value', f: 0 });
    expect(p.external_input).toEqual(['ext']);
    expect(W).toBeInstanceOf(BlobReference);
    expect(String(W)).toBe('W');
  });

  it('BlobReferences call operators with themselves as the first input', () => {
    const net = core.Net('chain');
    const X = net.ConstantFill([], 'X', { shape: [2], value: 1 });
    const Y = X.Copy([], 'Y');
    Y.StopGradient([], 'Y');
    expect(net.Proto().op.slice(1).map((o) => [o.type, o.input, o.output])).toEqual([
      ['Copy', ['X'], ['Y']],
      ['StopGradient', ['Y'], ['Y']],
    ]);
  });

  it('auto-names outputs like Caffe2', () => {
    const net = core.Net('auto');
    const a = net.ConstantFill([], undefined, { shape: [1] });
    const b = net.ConstantFill([], undefined, { shape: [1] });
    expect(a.name).toBe('auto/ConstantFill');
    expect(b.name).toBe('auto/ConstantFill_2');
  });

  it('rejects unknown op types with a suggestion', () => {
    const net = core.Net('unknown');
    expect(() => (net as unknown as Record<string, unknown>).ConstantFil).toThrow(UnknownOperatorError);
    expect(() => (net as unknown as Record<string, unknown>).ConstantFil).toThrow(/"ConstantFil" is not a registered operator\. Did you mean "ConstantFill"/);
  });

  it('rejects wrong input counts naming the op', () => {
    const net = core.Net('counts');
    expect(() => net.Copy(['a', 'b'], 'c')).toThrow(ArgumentError);
    expect(() => net.Copy(['a', 'b'], 'c')).toThrow(/Copy \(op #0 in net "counts"\): expected 1 inputs \(X\), got 2/);
  });

  it('rejects bad argument types and unknown arguments naming op and argument', () => {
    const net = core.Net('args');
    expect(() => net.ConstantFill([], 'x', { shape: [1.5] })).toThrow(/ConstantFill \(op #0 in net "args"\): argument "shape" must be a list of integers/);
    expect(() => net.ConstantFill([], 'x', { value: 'one' as unknown as number })).toThrow(/argument "value" must be a number/);
    expect(() => net.ConstantFill([], 'x', { valu: 1 } as never)).toThrow(/unknown argument "valu"\. Did you mean "value"/);
    expect(() => net.Copy(['a'], 'b', { run_once: 1 } as never)).toThrow(/unknown argument "run_once"/);
  });

  it('Clone deep-copies under a new name', () => {
    const net = core.Net('orig');
    net.Copy(['a'], 'b');
    const c = net.Clone('copy');
    c.Copy(['b'], 'c');
    expect(net.Proto().op).toHaveLength(1);
    expect(c.Proto().op).toHaveLength(2);
    expect(c.Name()).toBe('copy');
  });

  it('CreateOperator builds an OperatorDef outside any net', () => {
    const op = core.CreateOperator('Copy', 'a', 'b');
    expect(op).toEqual({ type: 'Copy', input: ['a'], output: ['b'], arg: [] });
  });

  it('DataType has Caffe2 numbers', () => {
    expect(core.DataType.FLOAT).toBe(1);
    expect(core.DataType.INT32).toBe(2);
    expect(core.DataType.INT64).toBe(10);
    expect(core.DataType.DOUBLE).toBe(13);
  });
});

describe('core.Net.FromProto / ProtoBytes', () => {
  it('round-trips a net through the Caffe2 wire format', () => {
    const net = core.Net('pb');
    net.GivenTensorFill([], 'W', { shape: [1, 2], values: [2, 1.5] });
    net.Copy(['W'], 'W2');
    const bytes = net.ProtoBytes();
    expect(bytes).toBeInstanceOf(Uint8Array);
    const back = core.Net.FromProto(bytes);
    expect(back.Name()).toBe('pb_1');
    expect(back.Proto().op.map((o) => [o.type, o.input, o.output])).toEqual(net.Proto().op.map((o) => [o.type, o.input, o.output]));
    expect(back.Proto().op[0]!.arg).toEqual(net.Proto().op[0]!.arg);
  });

  it('rejects truncated bytes with a clear error', () => {
    const net = core.Net('pbt');
    net.GivenTensorFill([], 'W', { shape: [1, 2], values: [2, 1.5] });
    const bytes = net.ProtoBytes();
    expect(() => core.Net.FromProto(bytes.slice(0, bytes.length - 3))).toThrow(/NetDef/);
  });
});
