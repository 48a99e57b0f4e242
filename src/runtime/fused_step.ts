/**
 * A fused segment made ready to run: its pipeline, arena, uniforms and bind groups, and the copies
 * that bring blobs into the arena before the kernel and back after it.
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

export class FusedStep {
  private readonly bindFirst: GPUBindGroup;
  private readonly bindRest: GPUBindGroup;
  private readonly bindLoop: GPUBindGroup;
  /** Bind groups of a full chunk of maxLoop iterations (first run or not). */
  private readonly bindChunkFirst: GPUBindGroup;
  private readonly bindChunk: GPUBindGroup;
  /** Most iterations one dispatch loops. */
  readonly maxLoop: number;

  private constructor(
    readonly segment: FusedSegment,
    private readonly kernel: CompiledKernel,
    private readonly arena: GPUBuffer,
    /** {n: loop count, first} written by a RunNet of more than one iteration. */
    private readonly loopParams: GPUBuffer,
    private readonly copyIn: Copy[],
    private readonly copyOut: Copy[],
    private readonly device: GPUDevice,
    groups: GPUBindGroup[],
    maxLoop: number,
  ) {
    [this.bindFirst, this.bindRest, this.bindLoop, this.bindChunkFirst, this.bindChunk] = groups as [GPUBindGroup, GPUBindGroup, GPUBindGroup, GPUBindGroup, GPUBindGroup];
    this.maxLoop = maxLoop;
  }

  /**
   * Allocates the arena and uniforms (into `owned`) and binds them; `rng` is the workspace's RNG
   * state buffer (region key null).
   */
  static create(
    ctx: GpuContext,
    segment: FusedSegment,
    kernel: CompiledKernel,
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
    const maxLoop = segment.maxLoop;
    const chunkFirst = params(maxLoop, 1, 'first chunk params');
    const chunk = params(maxLoop, 0, 'chunk params');
    const group = (u: GPUBuffer): GPUBindGroup =>
      device.createBindGroup({
        layout: kernel.bindGroupLayout,
        label,
        entries: [
          { binding: 0, resource: { buffer: u } },
          { binding: 1, resource: { buffer: arena, size: segment.arenaWords * 4 } },
        ],
      });
    const copies = (list: FusedSegment['copyIn']): Copy[] => list.map((r) => ({ buffer: r.key?.buffer ?? rng, offset: r.offset * 4, bytes: r.words * 4 }));
    const groups = [first, rest, loop, chunkFirst, chunk].map(group);
    return new FusedStep(segment, kernel, arena, loop, copies(segment.copyIn), copies(segment.copyOut), device, groups, maxLoop);
  }

  /**
   * Encodes `n` iterations between the arena copies: one dispatch, or chunks of maxLoop iterations
   * and a remainder; `first` when this is the net's first iteration (run_once fills). A remainder
   * of more than one iteration writes the loop uniform, so one command buffer may hold at most one
   * such call (RunNet encodes one; history encodes single iterations). Returns the dispatches.
   */
  encode(encoder: GPUCommandEncoder, n: number, first: boolean): number {
    for (const c of this.copyIn) encoder.copyBufferToBuffer(c.buffer, 0, this.arena, c.offset, c.bytes);
    const pass = encoder.beginComputePass({ label: this.segment.shader });
    pass.setPipeline(this.kernel.pipeline);
    let count = 0;
    for (let done = 0; done < n; count++) {
      const k = Math.min(this.maxLoop, n - done);
      const isFirst = first && done === 0;
      let group: GPUBindGroup;
      if (k === 1) group = isFirst ? this.bindFirst : this.bindRest;
      else if (k === this.maxLoop) group = isFirst ? this.bindChunkFirst : this.bindChunk;
      else {
        this.device.queue.writeBuffer(this.loopParams, 0, new Uint32Array([k, isFirst ? 1 : 0]));
        group = this.bindLoop;
      }
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(1);
      done += k;
    }
    pass.end();
    for (const c of this.copyOut) encoder.copyBufferToBuffer(this.arena, c.offset, c.buffer, 0, c.bytes);
    return count;
  }
}
