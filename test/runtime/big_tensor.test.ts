/**
 * Big tensors: a feed and a fetch of 2^27 + 4 floats (512 MiB, inside the adapter's limits) go to
 * and from the GPU without per-element JavaScript copies (issue #11 item 5).
 */
import { describe, expect, it } from 'vitest';
import { proto, workspace } from '../../src/index.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

describe('2^27 + 4 floats', () => {
  it('feed and fetch round-trip, and the pool does not round 512 MiB up to 1 GiB', async () => {
    const n = 2 ** 27 + 4;
    const data = new Float32Array(n);
    // Distinct values at the ends and at strided points: enough to catch an offset or a truncation.
    for (let i = 0; i < n; i += 4099) data[i] = (i % 65521) - 30000.5;
    data[n - 1] = -7.25;
    data[n - 4] = 3.5;
    await workspace.FeedBlob('big', data);
    const s = await workspace.Stats();
    expect(s.liveBytes).toBeLessThan(n * 4 * 1.2);
    const t = await workspace.FetchBlob('big');
    expect(t.shape).toEqual([n]);
    expect(t.data.length).toBe(n);
    for (let i = 0; i < n; i += 4099) if (t.data[i] !== (i % 65521) - 30000.5) expect([i, t.data[i]]).toEqual([i, (i % 65521) - 30000.5]);
    expect(t.data[n - 1]).toBe(-7.25);
    expect(t.data[n - 4]).toBe(3.5);
    workspace.ResetWorkspace();
  }, 120_000);
});

/** TensorProtos bytes of one FLOAT tensor with packed float_data, written by hand (protobufjs would encode element by element). */
function tensorProtosBytes(name: string, values: Float32Array): Uint8Array {
  const varint = (v: number): number[] => {
    const out: number[] = [];
    for (; v >= 0x80; v = Math.floor(v / 0x80)) out.push((v % 0x80) | 0x80);
    out.push(v);
    return out;
  };
  const nameBytes = new TextEncoder().encode(name);
  const head = [0x08, ...varint(values.length), 0x10, 0x01, 0x3a, ...varint(nameBytes.length), ...nameBytes, 0x1a, ...varint(values.byteLength)];
  const protoLength = head.length + values.byteLength;
  const outer = [0x0a, ...varint(protoLength)];
  const bytes = new Uint8Array(outer.length + protoLength);
  bytes.set(outer, 0);
  bytes.set(head, outer.length);
  bytes.set(new Uint8Array(values.buffer), outer.length + head.length);
  return bytes;
}

describe('big checkpoints', () => {
  it('a 64 MiB checkpoint loads at copy speed, not element by element', async () => {
    const n = 2 ** 24;
    const values = new Float32Array(n);
    for (let i = 0; i < n; i += 997) values[i] = i / 7;
    const bytes = tensorProtosBytes('ck_big', values);
    const t0 = performance.now();
    const names = await proto.loadCheckpoint(bytes);
    const seconds = (performance.now() - t0) / 1000;
    expect(names).toEqual(['ck_big']);
    // Element by element (protobufjs into a JS array, then a copy loop) this took ~10 s here.
    expect(seconds).toBeLessThan(3);
    const t = await workspace.FetchBlob('ck_big');
    expect(t.shape).toEqual([n]);
    for (let i = 0; i < n; i += 997) if (t.data[i] !== values[i]) expect([i, t.data[i]]).toEqual([i, values[i]]);
    workspace.ResetWorkspace();
  }, 120_000);
});
