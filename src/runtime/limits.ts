/**
 * Size checks on the host, before any GPU call: a tensor must fit the adapter's limits (a raw
 * Dawn error would leave an invalid buffer behind and poison the next call) and the cap a caller
 * set for untrusted nets.
 */
import { LimitError, ShapeError, fmtShape } from '../core/errors.js';
import type { TensorInfo } from '../ops/registry.js';

/** The sizes a workspace enforces. */
export interface SizeLimits {
  /** The adapter's maxBufferSize. */
  maxBufferSize: number;
  /** The adapter's maxStorageBufferBindingSize: the most a kernel can see of one buffer. */
  maxBindingSize: number;
  /** The caller's cap on one blob (SetLimits), Infinity by default. */
  maxBlobBytes: number;
}

/** The limits of a device, with the caller's cap. */
export function limitsOf(device: GPUDevice, maxBlobBytes: number): SizeLimits {
  return { maxBufferSize: device.limits.maxBufferSize, maxBindingSize: device.limits.maxStorageBufferBindingSize, maxBlobBytes };
}

function fmtBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(2)} MiB`;
  return `${n} B`;
}

/** Throws unless every dim is a non-negative integer (NaN, 1.5, -1 and 1e300 are not). */
export function checkDims(shape: readonly number[], where: string, blob: string): void {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(`${where}: blob "${blob}" would have shape ${fmtShape(shape)}; every dim must be a non-negative integer`);
    }
  }
}

/**
 * Throws a LimitError naming `where` (the op or call), the blob, its size and the limit when
 * `bytes` are larger than a buffer may be, than a kernel may bind (`bound`), or than the cap.
 */
export function checkBytes(bytes: number, limits: SizeLimits, where: string, blob: string, bound: boolean, detail = ''): void {
  const checks: Array<[number, string]> = [
    [limits.maxBufferSize, "the adapter's maxBufferSize"],
    [bound ? limits.maxBindingSize : Infinity, "the adapter's maxStorageBufferBindingSize (the most one kernel binding can see)"],
    [limits.maxBlobBytes, 'the cap set with workspace.SetLimits({ maxBlobBytes })'],
  ];
  for (const [limit, name] of checks) {
    if (bytes > limit) {
      throw new LimitError(`${where}: "${blob}"${detail} needs ${fmtBytes(bytes)} (${bytes} bytes), over ${name} of ${fmtBytes(limit)} (${limit} bytes)`);
    }
  }
}

/** checkDims, then checkBytes of a tensor of 4-byte elements. */
export function checkTensor(info: TensorInfo, limits: SizeLimits, where: string, blob: string, bound: boolean): void {
  checkDims(info.shape, where, blob);
  const elements = info.shape.reduce((a, b) => a * b, 1);
  checkBytes(elements * 4, limits, where, blob, bound, ` of shape ${fmtShape(info.shape)} (${elements} elements)`);
}
