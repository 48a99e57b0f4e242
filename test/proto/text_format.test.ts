import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { core, caffe2_pb2, proto } from '../../src/index.js';

describe('protobuf text format', () => {
  it("prints the Basics tutorial's net as Python's print(net.Proto()) does", () => {
    const net = core.Net('my_first_net');
    const X = net.GaussianFill([], ['X'], { mean: 0.0, std: 1.0, shape: [2, 3], run_once: 0 });
    const W = net.GaussianFill([], ['W'], { mean: 0.0, std: 1.0, shape: [5, 3], run_once: 0 });
    const b = net.ConstantFill([], ['b'], { shape: [5], value: 1.0, run_once: 0 });
    X.FC([W, b], ['Y']);
    const text = String(net.Proto());
    expect(text.split('\n').slice(0, 22).join('\n')).toBe(
      [
        'name: "my_first_net"',
        'op {',
        '  output: "X"',
        '  type: "GaussianFill"',
        '  arg {',
        '    name: "mean"',
        '    f: 0.0',
        '  }',
        '  arg {',
        '    name: "std"',
        '    f: 1.0',
        '  }',
        '  arg {',
        '    name: "shape"',
        '    ints: 2',
        '    ints: 3',
        '  }',
        '  arg {',
        '    name: "run_once"',
        '    i: 0',
        '  }',
        '}',
      ].join('\n'),
    );
    expect(text).toContain('op {\n  input: "X"\n  input: "W"\n  input: "b"\n  output: "Y"\n  type: "FC"\n}\n');
    expect(text).not.toContain('external_input');
    expect(inspect(net.Proto())).toBe(text);
  });

  it('prints a CreateOperator result as print(str(op)) does, and stays plain data', () => {
    const op = core.CreateOperator('ConstantFill', [], ['Y'], {
      value: 0.1,
      name: 'fill',
      engine: 'CUDNN',
      device_option: core.DeviceOption(caffe2_pb2.CUDA, 1),
      control_input: ['c'],
    });
    expect(`${op}`).toBe(
      [
        'output: "Y"',
        'name: "fill"',
        'type: "ConstantFill"',
        'arg {',
        '  name: "value"',
        '  f: 0.1',
        '}',
        'device_option {',
        '  device_type: 1',
        '  device_id: 1',
        '}',
        'engine: "CUDNN"',
        'control_input: "c"',
        '',
      ].join('\n'),
    );
    expect(JSON.parse(JSON.stringify(op))).toEqual(op);
    expect(Object.keys(op)).not.toContain('toString');
  });

  it('escapes strings and writes floats in their shortest form', () => {
    const text = proto.operatorDefToText({
      type: 'LearningRate',
      input: ['a"b\\c\n'],
      output: ['é'],
      arg: [
        { name: 'policy', s: 'step' },
        { name: 'gamma', f: Math.fround(1e-5) },
        { name: 'xs', floats: [1.5, 2] },
        { name: 'names', strings: ['p', 'q'] },
      ],
      is_gradient_op: true,
    });
    expect(text).toBe(
      [
        'input: "a\\"b\\\\c\\n"',
        'output: "\\303\\251"',
        'type: "LearningRate"',
        'arg {',
        '  name: "policy"',
        '  s: "step"',
        '}',
        'arg {',
        '  name: "gamma"',
        '  f: 1e-05',
        '}',
        'arg {',
        '  name: "xs"',
        '  floats: 1.5',
        '  floats: 2.0',
        '}',
        'arg {',
        '  name: "names"',
        '  strings: "p"',
        '  strings: "q"',
        '}',
        'is_gradient_op: true',
        '',
      ].join('\n'),
    );
  });
});
