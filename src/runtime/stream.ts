/**
 * Stream bindings: host data shown to a kernel one window at a time (StreamSource in
 * src/ops/registry.ts). WebGPU runs a queue's writes and submits in order, so a window written
 * between two submits is what the second one reads; inside one command buffer nothing can change,
 * which is why a run never crosses a window boundary within a submit.
 */
import type { StreamSource } from '../ops/registry.js';

/** A plan's stream: its buffer, where the data come from, and the window in the buffer now (-1: none). */
export interface PlanStream {
  buffer: GPUBuffer;
  source: StreamSource;
  loaded: number;
}

/** Iterations from run `runCount` on that stay inside every stream's current window. */
export function untilNextWindow(streams: readonly PlanStream[], runCount: number): number {
  let n = Infinity;
  for (const s of streams) if (Number.isFinite(s.source.iterations)) n = Math.min(n, s.source.iterations - (runCount % s.source.iterations));
  return n;
}

/** Writes the window run `runCount` needs into each stream whose buffer holds another one. */
export function refillStreams(device: GPUDevice, streams: readonly PlanStream[], runCount: number): void {
  for (const s of streams) {
    const k = Number.isFinite(s.source.iterations) ? Math.floor(runCount / s.source.iterations) : 0;
    if (s.loaded === k) continue;
    const data = s.source.window(k, runCount);
    device.queue.writeBuffer(s.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    s.loaded = k;
  }
}
