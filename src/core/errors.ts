/** Base of every error the runtime throws for a user mistake; thrown on the host before any GPU call. */
export class Caffe2Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A blob's shape does not fit what an operator needs. */
export class ShapeError extends Caffe2Error {}
/** A blob's element type does not fit what an operator needs. */
export class DTypeError extends Caffe2Error {}
/** A blob that was named does not exist. */
export class MissingBlobError extends Caffe2Error {}
/** A net that was named was never created in the workspace (or was deleted). */
export class MissingNetError extends Caffe2Error {}
/** A workspace that was named does not exist. */
export class MissingWorkspaceError extends Caffe2Error {}
/** A tensor larger than the adapter allows (maxBufferSize, maxStorageBufferBindingSize) or than a cap the caller set. */
export class LimitError extends Caffe2Error {}
/** An operator type nobody registered. */
export class UnknownOperatorError extends Caffe2Error {}
/** An operator argument that is unknown, missing, or of the wrong kind or value. */
export class ArgumentError extends Caffe2Error {}
/** A WGSL kernel failed to compile; the message names the file and line. */
export class KernelCompileError extends Caffe2Error {}
/** No WebGPU adapter or device could be obtained, or the device was lost. */
export class DeviceError extends Caffe2Error {}

/** Levenshtein distance, for "did you mean" hints. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The known names nearest to `name` (case-insensitive edit distance, prefix matches first). */
export function nearNames(name: string, known: Iterable<string>, max = 3): string[] {
  const lower = name.toLowerCase();
  const scored: Array<[number, string]> = [];
  for (const k of known) {
    const kl = k.toLowerCase();
    const d = kl.startsWith(lower) || lower.startsWith(kl) ? 0.5 : editDistance(lower, kl);
    if (d <= Math.max(2, Math.floor(name.length / 3))) scored.push([d, k]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  return scored.slice(0, max).map(([, k]) => k);
}

/** " Did you mean "X"?" or "" when nothing is near. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const near = nearNames(name, known);
  return near.length ? ` Did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : '';
}

/** " Did you mean …? Known blobs: a, b, …": the tail of every missing-blob message. */
export function knownBlobsHint(name: string, known: readonly string[]): string {
  const list = known.slice(0, 12).join(', ') || '(none)';
  return `${didYouMean(name, known)} Known blobs: ${list}${known.length > 12 ? ', …' : ''}`;
}

/** Formats a shape the way messages show it: [64,2]. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
