/** Shape arithmetic shared by operator specs. */
import { fmtShape } from '../core/errors.js';
import type { OpContext, TensorInfo } from './registry.js';
import type { ArgSchema } from './args.js';

/** Number of elements of a shape (1 for a 0-d tensor). */
export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** ceil(a / b) for positive integers. */
export function ceilDiv(a: number, b: number): number {
  return Math.floor((a + b - 1) / b);
}

/** Largest workgroup count in one grid dimension (WebGPU's default limit). */
export const MAX_GROUPS_PER_DIM = 65535;

/**
 * Workgroups for `n` independent items at `wgSize` per group, spread over x and y when x alone
 * would exceed the per-dimension limit. Kernels recover the index with shaders/indexing.wgsl.
 */
export function linearWorkgroups(n: number, wgSize = 256): [number, number] {
  const groups = Math.max(1, ceilDiv(n, wgSize));
  if (groups <= MAX_GROUPS_PER_DIM) return [groups, 1];
  const y = ceilDiv(groups, MAX_GROUPS_PER_DIM);
  return [ceilDiv(groups, y), y];
}

/** An axis in [-ndim, ndim) made non-negative; a ShapeError naming the argument otherwise. */
export function canonicalAxis<S extends ArgSchema>(ctx: OpContext<S>, name: string, axis: number, ndim: number): number {
  if (axis < -ndim || axis >= ndim) {
    ctx.argError(`argument ${name}=${axis} is out of range for a ${ndim}-d input (expected -${ndim} <= ${name} < ${ndim})`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Throws unless two inputs have identical shapes. */
export function requireSameShape<S extends ArgSchema>(
  ctx: OpContext<S>,
  nameA: string,
  a: TensorInfo,
  nameB: string,
  b: TensorInfo,
): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    ctx.shapeError(
      `input ${nameB} has shape ${fmtShape(b.shape)}, but ${nameA} has shape ${fmtShape(a.shape)} (expected identical shapes)`,
    );
  }
}

/** Throws unless an input has the given dtype. */
export function requireDType<S extends ArgSchema>(ctx: OpContext<S>, name: string, t: TensorInfo, dtype: TensorInfo['dtype']): void {
  if (t.dtype !== dtype) ctx.dtypeError(`input ${name} has dtype ${t.dtype}, expected ${dtype}`);
}

/** Product of dims[from:to]. */
export function sizeBetween(shape: readonly number[], from: number, to = shape.length): number {
  return size(shape.slice(from, to));
}

/**
 * The values of int input `index`, a 1-d int32 tensor whose values the host knows at plan time
 * (fed by FeedBlob, or a shape written by Reshape/Concat); a ShapeError naming `role` otherwise.
 */
export function hostIntValues<S extends ArgSchema>(ctx: OpContext<S>, index: number, role: string): number[] {
  const t = ctx.inputs[index]!;
  const name = ctx.op.input[index];
  if (t.dtype !== 'int32' || t.shape.length !== 1) {
    ctx.shapeError(`input ${name} (${role}) must be a 1-d int tensor, got ${t.dtype} ${fmtShape(t.shape)}`);
  }
  if (!t.hostValues) {
    ctx.shapeError(
      `the values of input ${name} (${role}) must be known when the net is planned: feed it with FeedBlob, or take it from a shape output such as Reshape's old_shape (a computed blob's values are only known after the run)`,
    );
  }
  return Array.from(t.hostValues!);
}

/**
 * The dtype of an input that must hold one element per 4-byte word: packed uint8 (image data) is
 * refused with a hint to Cast it first, since kernels that index elements as words cannot read it.
 */
export function unpackedDType<S extends ArgSchema>(ctx: OpContext<S>, index: number): 'float32' | 'int32' {
  const dtype = ctx.inputs[index]!.dtype;
  if (dtype === 'uint8') {
    ctx.dtypeError(`input ${ctx.op.input[index]} is uint8, which ${ctx.op.type} does not take (Cast it to INT32 or FLOAT first)`);
  }
  return dtype as 'float32' | 'int32';
}
