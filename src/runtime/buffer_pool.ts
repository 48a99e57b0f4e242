/**
 * Every GPU buffer the runtime uses comes from here and goes back here, so the counts in stats()
 * are the whole truth: live buffers and bytes, pooled (free) ones, and everything ever created.
 * Free buffers are kept for reuse up to a byte budget; beyond it the oldest are destroyed.
 */

/** Counters of the pool; `created*` only grow, `live*` must not grow in a steady loop. */
export interface PoolStats {
  liveBuffers: number;
  liveBytes: number;
  pooledBuffers: number;
  pooledBytes: number;
  createdBuffers: number;
  createdBytes: number;
  /** Most bytes the pool keeps in free buffers (SetLimits({ poolBytes })). */
  poolBudgetBytes: number;
}

/** Free bytes kept for reuse unless SetLimits says otherwise. */
export const DEFAULT_POOL_BUDGET = 256 * 2 ** 20;
/** Most free buffers kept, whatever their size (many tiny uniform buffers add up in bookkeeping). */
const MAX_POOLED_BUFFERS = 1024;

/**
 * Sizes are rounded up so that near sizes share buffers: 16 B granules up to 64 KiB, then steps of
 * an eighth of the power of two below (at most 12.5 % waste, where powers of two waste up to 50 %).
 * Never above `maxBufferSize` when the exact size fits it.
 */
export function pooledSize(bytes: number, maxBufferSize = Infinity): number {
  const b = Math.max(16, Math.ceil(bytes / 16) * 16);
  if (b <= 65536) return b;
  const step = 2 ** (Math.floor(Math.log2(b)) - 3);
  const rounded = Math.ceil(b / step) * step;
  return rounded <= maxBufferSize ? rounded : b;
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  /** Free buffers, oldest first: the order trimming destroys them in. */
  private readonly freeOrder = new Set<GPUBuffer>();
  private readonly live = new Set<GPUBuffer>();
  /** Buffers that went back to the pool at least once, so may hold another blob's data. */
  private readonly returned = new WeakSet<GPUBuffer>();
  private budget = DEFAULT_POOL_BUDGET;
  private readonly s: Omit<PoolStats, 'poolBudgetBytes'> = {
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
    const sz = pooledSize(bytes, this.device.limits.maxBufferSize);
    const key = `${usage}:${sz}`;
    let buf = this.free.get(key)?.pop();
    if (buf) {
      this.freeOrder.delete(buf);
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

  /** True when `buf` was used before (WebGPU zeroes only newly created buffers). */
  reused(buf: GPUBuffer): boolean {
    return this.returned.has(buf);
  }

  /** Returns a buffer for reuse. Work already submitted that reads it is unaffected (queue order). */
  release(buf: GPUBuffer): void {
    if (!this.live.delete(buf)) throw new Error(`buffer "${buf.label}" released twice or not from this pool`);
    this.s.liveBuffers--;
    this.s.liveBytes -= buf.size;
    this.returned.add(buf);
    const key = `${buf.usage}:${buf.size}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(buf);
    this.freeOrder.add(buf);
    this.s.pooledBuffers++;
    this.s.pooledBytes += buf.size;
    this.trimTo(this.budget);
  }

  /** Sets the most bytes kept in free buffers, trimming now if over it. */
  setBudget(bytes: number): void {
    this.budget = bytes;
    this.trimTo(bytes);
  }

  /**
   * Destroys the oldest free buffers until at most `bytes` (and MAX_POOLED_BUFFERS) stay pooled.
   * Submitted work that uses a destroyed buffer still completes: WebGPU frees it afterwards.
   */
  trimTo(bytes: number): void {
    for (const buf of this.freeOrder) {
      if (this.s.pooledBytes <= bytes && this.s.pooledBuffers <= MAX_POOLED_BUFFERS) break;
      this.freeOrder.delete(buf);
      const list = this.free.get(`${buf.usage}:${buf.size}`)!;
      list.splice(list.indexOf(buf), 1);
      this.s.pooledBuffers--;
      this.s.pooledBytes -= buf.size;
      buf.destroy();
    }
  }

  /** Destroys every pooled (free) buffer, e.g. after a large net is dropped. */
  trim(): void {
    this.trimTo(0);
  }

  stats(): PoolStats {
    return { ...this.s, poolBudgetBytes: this.budget };
  }
}
