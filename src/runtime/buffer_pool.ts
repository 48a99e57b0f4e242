/**
 * Every GPU buffer the runtime uses comes from here and goes back here, so the counts in stats()
 * are the whole truth: live buffers and bytes, pooled (free) ones, and everything ever created.
 */

/** Counters of the pool; `created*` only grow, `live*` must not grow in a steady loop. */
export interface PoolStats {
  liveBuffers: number;
  liveBytes: number;
  pooledBuffers: number;
  pooledBytes: number;
  createdBuffers: number;
  createdBytes: number;
}

/** Sizes are rounded up so that near sizes share buffers: 16 B granules, then powers of two above 64 KiB. */
export function pooledSize(bytes: number): number {
  const b = Math.max(16, bytes);
  if (b <= 65536) return Math.ceil(b / 16) * 16;
  return 2 ** Math.ceil(Math.log2(b));
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private readonly live = new Set<GPUBuffer>();
  private readonly s: PoolStats = {
    liveBuffers: 0,
    liveBytes: 0,
    pooledBuffers: 0,
    pooledBytes: 0,
    createdBuffers: 0,
    createdBytes: 0,
  };

  constructor(private readonly device: GPUDevice) {}

  /** A buffer of at least `bytes` with exactly `usage`, labelled for Dawn's messages. */
  acquire(bytes: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const sz = pooledSize(bytes);
    const key = `${usage}:${sz}`;
    let buf = this.free.get(key)?.pop();
    if (buf) {
      this.s.pooledBuffers--;
      this.s.pooledBytes -= sz;
      buf.label = label;
    } else {
      buf = this.device.createBuffer({ size: sz, usage, label });
      this.s.createdBuffers++;
      this.s.createdBytes += sz;
    }
    this.live.add(buf);
    this.s.liveBuffers++;
    this.s.liveBytes += sz;
    return buf;
  }

  /** Returns a buffer for reuse. Work already submitted that reads it is unaffected (queue order). */
  release(buf: GPUBuffer): void {
    if (!this.live.delete(buf)) throw new Error(`buffer "${buf.label}" released twice or not from this pool`);
    this.s.liveBuffers--;
    this.s.liveBytes -= buf.size;
    const key = `${buf.usage}:${buf.size}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(buf);
    this.s.pooledBuffers++;
    this.s.pooledBytes += buf.size;
  }

  /** Destroys pooled (free) buffers, e.g. after a large net is dropped. */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.s.pooledBuffers = 0;
    this.s.pooledBytes = 0;
  }

  stats(): PoolStats {
    return { ...this.s };
  }
}
