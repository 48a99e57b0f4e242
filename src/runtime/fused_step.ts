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

  private constructor(
    readonly segment: FusedSegment,
    private readonly kernel: CompiledKernel,
    private readonly arena: GPUBuffer,
    /** {n: loop count, first} written by a RunNet of more than one iteration. */
    private readonly loopParams: GPUBuffer,
    private readonly copyIn: Copy[],
    private readonly copyOut: Copy[],
    private readonly device: GPUDevice,
    groups: [GPUBindGroup, GPUBindGroup, GPUBindGroup],
  ) {
    [this.bindFirst, this.bindRest, this.bindLoop] = groups;
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
    return new FusedStep(segment, kernel, arena, loop, copies(segment.copyIn), copies(segment.copyOut), device, [group(first), group(rest), group(loop)]);
  }

  /**
   * Encodes `n` iterations as one dispatch between the arena copies; `first` when this is the net's
   * first iteration (run_once fills). A count above one writes the loop uniform, so one command
   * buffer may hold at most one such call (RunNet encodes one; history encodes single iterations).
   */
  encode(encoder: GPUCommandEncoder, n: number, first: boolean): number {
    for (const c of this.copyIn) encoder.copyBufferToBuffer(c.buffer, 0, this.arena, c.offset, c.bytes);
    let group = first ? this.bindFirst : this.bindRest;
    if (n !== 1) {
      this.device.queue.writeBuffer(this.loopParams, 0, new Uint32Array([n, first ? 1 : 0]));
      group = this.bindLoop;
    }
    const pass = encoder.beginComputePass({ label: this.segment.shader });
    pass.setPipeline(this.kernel.pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(1);
    pass.end();
    for (const c of this.copyOut) encoder.copyBufferToBuffer(this.arena, c.offset, c.buffer, 0, c.bytes);
    return 1;
  }
}
