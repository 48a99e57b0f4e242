/**
 * The process-wide GPU state shared by all workspaces: the device, the buffer pool, the kernel
 * cache and the counters that tests and the bench read.
 */
import { Caffe2Error, DeviceError } from '../core/errors.js';
import { acquireDevice, type AdapterDescription, type DeviceOptions, type GpuHandle } from './device.js';
import { BufferPool, type PoolStats } from './buffer_pool.js';
import { KernelCache } from './kernel_cache.js';
import type { KernelSourceProvider } from './kernel_source.js';

/** Everything the runtime counts. */
export interface RuntimeStats extends PoolStats {
  submits: number;
  dispatches: number;
  /** Net iterations run (RunNet's num_iter summed): dispatches / iterations is the cost of a step. */
  iterations: number;
  mapAsyncs: number;
  pipelines: number;
  plans: number;
}

export const BLOB_USAGE = 0x80 /* STORAGE */ | 0x4 /* COPY_SRC */ | 0x8; /* COPY_DST */
export const UNIFORM_USAGE = 0x40 /* UNIFORM */ | 0x8; /* COPY_DST */
export const READBACK_USAGE = 0x1 /* MAP_READ */ | 0x8; /* COPY_DST */

export class GpuContext {
  readonly pool: BufferPool;
  readonly kernels: KernelCache;
  readonly counters = { submits: 0, dispatches: 0, iterations: 0, mapAsyncs: 0, plans: 0 };
  private lostReason: string | null = null;
  private uncaptured: string | null = null;

  constructor(
    private readonly handle: GpuHandle,
    sources: KernelSourceProvider,
  ) {
    this.pool = new BufferPool(handle.device);
    this.kernels = new KernelCache(handle.device, sources);
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    this.kernels.debugWgsl = env?.CAFFE2_WEBGPU_DEBUG_WGSL === '1';
    void handle.device.lost.then((info) => {
      this.lostReason = `${info.reason}: ${info.message}`;
    });
    handle.device.addEventListener('uncapturederror', (ev) => {
      this.uncaptured ??= (ev as GPUUncapturedErrorEvent).error.message;
    });
  }

  get device(): GPUDevice {
    return this.handle.device;
  }

  get adapter(): AdapterDescription {
    return this.handle.adapter;
  }

  /** Throws if the device was lost or an earlier submit raised a GPU error: never silently go on. */
  check(): void {
    if (this.lostReason) throw new DeviceError(`the WebGPU device was lost (${this.lostReason}); call workspace.Shutdown() and start again`);
    if (this.uncaptured) {
      const msg = this.uncaptured;
      this.uncaptured = null;
      throw new DeviceError(`a GPU error was raised by earlier work: ${msg}`);
    }
  }

  stats(): RuntimeStats {
    return { ...this.pool.stats(), ...this.counters, pipelines: this.kernels.size };
  }

  destroy(): void {
    this.pool.trim();
    this.handle.destroy();
  }
}

let current: Promise<GpuContext> | null = null;
let sourceOverride: KernelSourceProvider | null = null;

/** Uses these WGSL sources instead of reading kernels/ from disk (browser bundles). */
export function setKernelSources(provider: KernelSourceProvider): void {
  if (current) throw new DeviceError('setKernelSources must be called before the first GPU use');
  sourceOverride = provider;
}

async function defaultSources(): Promise<KernelSourceProvider> {
  const mod = './kernel_source_node.js';
  const { nodeSources } = (await import(/* @vite-ignore */ mod)) as typeof import('./kernel_source_node.js');
  return nodeSources();
}

/** Opens the device (once) with these options; later calls return the same context. */
export function initGpu(options: DeviceOptions = {}): Promise<GpuContext> {
  current ??= (async () => {
    let handle: GpuHandle;
    try {
      handle = await acquireDevice(options);
    } catch (e) {
      throw e instanceof Caffe2Error ? e : new DeviceError(`could not open a WebGPU device: ${(e as Error).message}`);
    }
    return new GpuContext(handle, sourceOverride ?? (await defaultSources()));
  })();
  current.catch(() => {
    current = null;
  });
  return current;
}

/** The context if one was opened, without opening it. */
export function peekGpu(): Promise<GpuContext> | null {
  return current;
}

/** Destroys the device so a Node process can exit; the next GPU call opens a new one. */
export async function shutdownGpu(): Promise<void> {
  const ctx = current;
  current = null;
  if (ctx) (await ctx.catch(() => null))?.destroy();
}
