import { describe, expect, it } from 'vitest';
import { core, workspace, MissingBlobError, ShapeError, DTypeError, ArgumentError } from '../../src/index.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

describe('FeedBlob / FetchBlob', () => {
  it('round-trips float32 nested arrays with their shape', async () => {
    await workspace.FeedBlob('a', [[1.5, -2], [3, 4.25]]);
    const t = await workspace.FetchBlob('a');
    expect(t.shape).toEqual([2, 2]);
    expect(t.dtype).toBe('float32');
    expect(t.toArray()).toEqual([[1.5, -2], [3, 4.25]]);
  });

  it('round-trips int32 typed arrays bit for bit', async () => {
    const v = new Int32Array([-2147483648, -1, 0, 7, 2147483647]);
    await workspace.FeedBlob('i', v);
    const t = await workspace.FetchBlob('i');
    expect(t.dtype).toBe('int32');
    expect(Array.from(t.data)).toEqual(Array.from(v));
  });

  it('stores INT64 as int32 and rejects values out of range', async () => {
    await workspace.FeedBlob('i64', [1, 2, 3], { dtype: core.DataType.INT64 });
    expect((await workspace.FetchBlob('i64')).dtype).toBe('int32');
    await expect(workspace.FeedBlob('big', [2 ** 31], { dtype: core.DataType.INT64 })).rejects.toThrow(DTypeError);
    await expect(workspace.FeedBlob('big', [2 ** 31], { dtype: core.DataType.INT64 })).rejects.toThrow(/does not fit int32/);
  });

  it('accepts an explicit shape and keeps 0-d tensors 0-d', async () => {
    await workspace.FeedBlob('m', new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect((await workspace.FetchBlob('m')).shape).toEqual([2, 3]);
    await workspace.FeedBlob('s', 2.5);
    const s = await workspace.FetchBlob('s');
    expect(s.shape).toEqual([]);
    expect(String(s)).toBe('2.5');
  });

  it('rejects a shape that does not hold the data', async () => {
    await expect(workspace.FeedBlob('bad', [1, 2, 3], [2, 2])).rejects.toThrow(ShapeError);
    await expect(workspace.FeedBlob('bad', [[1, 2], [3]])).rejects.toThrow(/ragged/);
  });

  it('prints like numpy', async () => {
    await workspace.FeedBlob('p', [[-0.905963, -0.21433014]]);
    expect(String(await workspace.FetchBlob('p'))).toBe('[[-0.905963   -0.21433014]]');
    await workspace.FeedBlob('q', [0, 1, 2.5]);
    expect(String(await workspace.FetchBlob('q'))).toBe('[0.  1.  2.5]');
  });

  it('names near blobs when one is missing', async () => {
    await workspace.FeedBlob('W_grad_0', [1]);
    await expect(workspace.FetchBlob('W_grad')).rejects.toThrow(MissingBlobError);
    await expect(workspace.FetchBlob('W_grad')).rejects.toThrow(/no blob named "W_grad" in workspace "default"\. Did you mean "W_grad_0"/);
  });
});

describe('workspace bookkeeping', () => {
  it('HasBlob, Blobs, ResetWorkspace', async () => {
    await workspace.FeedBlob('keep', [1]);
    expect(workspace.HasBlob('keep')).toBe(true);
    expect(workspace.Blobs()).toContain('keep');
    workspace.ResetWorkspace();
    expect(workspace.HasBlob('keep')).toBe(false);
    expect(workspace.Blobs()).toEqual([]);
  });

  it('named workspaces are separate and switchable', async () => {
    await workspace.FeedBlob('x', [1]);
    expect(() => workspace.SwitchWorkspace('other')).toThrow(/no workspace named "other"/);
    workspace.SwitchWorkspace('other', true);
    expect(workspace.CurrentWorkspace()).toBe('other');
    expect(workspace.HasBlob('x')).toBe(false);
    await workspace.FeedBlob('y', [2]);
    workspace.SwitchWorkspace('default');
    expect(workspace.HasBlob('x')).toBe(true);
    expect(workspace.HasBlob('y')).toBe(false);
    expect(workspace.Workspaces()).toEqual(['default', 'other']);
  });

  it('RunNetOnce keeps blobs and leaves no net; RunOperatorOnce runs one op', async () => {
    const init = core.Net('ws_init');
    init.GivenTensorFill([], 'g', { shape: [2], values: [3, 4] });
    await workspace.RunNetOnce(init);
    expect(workspace.Nets()).not.toContain(init.Name());
    expect(Array.from((await workspace.FetchBlob('g')).data)).toEqual([3, 4]);
    await workspace.RunOperatorOnce(core.CreateOperator('Copy', ['g'], ['g2']));
    expect(Array.from((await workspace.FetchBlob('g2')).data)).toEqual([3, 4]);
  });
});

describe('CreateNet / RunNet errors', () => {
  it('refuses to overwrite a net unless asked', async () => {
    await workspace.FeedBlob('src', [1, 2]);
    const net = core.Net('dup');
    net.Copy(['src'], 'dst');
    await workspace.CreateNet(net);
    await expect(workspace.CreateNet(net)).rejects.toThrow(/refusing to overwrite/);
    await expect(workspace.CreateNet(net, true)).resolves.toBe(true);
  });

  it('names the op and the missing input blob, before any GPU work', async () => {
    const net = core.Net('missing');
    net.Copy(['nope_blob'], 'out');
    const before = await workspace.Stats();
    await expect(workspace.CreateNet(net)).rejects.toThrow(/Copy \(op #0 in net "missing"\): encountered a non-existing input blob "nope_blob"/);
    const after = await workspace.Stats();
    expect(after.submits).toBe(before.submits);
    expect(after.plans).toBe(before.plans);
  });

  it('unknown nets are named', async () => {
    await expect(workspace.RunNet('no_such_net')).rejects.toThrow(/can't find net "no_such_net"/);
  });

  it('checks argument values at plan time with the op named', async () => {
    const net = core.Net('badfill');
    net.GivenTensorFill([], 'gf', { shape: [3], values: [1, 2] });
    await expect(workspace.RunNetOnce(net)).rejects.toThrow(ArgumentError);
    await expect(workspace.RunNetOnce(net)).rejects.toThrow(/GivenTensorFill \(op #0 in net "badfill.*"\): shape \[3\] holds 3 values, but values has 2/);
  });
});
