import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import { useGpu } from '../helpers/gpu.js';
import { configureFusion, fusionSettings } from '../../src/runtime/fusion.js';

useGpu();

async function copyNet(): Promise<string> {
  await workspace.FeedBlob('ex_in', [1, 2, 3]);
  const net = core.Net('exec');
  net.Copy(['ex_in'], 'ex_mid');
  net.Copy(['ex_mid'], 'ex_out');
  net.ConstantFill([], 'ex_c', { shape: [2], value: 5 });
  await workspace.CreateNet(net);
  return net.Name();
}

/** Runs `f` with fusion on or off for the nets it creates, then restores the setting. */
async function withFusion(enabled: boolean, f: () => Promise<void>): Promise<void> {
  const was = fusionSettings().enabled;
  configureFusion({ enabled });
  try {
    await f();
  } finally {
    configureFusion({ enabled: was });
  }
}

describe('executor contract', () => {
  it('RunNet(name, 100) is exactly one submit and encodes every dispatch (unfused)', async () => {
    await withFusion(false, async () => {
      const name = await copyNet();
      const before = await workspace.Stats();
      await workspace.RunNet(name, 100);
      const after = await workspace.Stats();
      expect(after.submits - before.submits).toBe(1);
      expect(after.dispatches - before.dispatches).toBe(300);
      expect(after.iterations - before.iterations).toBe(100);
      expect(after.mapAsyncs).toBe(before.mapAsyncs);
      expect(after.plans).toBe(before.plans);
    });
  });

  it('fused, RunNet(name, 100) of a net of fusable ops is one submit and one dispatch', async () => {
    await withFusion(true, async () => {
      const name = await copyNet();
      const before = await workspace.Stats();
      await workspace.RunNet(name, 100);
      const after = await workspace.Stats();
      expect([after.submits - before.submits, after.dispatches - before.dispatches]).toEqual([1, 1]);
      expect(Array.from((await workspace.FetchBlob('ex_out')).data)).toEqual([1, 2, 3]);
    });
  });

  it('1,000 RunNet calls grow no buffer and read nothing back; FetchBlob is the one mapAsync', async () => {
    const name = await copyNet();
    await workspace.RunNet(name);
    const before = await workspace.Stats();
    for (let i = 0; i < 1000; i++) await workspace.RunNet(name);
    await workspace.Sync();
    const after = await workspace.Stats();
    expect(after.liveBuffers).toBe(before.liveBuffers);
    expect(after.createdBuffers).toBe(before.createdBuffers);
    expect(after.liveBytes).toBe(before.liveBytes);
    expect(after.mapAsyncs).toBe(before.mapAsyncs);
    expect(after.pipelines).toBe(before.pipelines);
    await workspace.FetchBlob('ex_out');
    expect((await workspace.Stats()).mapAsyncs).toBe(before.mapAsyncs + 1);
  });

  it('FeedBlob with the same shape: the created net sees the new values, no re-plan', async () => {
    const name = await copyNet();
    await workspace.RunNet(name);
    expect(Array.from((await workspace.FetchBlob('ex_out')).data)).toEqual([1, 2, 3]);
    const plans = (await workspace.Stats()).plans;
    await workspace.FeedBlob('ex_in', [7, 8, 9]);
    await workspace.RunNet(name);
    expect(Array.from((await workspace.FetchBlob('ex_out')).data)).toEqual([7, 8, 9]);
    expect((await workspace.Stats()).plans).toBe(plans);
  });

  it('FeedBlob with another shape: the net is planned again, never run on the old buffer', async () => {
    const name = await copyNet();
    await workspace.RunNet(name);
    const plans = (await workspace.Stats()).plans;
    await workspace.FeedBlob('ex_in', [[1, 2], [3, 4], [5, 6]]);
    await workspace.RunNet(name);
    const out = await workspace.FetchBlob('ex_out');
    expect(out.shape).toEqual([3, 2]);
    expect(out.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect((await workspace.Stats()).plans).toBe(plans + 1);
  });

  it('in-place ops computed through a temporary give the right result', async () => {
    // Copy X -> X is allowed in place and must leave X unchanged (a no-op or a copy through a temporary).
    await workspace.FeedBlob('ip', [4, 5, 6]);
    await workspace.RunOperatorOnce(core.CreateOperator('Copy', ['ip'], ['ip']));
    expect(Array.from((await workspace.FetchBlob('ip')).data)).toEqual([4, 5, 6]);
  });

  it('run_once: 1 fills on the first run of a created net only', async () => {
    const net = core.Net('once');
    net.ConstantFill([], 'once_v', { shape: [1], value: 3, run_once: 1 });
    await workspace.CreateNet(net);
    const before = (await workspace.Stats()).dispatches;
    await workspace.RunNet(net.Name(), 5);
    expect((await workspace.Stats()).dispatches - before).toBe(1);
    await workspace.FeedBlob('once_v', [9]);
    await workspace.RunNet(net.Name());
    expect(Array.from((await workspace.FetchBlob('once_v')).data)).toEqual([9]);
  });

  it('Shutdown lets go of the device and a later call opens a new one', async () => {
    await workspace.FeedBlob('sd', [1]);
    await workspace.Shutdown();
    expect(workspace.HasBlob('sd')).toBe(false);
    await workspace.FeedBlob('sd', [2]);
    expect(Array.from((await workspace.FetchBlob('sd')).data)).toEqual([2]);
  });
});
