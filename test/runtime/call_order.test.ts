/** Workspace calls take effect in call order, awaited or not (issue #11 items 1 and 2). */
import { describe, expect, it } from 'vitest';
import { core, workspace, BlobReference, MissingBlobError } from '../../src/index.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

/** A net that doubles `name` in place: after k runs it holds v · 2^k (exact in float32). */
async function doubler(net: string, blob: string, value: number): Promise<void> {
  await workspace.FeedBlob(blob, [value]);
  const n = core.Net(net);
  n.Scale([blob], blob, { scale: 2 });
  await workspace.CreateNet(n);
}

describe('un-awaited calls run in call order', () => {
  it('FetchBlob after an un-awaited RunNet sees the run', async () => {
    await doubler('co_a', 'co_w', 1);
    void workspace.RunNet('co_a', 10);
    expect(Array.from((await workspace.FetchBlob('co_w')).data)).toEqual([1024]);
  });

  it('a FeedBlob made after an un-awaited RunNet is not lost', async () => {
    await doubler('co_b', 'co_v', 1);
    const run = workspace.RunNet('co_b', 10);
    await workspace.FeedBlob('co_v', [3]);
    await run;
    expect(Array.from((await workspace.FetchBlob('co_v')).data)).toEqual([3]);
  });

  it('a chain of un-awaited runs and feeds gives the sequential result', async () => {
    await doubler('co_c', 'co_u', 1);
    const calls = [workspace.RunNet('co_c', 2), workspace.FeedBlob('co_u', [5]), workspace.RunNet('co_c', 1), workspace.RunNet('co_c', 3)];
    const fetched = workspace.FetchBlob('co_u');
    void workspace.FeedBlob('co_u', [0]);
    expect(Array.from((await fetched).data)).toEqual([5 * 16]);
    await Promise.all(calls);
    expect(Array.from((await workspace.FetchBlob('co_u')).data)).toEqual([0]);
  });

  it('ResetWorkspace waits for the calls made before it, and later calls see its effect', async () => {
    void workspace.FeedBlob('co_r', [1, 2]);
    workspace.ResetWorkspace();
    await expect(workspace.FetchBlob('co_r')).rejects.toThrow(MissingBlobError);
    void workspace.FeedBlob('co_r2', [1]);
    workspace.ResetWorkspace();
    void workspace.FeedBlob('co_r3', [4]);
    expect(Array.from((await workspace.FetchBlob('co_r3')).data)).toEqual([4]);
    expect(workspace.HasBlob('co_r2')).toBe(false);
  });

  it('SetSeed takes effect between the runs it was called between', async () => {
    const fill = core.Net('co_rand');
    fill.GaussianFill([], 'co_g', { shape: [8] });
    await workspace.CreateNet(fill);
    workspace.SetSeed(11);
    await workspace.RunNet('co_rand');
    const expected = Array.from((await workspace.FetchBlob('co_g')).data);
    await workspace.RunNet('co_rand'); // the queue is now idle: the next SetSeed is queued behind a run
    const run = workspace.RunNet('co_rand');
    workspace.SetSeed(11);
    const again = workspace.RunNet('co_rand');
    const got = workspace.FetchBlob('co_g');
    await Promise.all([run, again]);
    expect(Array.from((await got).data)).toEqual(expected);
  });

  it('SwitchWorkspace routes each call to the workspace current when it was made', async () => {
    void workspace.FeedBlob('co_sw', [1]);
    workspace.SwitchWorkspace('co_other', true);
    void workspace.FeedBlob('co_sw', [2]);
    const inOther = workspace.FetchBlob('co_sw');
    workspace.SwitchWorkspace('default');
    expect(Array.from((await workspace.FetchBlob('co_sw')).data)).toEqual([1]);
    expect(Array.from((await inOther).data)).toEqual([2]);
  });

  it('a failed call does not stop the calls queued behind it', async () => {
    const bad = workspace.RunNet('co_no_such_net');
    const good = workspace.FeedBlob('co_after', [7]);
    await expect(bad).rejects.toThrow(/can't find net/);
    await expect(good).resolves.toBe(true);
    expect(Array.from((await workspace.FetchBlob('co_after')).data)).toEqual([7]);
  });

  it('FeedBlob copies the values at call time even when queued', async () => {
    await doubler('co_d', 'co_t', 1);
    const values = new Float32Array([1, 2, 3]);
    void workspace.RunNet('co_d', 1);
    void workspace.FeedBlob('co_t', values);
    values[0] = 99;
    expect(Array.from((await workspace.FetchBlob('co_t')).data)).toEqual([1, 2, 3]);
  });
});

describe('CreateNet racing a FeedBlob that changes a shape', () => {
  it('plans against the shape fed after it, and RunNet gives the right [4,1] output', async () => {
    await workspace.FeedBlob('race_x', new Float32Array(4096).fill(1), [4096, 1]);
    const net = core.Net('race');
    net.Scale(['race_x'], 'race_y', { scale: 2 });
    const created = workspace.CreateNet(net);
    const fed = workspace.FeedBlob('race_x', [[1], [2], [3], [4]]);
    await Promise.all([created, fed]);
    await workspace.RunNet('race');
    const y = await workspace.FetchBlob('race_y');
    expect(y.shape).toEqual([4, 1]);
    expect(Array.from(y.data)).toEqual([2, 4, 6, 8]);
  });
});

describe('blob names: a BlobReference works wherever a name does (Caffe2 stringifies it)', () => {
  it('FeedBlob, FetchBlob, FetchBlobs, HasBlob and RunNetWithHistory take BlobReferences', async () => {
    const ref = new BlobReference('br_x');
    await workspace.FeedBlob(ref, [1.5, 2.5]);
    expect(workspace.HasBlob('br_x')).toBe(true);
    expect(workspace.HasBlob(ref)).toBe(true);
    expect(Array.from((await workspace.FetchBlob(ref)).data)).toEqual([1.5, 2.5]);
    const net = core.Net('br_net');
    const y = net.Scale([ref], 'br_y', { scale: 2 });
    await workspace.CreateNet(net);
    const h = await workspace.RunNetWithHistory('br_net', 2, [y]);
    expect(h.br_y!.shape).toEqual([2, 2]);
    const [a, b] = await workspace.FetchBlobs([ref, y]);
    expect(Array.from(a!.data)).toEqual([1.5, 2.5]);
    expect(Array.from(b!.data)).toEqual([3, 5]);
    // Anything whose String() is the name, as Caffe2's StringifyBlobName does.
    await workspace.FeedBlob({ toString: () => 'br_obj' }, [4]);
    expect(workspace.Blobs()).toContain('br_obj');
  });
});
