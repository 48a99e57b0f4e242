/** The one readback path: copy into a staging buffer, map it, copy out, release in `finally`. */
import { DeviceError } from '../core/errors.js';
import { READBACK_USAGE, type GpuContext } from './gpu_context.js';

/** Reads `bytes` from the start of `buffer`; rejects with the reason rather than returning zeros. */
export async function readBuffer(ctx: GpuContext, buffer: GPUBuffer, bytes: number, label: string): Promise<ArrayBuffer> {
  ctx.check();
  const size = Math.ceil(bytes / 4) * 4;
  const staging = ctx.pool.acquire(size, READBACK_USAGE, `readback ${label}`);
  try {
    const enc = ctx.device.createCommandEncoder({ label: `readback ${label}` });
    enc.copyBufferToBuffer(buffer, 0, staging, 0, size);
    ctx.device.queue.submit([enc.finish()]);
    ctx.counters.submits++;
    ctx.counters.mapAsyncs++;
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, size);
    } catch (e) {
      ctx.check();
      throw new DeviceError(`reading back "${label}" failed: ${(e as Error).message}`);
    }
    const out = staging.getMappedRange(0, size).slice(0, bytes);
    staging.unmap();
    return out;
  } finally {
    ctx.pool.release(staging);
  }
}
