/** Memory stays bounded: pool budget, ResetWorkspace frees, long runs in chunks (issue #11 item 6). */
import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import { MAX_DISPATCHES_PER_SUBMIT } from '../../src/runtime/workspace.js';
import { useGpu } from '../helpers/gpu.js';
import { configureFusion, fusionSettings } from '../../src/runtime/fusion.js';

useGpu();

describe('the buffer pool keeps a byte budget', () => {
  it('100 batch sizes leave at most the budget in free buffers', async () => {
    workspace.SetLimits({ poolBytes: 2 ** 20 });
    try {
      const net = core.Net('mem_batches');
      net.Scale(['mem_x'], 'mem_y', { scale: 2 });
      for (let b = 1; b <= 100; b++) {
        await workspace.FeedBlob('mem_x', new Float32Array(b * 97), [b, 97]);
        if (b === 1) await workspace.CreateNet(net);
        await workspace.RunNet('mem_batches');
      }
      const s = await workspace.Stats();
      expect(s.poolBudgetBytes).toBe(2 ** 20);
      expect(s.pooledBytes).toBeLessThanOrEqual(2 ** 20);
      expect(s.pooledBuffers).toBeLessThan(100);
      expect((await workspace.FetchBlob('mem_y')).shape).toEqual([100, 97]);
    } finally {
      workspace.SetLimits({ poolBytes: 256 * 2 ** 20 });
    }
  });

  it('ResetWorkspace frees what the workspace held', async () => {
    for (let i = 0; i < 8; i++) await workspace.FeedBlob(`mem_big${i}`, new Float32Array(2 ** 20 + i * 1000));
    const held = await workspace.Stats();
    expect(held.liveBytes).toBeGreaterThan(32 * 2 ** 20);
    workspace.ResetWorkspace();
    const after = await workspace.Stats();
    expect(after.pooledBytes).toBe(0);
    expect(after.liveBytes).toBeLessThan(2 ** 20);
  });
});

describe('long runs are encoded in bounded chunks', () => {
  it('RunNet(name, 100000) submits in chunks, keeps host memory flat and gives n single runs', async () => {
    await workspace.FeedBlob('mem_w', [1]);
    await workspace.FeedBlob('mem_one', [1]);
    const net = core.Net('mem_long');
    net.Add(['mem_w', 'mem_one'], 'mem_w');
    net.Scale(['mem_w'], 'mem_s', { scale: 0.5 });
    net.Copy(['mem_s'], 'mem_c');
    net.Copy(['mem_c'], 'mem_d');
    // Unfused, so that every iteration encodes its four dispatches (fused, the net is one dispatch per chunk).
    const fusion = fusionSettings().enabled;
    configureFusion({ enabled: false });
    try {
      await workspace.CreateNet(net);
    } finally {
      configureFusion({ enabled: fusion });
    }
    await workspace.RunNet('mem_long', 10_000); // warm up: pipelines, a few chunks' allocator high-water marks
    await workspace.Sync();
    const before = await workspace.Stats();
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    await workspace.RunNet('mem_long', 100_000);
    await workspace.Sync();
    const grown = process.memoryUsage().rss - rss0;
    const after = await workspace.Stats();
    expect(after.submits - before.submits).toBe(Math.ceil((100_000 * 4) / MAX_DISPATCHES_PER_SUBMIT));
    expect(after.dispatches - before.dispatches).toBe(400_000);
    expect(after.liveBuffers).toBe(before.liveBuffers);
    // One command buffer for all 100,000 iterations grew RSS by ~150 MiB here; chunks stay near the noise of the test runner (~45 MiB).
    expect(grown).toBeLessThan(100 * 2 ** 20);
    expect(Array.from((await workspace.FetchBlob('mem_w')).data)).toEqual([110_001]);
  }, 120_000);
});
