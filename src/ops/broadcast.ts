/**
 * Broadcast shape logic for binary elementwise ops, pure and host-only. Both of Caffe2's regimes
 * end in the same form — an output shape plus, per input, element strides aligned to the output's
 * dims (0 where the input is broadcast) — so one strided kernel serves both.
 */
import { fmtShape } from '../core/errors.js';

/** An output shape and each input's element strides over the output's dims (0 = broadcast). */
export interface Broadcast {
  shape: number[];
  strides: number[][];
}

/** Why two shapes do not broadcast, phrased to follow "cannot be broadcast (…)". */
export interface BroadcastFailure {
  error: string;
}

export type BroadcastResult = Broadcast | BroadcastFailure;

/** Largest rank a strided kernel accepts (its uniform holds dims in `array<vec4<u32>, 2>`). */
export const MAX_KERNEL_RANK = 8;

/** True when a broadcast result is a failure. */
export function isFailure(r: BroadcastResult): r is BroadcastFailure {
  return 'error' in r;
}

/** Row-major element strides of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Strides of `shape` right-aligned to an output of rank `rank`, 0 on dims where it has size 1 or is missing. */
function alignedStrides(shape: readonly number[], rank: number): number[] {
  const own = contiguousStrides(shape);
  const out = new Array<number>(rank).fill(0);
  const lead = rank - shape.length;
  shape.forEach((d, i) => {
    out[lead + i] = d === 1 ? 0 : own[i]!;
  });
  return out;
}

/**
 * numpy-style broadcasting: dims right-aligned, each pair equal or one of them 1; the output takes
 * the other (so a 0 paired with a 1 stays 0).
 */
export function numpyBroadcast(a: readonly number[], b: readonly number[]): BroadcastResult {
  const rank = Math.max(a.length, b.length);
  const shape = new Array<number>(rank);
  for (let k = 1; k <= rank; k++) {
    const da = a[a.length - k] ?? 1;
    const db = b[b.length - k] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return { error: `dims ${da} and ${db} differ at axis -${k}` };
    shape[rank - k] = da === 1 ? db : da;
  }
  return { shape, strides: [alignedStrides(a, rank), alignedStrides(b, rank)] };
}

/**
 * Caffe2's legacy `broadcast=1` rule: the output has A's shape; B (unless it holds one element)
 * loses its leading and trailing 1-dims and must equal A's dims starting at `axis + (leading 1s)`.
 * `axis` null means suffix alignment, A.ndim − B.ndim, computed on the unstripped B.
 */
export function legacyBroadcast(a: readonly number[], b: readonly number[], axis: number | null): BroadcastResult {
  const shape = [...a];
  const zeros = new Array<number>(a.length).fill(0);
  const bSize = b.reduce((x, y) => x * y, 1);
  if (bSize === 1) return { shape, strides: [contiguousStrides(a), zeros] };
  if (b.length > a.length) return { error: `B has more dims than A (${b.length} > ${a.length})` };
  const maxAxis = a.length - b.length;
  const start = axis ?? maxAxis;
  if (start < 0 || start > maxAxis) return { error: `axis=${start} is out of range: it must lie in [0, ${maxAxis}] (A.ndim - B.ndim)` };
  let first = 0;
  while (first < b.length && b[first] === 1) first++;
  let last = b.length - 1;
  while (last >= first && b[last] === 1) last--;
  const kept = b.slice(first, last + 1);
  const at = start + first;
  const against = a.slice(at, at + kept.length);
  const bad = kept.findIndex((d, i) => d !== against[i]);
  if (bad >= 0) {
    return {
      error: `B's dims ${fmtShape(kept)} must equal A's dims ${fmtShape(against)} from axis ${at}, but ${kept[bad]} != ${against[bad]} at axis ${at + bad}`,
    };
  }
  const own = contiguousStrides(kept);
  const strides = [...zeros];
  kept.forEach((_, i) => {
    strides[at + i] = own[i]!;
  });
  return { shape, strides: [contiguousStrides(a), strides] };
}

/**
 * Merges adjacent dims wherever every operand walks them as one (stride[i] = stride[i+1]·dim[i+1])
 * and drops size-1 dims, so common cases reach the kernel as rank 1–3. A zero-size shape stays as is.
 */
export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): Broadcast {
  if (shape.includes(0)) return { shape: [...shape], strides: strides.map((s) => [...s]) };
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  shape.forEach((d, i) => {
    if (d === 1) return;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[i]! * d)) {
      outShape[last] = outShape[last]! * d;
      strides.forEach((s, k) => {
        outStrides[k]![last] = s[i]!;
      });
      return;
    }
    outShape.push(d);
    strides.forEach((s, k) => outStrides[k]!.push(s[i]!));
  });
  return { shape: outShape, strides: outStrides };
}

/** A walk over the broadcast output split into the dims an input keeps and the dims it is summed over. */
export interface Reduction {
  keep: Broadcast;
  reduce: Broadcast;
}

/**
 * Splits a (coalesced) walk by operand `target`'s strides: dims where it is broadcast (stride 0)
 * are summed over; the kept dims enumerate the target's elements in its own row-major order.
 */
export function splitReduction(walk: Broadcast, target: number): Reduction {
  const keep: Broadcast = { shape: [], strides: walk.strides.map(() => []) };
  const reduce: Broadcast = { shape: [], strides: walk.strides.map(() => []) };
  walk.shape.forEach((d, i) => {
    const part = walk.strides[target]![i] === 0 ? reduce : keep;
    part.shape.push(d);
    walk.strides.forEach((s, k) => part.strides[k]!.push(s[i]!));
  });
  return { keep, reduce };
}
