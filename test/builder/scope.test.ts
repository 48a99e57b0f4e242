import { describe, expect, it } from 'vitest';
import { core, caffe2_pb2 } from '../../src/index.js';

describe('core.NameScope', () => {
  it('prefixes string blob names of ops built inside, as Caffe2 does, and nests', () => {
    const net = core.Net('ns');
    const W = net.AddExternalInput('W');
    core.NameScope('conv1', () => {
      expect(core.CurrentNameScope()).toBe('conv1/');
      net.FC(['X', W, 'b'], 'y');
      core.NameScope('inner', () => net.Copy('y', 'z'));
      net.Copy('z', 'w', { name: 'not_prefixed' });
    });
    expect(core.CurrentNameScope()).toBe('');
    const ops = net.Proto().op;
    // BlobReferences keep their names; strings get the scope (Caffe2's _RectifyInputOutput).
    expect(ops[0]!.input).toEqual(['conv1/X', 'W', 'conv1/b']);
    expect(ops[0]!.output).toEqual(['conv1/y']);
    expect(ops[1]!.input).toEqual(['conv1/inner/y']);
    expect(ops[1]!.output).toEqual(['conv1/inner/z']);
    expect(ops[2]!.name).toBe('not_prefixed');
  });

  it('returns the callback value, restores on throw, and supports reset and empty prefixes', () => {
    expect(core.NameScope('a', () => core.NameScope('b', () => core.ScopedName('x')))).toBe('a/b/x');
    expect(core.NameScope('a', () => core.NameScope('b', () => core.ScopedName('x'), { reset: true }))).toBe('b/x');
    expect(core.NameScope('', () => core.ScopedName('x'))).toBe('x');
    expect(() =>
      core.NameScope('boom', () => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(core.CurrentNameScope()).toBe('');
    const scoped = core.NameScope('s', () => core.NameScope('t', () => core.ScopedBlobReference('w')));
    expect(String(scoped)).toBe('s/t/w');
    expect(scoped.GetNameScope()).toBe('s/t/');
    expect(scoped.GetUnscopedName()).toBe('w');
  });

  it('keeps the scope through an async callback and restores it after', async () => {
    const p = core.NameScope('later', async () => {
      await Promise.resolve();
      return core.ScopedName('x');
    });
    expect(await p).toBe('later/x');
    expect(core.CurrentNameScope()).toBe('');
  });

  it('auto-named outputs get the scope too', () => {
    const net = core.Net('nsauto');
    const y = core.NameScope('s', () => net.Copy('x'));
    expect(y.name).toBe('s/nsauto/Copy');
  });
});

describe('core.DeviceScope and core.DeviceOption', () => {
  it('ops built inside carry the scope device option unless they pass their own', () => {
    const net = core.Net('dev');
    const gpu1 = core.DeviceOption(caffe2_pb2.CUDA, 1);
    core.DeviceScope(gpu1, () => {
      net.Copy('a', 'b');
      net.Copy('b', 'c', { device_option: core.DeviceOption(caffe2_pb2.CPU) });
      expect(core.CurrentDeviceScope()).toEqual({ device_type: 1, device_id: 1 });
    });
    net.Copy('c', 'd');
    const ops = net.Proto().op;
    expect(ops[0]!.device_option).toEqual({ device_type: 1, device_id: 1 });
    expect(ops[1]!.device_option).toEqual({ device_type: 0, device_id: 0 });
    expect(ops[2]!.device_option).toBeUndefined();
    expect(core.CurrentDeviceScope()).toBeNull();
  });

  it('DeviceOption takes Caffe2\'s positional fields', () => {
    expect(core.DeviceOption(caffe2_pb2.CPU)).toEqual({ device_type: 0, device_id: 0 });
    expect(core.DeviceOption(caffe2_pb2.CUDA, 3, 7, 'node', undefined, ['x'])).toEqual({
      device_type: 1,
      device_id: 3,
      random_seed: 7,
      node_name: 'node',
      extra_info: ['x'],
    });
  });
});
