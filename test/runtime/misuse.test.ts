/** Small misuses get clear typed errors and leave the runtime usable (issue #11 item 7). */
import { describe, expect, it } from 'vitest';
import { workspace, ArgumentError, DeviceError, MissingBlobError, MissingNetError, MissingWorkspaceError, ShapeError, type FeedData } from '../../src/index.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

describe('FeedBlob validates shapes and data on the host', () => {
  it('refuses negative and fractional dims, even when their product matches the data', async () => {
    await expect(workspace.FeedBlob('fv', [5], [-1, -1])).rejects.toThrow(ShapeError);
    await expect(workspace.FeedBlob('fv', [1, 2, 3], [1.5, 2])).rejects.toThrow(/must hold non-negative integers/);
    await expect(workspace.FeedBlob('fv', { shape: [NaN], data: [1] })).rejects.toThrow(ShapeError);
    expect(workspace.HasBlob('fv')).toBe(false);
  });

  it('refuses strings, nulls and non-numeric arrays with an ArgumentError, not a raw TypeError', async () => {
    for (const bad of ['hello', null, undefined, { a: 1 }, [1, 'x'], new DataView(new ArrayBuffer(4))]) {
      await expect(workspace.FeedBlob('fv', bad as unknown as FeedData)).rejects.toThrow(ArgumentError);
    }
    await expect(workspace.FeedBlob(null as unknown as string, [1])).rejects.toThrow(ArgumentError);
    await workspace.FeedBlob('fv_ok', [1, 2]);
    expect(Array.from((await workspace.FetchBlob('fv_ok')).data)).toEqual([1, 2]);
  });

  it('a whole-workspace checkpoint still works after refused feeds', async () => {
    const { proto } = await import('../../src/index.js');
    await workspace.FeedBlob('ck_a', [1.5]);
    const bytes = await proto.saveCheckpoint();
    expect(bytes.length).toBeGreaterThan(0);
  });
});

describe('typed errors for what is missing', () => {
  it('a missing net is a MissingNetError, not a MissingBlobError', async () => {
    const err = await workspace.RunNet('no_such_net').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingNetError);
    expect(err).not.toBeInstanceOf(MissingBlobError);
  });

  it('a missing workspace is a MissingWorkspaceError', () => {
    let err: unknown = null;
    try {
      workspace.SwitchWorkspace('no_such_ws');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MissingWorkspaceError);
    expect(err).not.toBeInstanceOf(MissingBlobError);
  });
});

describe('Init', () => {
  it('rejects toggles Dawn cannot parse, and unknown adapters and options, as ArgumentErrors', async () => {
    await expect(workspace.Init({ toggles: ['bogus_toggle'] })).rejects.toThrow(ArgumentError);
    await expect(workspace.Init({ toggles: [42 as unknown as string] })).rejects.toThrow(ArgumentError);
    await expect(workspace.Init({ adapter: 'gpu' as never })).rejects.toThrow(ArgumentError);
    await expect(workspace.Init({ adaptor: 'software' } as never)).rejects.toThrow(/unknown option/);
  });

  it('Init with other device options while the device is open is an ArgumentError, not silently ignored', async () => {
    await workspace.Init();
    await expect(workspace.Init({ powerPreference: 'low-power' })).rejects.toThrow(/already open without powerPreference="low-power".*Shutdown/);
    await expect(workspace.Init()).resolves.toBeDefined();
  });

  it('a failed Init is not sticky: the next call opens the default device', async () => {
    await workspace.Shutdown();
    await expect(workspace.Init({ adapter: 'software', swiftshaderIcd: '/nonexistent/icd.json' })).rejects.toThrow(DeviceError);
    await workspace.FeedBlob('after_init', [3]);
    expect(Array.from((await workspace.FetchBlob('after_init')).data)).toEqual([3]);
  });
});
