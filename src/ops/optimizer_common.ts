/** Checks and dispatch helpers shared by the optimizer update ops (MomentumSGDUpdate, Adam, Adagrad) and SpatialBN. */
import { fmtShape } from '../core/errors.js';
import type { ArgSchema } from './args.js';
import type { KernelCall, OpContext, TensorInfo } from './registry.js';
import { linearWorkgroups, size } from './shape.js';

/** Checks that the inputs `ks` are float32 with the element count of the first; returns that count. */
export function requireFloatsOfOneSize(ctx: OpContext<ArgSchema>, ks: readonly number[]): number {
  const first = ctx.inputs[ks[0]!]!;
  const n = size(first.shape);
  for (const k of ks) {
    const t = ctx.inputs[k]!;
    const name = ctx.op.input[k]!;
    if (t.dtype !== 'float32') ctx.dtypeError(`input ${name} has dtype ${t.dtype}, expected float32`);
    if (size(t.shape) !== n) {
      ctx.shapeError(
        `input ${name} has ${size(t.shape)} elements ${fmtShape(t.shape)}, but ${ctx.op.input[ks[0]!]} has ${n} ${fmtShape(first.shape)} (expected the same count)`,
      );
    }
  }
  return n;
}

/** Checks that input k is a one-element blob of the given dtype (a learning rate, an iteration counter). */
export function requireScalarInput(ctx: OpContext<ArgSchema>, k: number, dtype: TensorInfo['dtype'], what: string): void {
  const t = ctx.inputs[k]!;
  const name = ctx.op.input[k]!;
  if (t.dtype !== dtype) ctx.dtypeError(`input ${name} has dtype ${t.dtype}, expected ${what} (one ${dtype} element)`);
  if (size(t.shape) !== 1) ctx.shapeError(`input ${name} has shape ${fmtShape(t.shape)}, expected ${what} (one ${dtype} element)`);
}

/**
 * Copies each input to its paired output where the op is not in place, so that the update kernel
 * can always work on the outputs in place. For kernels that cannot also bind the inputs (SpatialBN's
 * running statistics); pointwise kernels that can bind inputs and outputs apart leave in place to the
 * planner (MomentumSGDUpdate, Adagrad, Adam's out-of-place passes).
 */
export function copyToOutputs(ctx: OpContext<ArgSchema>, pairs: readonly (readonly [number, number])[], n: number): KernelCall[] {
  return pairs
    .filter(([i, o]) => ctx.op.input[i] !== ctx.op.output[o])
    .map(([i, o]) => ({ shader: 'copy.wgsl', bindings: { X: { input: i }, Y: { output: o } }, uniforms: { n }, workgroups: linearWorkgroups(n) }));
}
