/** A blob: a GPU buffer plus the shape and dtype of the tensor it holds. */
import { storageWords, type DType, type HostArray } from '../core/dtype.js';
import type { TensorInfo } from '../ops/registry.js';
import { size } from '../ops/shape.js';

export interface Blob {
  readonly name: string;
  shape: readonly number[];
  dtype: DType;
  /** Null while the blob exists but was never given a tensor. */
  buffer: GPUBuffer | null;
  /** The values last fed from the host, while no GPU op has written the blob since (input_as_shape reads them). */
  hostValues?: HostArray;
}

/** Bytes a tensor occupies (4 per word, see storageWords); at least 4 so that even an empty tensor can be bound. */
export function tensorBytes(info: TensorInfo): number {
  return Math.max(4, storageWords(info.dtype, size(info.shape)) * 4);
}

/** True when two tensors have the same dtype and shape. */
export function sameInfo(a: TensorInfo, b: TensorInfo): boolean {
  return a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}

/** Where the planner finds and places blobs: a workspace. */
export interface BlobStore {
  readonly name: string;
  get(name: string): Blob | undefined;
  names(): string[];
  /** Puts a blob in place of the one of the same name (the planner's commit; the caller handles the old buffer). */
  set(blob: Blob): void;
  /** The workspace RNG state buffer [seed_lo, seed_hi, counter_lo, counter_hi]. */
  readonly rng: GPUBuffer;
}
