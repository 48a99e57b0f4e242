/**
 * History capture: run a net n times and record chosen blobs after every iteration into one GPU
 * buffer, then read it back once. A record index lives in a GPU counter, so every iteration's
 * dispatches are identical and nothing is uploaded per iteration.
 */
import { storageWords } from '../core/dtype.js';
import { MissingBlobError } from '../core/errors.js';
import { linearWorkgroups, size } from '../ops/shape.js';
import type { BlobStore } from './blob.js';
import { tensorBytes } from './blob.js';
import { BLOB_USAGE, UNIFORM_USAGE, type GpuContext } from './gpu_context.js';
import { packUniforms } from './kernel_cache.js';
import type { NetPlan } from './plan.js';
import { readBuffer } from './readback.js';
import { dispatchByName, encodeDispatch } from './dispatch.js';
import { Tensor } from './tensor.js';

/** Runs `plan` n times in one submit, recording `names` after each iteration; one readback. */
export async function runWithHistory(
  ctx: GpuContext,
  store: BlobStore,
  plan: NetPlan,
  iterations: number,
  names: readonly string[],
): Promise<Record<string, Tensor>> {
  const blobs = names.map((n) => {
    const b = store.get(n);
    if (!b?.buffer) throw new MissingBlobError(`RunNetWithHistory: no blob named "${n}" in workspace "${store.name}"`);
    return b;
  });
  const [append, tick] = await Promise.all([
    ctx.kernels.get({ shader: 'history_append.wgsl' }),
    ctx.kernels.get({ shader: 'counter_increment.wgsl' }),
  ]);
  const words = blobs.map((b) => storageWords(b.dtype, size(b.shape)));
  const stride = words.reduce((a, b) => a + b, 0);
  const owned: GPUBuffer[] = [];
  const acquire = (bytes: number, usage: number, label: string): GPUBuffer => {
    const buf = ctx.pool.acquire(bytes, usage, label);
    owned.push(buf);
    return buf;
  };
  try {
    const device = ctx.device;
    const historyBytes = Math.max(4, iterations * stride * 4);
    const history = acquire(historyBytes, BLOB_USAGE, 'history');
    const counter = acquire(4, BLOB_USAGE, 'history counter');
    device.queue.writeBuffer(counter, 0, new Uint32Array([0]));
    let offset = 0;
    const appends = blobs.map((b, k) => {
      const params = acquire(16, UNIFORM_USAGE, `history ${b.name} uniforms`);
      device.queue.writeBuffer(params, 0, packUniforms(append.uniform!, { n: words[k]!, offset, stride }, 'history_append.wgsl'));
      offset += words[k]!;
      const buffers = { params: { buffer: params }, X: { buffer: b.buffer!, size: tensorBytes(b) }, counter: { buffer: counter }, H: { buffer: history } };
      return dispatchByName(device, append, buffers, linearWorkgroups(words[k]!), `history ${b.name}`);
    });
    const tickDispatch = dispatchByName(device, tick, { counter: { buffer: counter } }, [1], 'history tick');

    // Each iteration: the net as planned (fused kernels and their copies included), then the appends.
    plan.refill(device);
    const enc = device.createCommandEncoder({ label: `${plan.net.name} with history` });
    let dispatches = 0;
    for (let it = 0; it < iterations; it++) {
      dispatches += plan.encode(enc, 1);
      const pass = enc.beginComputePass({ label: 'history' });
      for (const d of [...appends, tickDispatch]) encodeDispatch(pass, d);
      pass.end();
      dispatches += appends.length + 1;
    }
    ctx.counters.iterations += iterations;
    device.queue.submit([enc.finish()]);
    ctx.counters.submits++;
    ctx.counters.dispatches += dispatches;

    const raw = await readBuffer(ctx, history, iterations * stride * 4, 'history');
    const all = new Uint32Array(raw);
    const out: Record<string, Tensor> = {};
    offset = 0;
    blobs.forEach((b, k) => {
      const w = words[k]!;
      const bits = new Uint32Array(iterations * w);
      for (let it = 0; it < iterations; it++) bits.set(all.subarray(it * stride + offset, it * stride + offset + w), it * w);
      offset += w;
      const data = b.dtype === 'float32' ? new Float32Array(bits.buffer) : b.dtype === 'int32' ? new Int32Array(bits.buffer) : unpadBytes(bits, iterations, size(b.shape));
      out[b.name] = new Tensor([iterations, ...b.shape], b.dtype, data);
    });
    return out;
  } finally {
    for (const b of owned) ctx.pool.release(b);
  }
}

/** The elements of `records` packed uint8 records (whole words each), widened as FetchBlob widens them, without the padding between records. */
function unpadBytes(words: Uint32Array, records: number, count: number): Int32Array {
  const bytes = new Uint8Array(words.buffer);
  const recordBytes = storageWords('uint8', count) * 4;
  const out = new Int32Array(records * count);
  for (let r = 0; r < records; r++) out.set(bytes.subarray(r * recordBytes, r * recordBytes + count), r * count);
  return out;
}
