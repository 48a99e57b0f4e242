/**
 * A fused segment made ready to run: its pipelines, arena, uniforms and bind groups, and the copies
 * that bring blobs into the arena before the kernels and back after them.
 */
import type { GpuContext } from './gpu_context.js';
import { BLOB_USAGE, UNIFORM_USAGE } from './gpu_context.js';
import type { CompiledKernel } from './kernel_cache.js';
import type { FusedSegment } from './fusion.js';

interface Copy {
  buffer: GPUBuffer;
  offset: number;
  bytes: number;
}

/** Bind groups of one kernel, one per params uniform. */
interface Bound {
  kernel: CompiledKernel;
  workgroups: number;
  first: GPUBindGroup;
  rest: GPUBindGroup;
  loop: GPUBindGroup;
  /** A full chunk of maxLoop iterations (first run or not). */
  chunkFirst: GPUBindGroup;
  chunk: GPUBindGroup;
}

export class FusedStep {
  private constructor(
    readonly segment: FusedSegment,
    private readonly kernels: Bound[],
    private readonly arena: GPUBuffer,
    /** {n: loop count, first} written by a RunNet of more than one iteration. */
    private readonly loopParams: GPUBuffer,
    private readonly copyIn: Copy[],
    private readonly copyOut: Copy[],
    private readonly device: GPUDevice,
  ) {}

  /** Most iterations one dispatch loops (1 for grid kernels, which run one iteration each). */
  get maxLoop(): number {
    return this.segment.maxLoop;
  }

  /** Dispatches of one iteration (a looping kernel counts one, whatever n). */
  get dispatchesPerIteration(): number {
    return this.kernels.length;
  }

  /**
   * Allocates the arena and uniforms (into `owned`) and binds them; `kernels` are the segment's
   * compiled kernels in order; `rng` is the workspace's RNG state buffer (region key null).
   */
  static create(
    ctx: GpuContext,
    segment: FusedSegment,
    kernels: readonly CompiledKernel[],
    rng: GPUBuffer,
    owned: GPUBuffer[],
    label: string,
  ): FusedStep {
    const device = ctx.device;
    const acquire = (bytes: number, usage: number, what: string): GPUBuffer => {
      const b = ctx.pool.acquire(bytes, usage, `${label} ${what}`);
      owned.push(b);
      return b;
    };
    const arena = acquire(segment.arenaWords * 4, BLOB_USAGE, 'arena');
    const params = (n: number, first: number, what: string): GPUBuffer => {
      const b = acquire(16, UNIFORM_USAGE, what);
      device.queue.writeBuffer(b, 0, new Uint32Array([n, first, 0, 0]));
      return b;
    };
    const first = params(1, 1, 'first-run params');
    const rest = params(1, 0, 'params');
    const loop = params(1, 0, 'loop params');
    const chunkFirst = params(segment.maxLoop, 1, 'first chunk params');
    const chunk = params(segment.maxLoop, 0, 'chunk params');
    // Bind groups follow each pipeline's own (reflected) layout.
    const bound = kernels.map((kernel, k): Bound => {
      const group = (u: GPUBuffer): GPUBindGroup =>
        device.createBindGroup({
          layout: kernel.bindGroupLayout,
          label,
          entries: [
            { binding: 0, resource: { buffer: u } },
            { binding: 1, resource: { buffer: arena, size: segment.arenaWords * 4 } },
          ],
        });
      return { kernel, workgroups: segment.kernels[k]!.workgroups, first: group(first), rest: group(rest), loop: group(loop), chunkFirst: group(chunkFirst), chunk: group(chunk) };
    });
    const copies = (list: FusedSegment['copyIn']): Copy[] => list.map((r) => ({ buffer: r.key?.buffer ?? rng, offset: r.offset * 4, bytes: r.words * 4 }));
    return new FusedStep(segment, bound, arena, loop, copies(segment.copyIn), copies(segment.copyOut), device);
  }

  /**
   * Encodes `n` iterations between the arena copies; `first` when this is the net's first
   * iteration (run_once fills). A looping kernel runs them in one dispatch, or chunks of maxLoop
   * iterations and a remainder; a remainder of more than one iteration writes the loop uniform, so
   * one command buffer may hold at most one such call (RunNet encodes one; history encodes single
   * iterations). Grid kernels run each iteration as their dispatches in order. Returns the dispatches.
   */
  encode(encoder: GPUCommandEncoder, n: number, first: boolean): number {
    for (const c of this.copyIn) encoder.copyBufferToBuffer(c.buffer, 0, this.arena, c.offset, c.bytes);
    const pass = encoder.beginComputePass({ label: this.segment.kernels[0]!.shader });
    let count = 0;
    if (this.segment.loops) {
      const k0 = this.kernels[0]!;
      pass.setPipeline(k0.kernel.pipeline);
      for (let done = 0; done < n; count++) {
        const k = Math.min(this.maxLoop, n - done);
        const isFirst = first && done === 0;
        let group: GPUBindGroup;
        if (k === 1) group = isFirst ? k0.first : k0.rest;
        else if (k === this.maxLoop) group = isFirst ? k0.chunkFirst : k0.chunk;
        else {
          this.device.queue.writeBuffer(this.loopParams, 0, new Uint32Array([k, isFirst ? 1 : 0]));
          group = k0.loop;
        }
        pass.setBindGroup(0, group);
        pass.dispatchWorkgroups(1);
        done += k;
      }
    } else {
      for (let it = 0; it < n; it++) {
        for (const b of this.kernels) {
          pass.setPipeline(b.kernel.pipeline);
          pass.setBindGroup(0, first && it === 0 ? b.first : b.rest);
          pass.dispatchWorkgroups(b.workgroups);
          count++;
        }
      }
    }
    pass.end();
    for (const c of this.copyOut) encoder.copyBufferToBuffer(this.arena, c.offset, c.buffer, 0, c.bytes);
    return count;
  }
}
