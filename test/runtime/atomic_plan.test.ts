/**
 * A failed call leaves the workspace as it was, sizes are checked on the host, and pooled memory
 * never shows through (issue #11 items 3 and 4).
 */
import { describe, expect, it } from 'vitest';
import { core, workspace, LimitError, ShapeError } from '../../src/index.js';
import { defineOp } from '../../src/ops/registry.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

const values = async (name: string): Promise<number[]> => Array.from((await workspace.FetchBlob(name)).data);

/**
 * A fixture op whose kernel asks for an input the op lacks: it passes every host check and fails
 * while binding, after the planner has staged new buffers, which is where atomicity matters.
 */
defineOp({
  type: 'TestOnlyFailsWhileBinding',
  doc: 'test fixture: fails at bind time',
  inputs: ['X'],
  outputs: ['Y'],
  args: {},
  inferShape: (ctx) => [{ shape: ctx.inputs[0]!.shape, dtype: 'float32' }],
  kernels: (_ctx, [y]) => [{ shader: 'scale.wgsl', uniforms: { n: y!.shape[0]!, scale: 1 }, workgroups: [1], bindings: { X: { input: 3 } } }],
  noGradient: 'test fixture',
});

describe('oversize tensors are refused on the host', () => {
  it('ConstantFill [2^31] is a LimitError naming op, blob and sizes; the old blob and the next call are fine', async () => {
    await workspace.FeedBlob('os_y', [5, 6]);
    const fill = core.Net('os_fill');
    fill.ConstantFill([], 'os_y', { shape: [2 ** 31], value: 1 });
    const err = await workspace.RunNetOnce(fill).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitError);
    expect(String(err)).toMatch(/ConstantFill \(op #0 in net "os_fill"\): "os_y" of shape \[2147483648\].*8\.00 GiB.*maxBufferSize/);
    expect(await values('os_y')).toEqual([5, 6]);
    await workspace.FeedBlob('os_next', [1]);
    expect(await values('os_next')).toEqual([1]);
  });

  it('[1e9, 1e9] is a LimitError too, not a raw TypeError', async () => {
    const fill = core.Net('os_huge');
    fill.ConstantFill([], 'os_h', { shape: [1e9, 1e9] });
    await expect(workspace.CreateNet(fill)).rejects.toThrow(LimitError);
    await expect(workspace.CreateNet(fill)).rejects.toThrow(/"os_h" of shape \[1000000000,1000000000\].*maxBufferSize/);
    expect(workspace.HasBlob('os_h')).toBe(false);
    expect(workspace.Nets()).not.toContain('os_huge');
  });

  it('SetLimits caps blob sizes for untrusted nets and feeds, with the cap named', async () => {
    workspace.SetLimits({ maxBlobBytes: 1024 });
    try {
      const fill = core.Net('os_cap');
      fill.ConstantFill([], 'os_c', { shape: [257] });
      await expect(workspace.RunNetOnce(fill)).rejects.toThrow(/"os_c" of shape \[257\] \(257 elements\) needs 1028 B.*SetLimits/);
      await expect(workspace.FeedBlob('os_f', new Float32Array(300))).rejects.toThrow(LimitError);
      await workspace.FeedBlob('os_ok', new Float32Array(256));
    } finally {
      workspace.SetLimits({ maxBlobBytes: Infinity });
    }
    await workspace.FeedBlob('os_f', new Float32Array(300));
    expect(workspace.HasBlob('os_f')).toBe(true);
  });
});

describe('RunNetWithHistory sizes its history on the host', () => {
  it('a history larger than the adapter allows is a LimitError before any run', async () => {
    await workspace.FeedBlob('hs_w', new Float32Array(1024));
    const net = core.Net('hs');
    net.Scale(['hs_w'], 'hs_w', { scale: 1 });
    await workspace.CreateNet(net);
    const before = await workspace.Stats();
    await expect(workspace.RunNetWithHistory('hs', 2 ** 20, ['hs_w'])).rejects.toThrow(/history of hs_w" needs 4\.00 GiB/);
    expect((await workspace.Stats()).submits).toBe(before.submits);
    const h = await workspace.RunNetWithHistory('hs', 2, ['hs_w']);
    expect(h.hs_w!.shape).toEqual([2, 1024]);
  });
});

describe('planning is atomic', () => {
  it('a CreateNet that fails while binding leaves reshaped and new blobs as they were', async () => {
    await workspace.FeedBlob('at_y', [1, 2, 3]);
    const before = await workspace.Stats();
    const net = core.Net('at_fail');
    net.ConstantFill([], 'at_y', { shape: [5], value: 9 });
    net.ConstantFill([], 'at_new', { shape: [7], value: 9 });
    net.Proto().op.push(core.CreateOperator('TestOnlyFailsWhileBinding', ['at_y'], ['at_q']));
    await expect(workspace.CreateNet(net)).rejects.toThrow(/wants input #3/);
    const y = await workspace.FetchBlob('at_y');
    expect(y.shape).toEqual([3]);
    expect(Array.from(y.data)).toEqual([1, 2, 3]);
    expect(workspace.HasBlob('at_new')).toBe(false);
    expect(workspace.HasBlob('at_q')).toBe(false);
    const after = await workspace.Stats();
    expect(after.liveBuffers).toBe(before.liveBuffers);
  });

  it('a net reading Y before reshaping Y gives Caffe2\'s result on the first and the second run', async () => {
    await workspace.FeedBlob('rr_y', [1, 2, 3]);
    await workspace.FeedBlob('rr_other', [7, 7, 7, 7]);
    const net = core.Net('rr');
    net.Copy(['rr_y'], 'rr_z');
    net.ConstantFill([], 'rr_y', { shape: [4], value: 5 });
    await workspace.CreateNet(net);
    await workspace.RunNet('rr');
    expect(await values('rr_z')).toEqual([1, 2, 3]);
    expect(await values('rr_y')).toEqual([5, 5, 5, 5]);
    await workspace.RunNet('rr');
    expect(await values('rr_z')).toEqual([5, 5, 5, 5]);
    // RunNet(n) splits where the shapes change and matches n single runs.
    await workspace.FeedBlob('rr_y', [8, 9]);
    await workspace.RunNet('rr', 3);
    expect(await values('rr_z')).toEqual([5, 5, 5, 5]);
    expect(await values('rr_y')).toEqual([5, 5, 5, 5]);
  });

  it('the same holds for RunNetOnce', async () => {
    await workspace.FeedBlob('ro_y', [4, 3]);
    const net = core.Net('ro');
    net.Scale(['ro_y'], 'ro_z', { scale: 2 });
    net.ConstantFill([], 'ro_y', { shape: [5], value: 1 });
    await workspace.RunNetOnce(net);
    expect(await values('ro_z')).toEqual([8, 6]);
    expect(await values('ro_y')).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('pooled memory never shows through', () => {
  it('a blob created by CreateNet and fetched before any run holds zeros, not another blob\'s data', async () => {
    await workspace.FeedBlob('nw_src', new Float32Array(256).fill(3));
    await workspace.FeedBlob('nw_secret', new Float32Array(256).fill(42));
    await workspace.FeedBlob('nw_secret', [1]); // its 1 KiB buffer goes back to the pool
    const net = core.Net('nw');
    net.Copy(['nw_src'], 'nw_out');
    await workspace.CreateNet(net);
    const out = await workspace.FetchBlob('nw_out');
    expect(out.shape).toEqual([256]);
    expect(out.data.every((v) => v === 0)).toBe(true);
    await workspace.RunNet('nw');
    expect((await workspace.FetchBlob('nw_out')).data.every((v) => v === 3)).toBe(true);
  });
});

describe('in-place output shape changes stay refused', () => {
  it('is a ShapeError and changes nothing', async () => {
    await workspace.FeedBlob('ip_x', [1, 2]);
    const net = core.Net('ip');
    net.ConstantFill([], 'ip_x', { shape: [2], value: 3 });
    net.ConstantFill([], 'ip_x', { shape: [5], value: 3 });
    await expect(workspace.CreateNet(net)).rejects.toThrow(ShapeError);
    expect(await values('ip_x')).toEqual([1, 2]);
  });
});
