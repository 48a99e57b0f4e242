/**
 * What Print and Summarize report: their kernels append records to log buffers during RunNet (no
 * readback per iteration); when the RunNet call's work is submitted, the logs are gathered into one
 * buffer, read back once, turned into lines by each op's `report`, written to the sink, and zeroed
 * for the next call (all but word 0, which an op may keep as a counter across calls).
 */
import type { PlanLog } from './plan.js';
import { BLOB_USAGE, type GpuContext } from './gpu_context.js';
import { readBuffer } from './readback.js';

/** Where report lines go: console.log unless SetLogSink chose otherwise. */
let sink: (line: string) => void = (line) => console.log(line);

/** Sends Print/Summarize lines to `fn` (null: back to console.log). */
export function setLogSink(fn: ((line: string) => void) | null): void {
  sink = fn ?? ((line) => console.log(line));
}

/** Reads every log of a plan back in one mapAsync, reports the lines, and zeroes the logs. */
export async function flushLogs(ctx: GpuContext, logs: readonly PlanLog[]): Promise<void> {
  if (logs.length === 0) return;
  const total = logs.reduce((n, l) => n + l.bytes, 0);
  const gather = ctx.pool.acquire(total, BLOB_USAGE, 'op logs');
  let raw: ArrayBuffer;
  try {
    const enc = ctx.device.createCommandEncoder({ label: 'gather op logs' });
    let at = 0;
    for (const l of logs) {
      enc.copyBufferToBuffer(l.buffer, 0, gather, at, l.bytes);
      at += l.bytes;
    }
    ctx.device.queue.submit([enc.finish()]);
    ctx.counters.submits++;
    raw = await readBuffer(ctx, gather, total, 'op logs');
  } finally {
    ctx.pool.release(gather);
  }
  let at = 0;
  const lines: string[] = [];
  for (const l of logs) {
    lines.push(...l.report(new Uint32Array(raw, at, l.bytes / 4)));
    // Word 0 survives: it counts the op's runs across RunNet calls (Print's every_n).
    if (l.bytes > 4) ctx.device.queue.writeBuffer(l.buffer, 4, new Uint8Array(l.bytes - 4));
    at += l.bytes;
  }
  for (const line of lines) sink(line);
}
