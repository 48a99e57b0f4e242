/**
 * A recorded dispatch, the unit the planner and history capture encode: a pipeline, its bind group
 * and its grid. Kernels outside an op (history, counters) bind here by their WGSL variable names,
 * read from the shader, like the planner does for ops; nothing binds by hard-coded numbers.
 */
import type { CompiledKernel } from './kernel_cache.js';

export interface Dispatch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
  /** Encoded only on a created net's first run (run_once fills). */
  runOnce: boolean;
}

/** A buffer for one binding; `size` defaults to the whole buffer. */
export interface BoundBuffer {
  buffer: GPUBuffer;
  size?: number;
}

/** A dispatch of `kernel` with each of its variables bound to `buffers[name]`. */
export function dispatchByName(
  device: GPUDevice,
  kernel: CompiledKernel,
  buffers: Readonly<Record<string, BoundBuffer>>,
  workgroups: readonly [number, number?, number?],
  label: string,
): Dispatch {
  const entries = kernel.bindings.map((b) => {
    const bound = buffers[b.name];
    if (!bound) throw new Error(`internal: ${label}: kernel ${kernel.file} variable "${b.name}" has no buffer (given: ${Object.keys(buffers).join(', ')})`);
    return { binding: b.binding, resource: { buffer: bound.buffer, ...(bound.size !== undefined && { size: bound.size }) } };
  });
  const bindGroup = device.createBindGroup({ layout: kernel.bindGroupLayout, entries, label });
  return { pipeline: kernel.pipeline, bindGroup, workgroups: [workgroups[0], workgroups[1] ?? 1, workgroups[2] ?? 1], runOnce: false };
}

/** Encodes one dispatch into a compute pass. */
export function encodeDispatch(pass: GPUComputePassEncoder, d: Dispatch): void {
  pass.setPipeline(d.pipeline);
  pass.setBindGroup(0, d.bindGroup);
  pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
}
