/** What AddGradientOperators returns: forward blob → gradient blob, as `grads.get(W)` or `grads[W]`. */
import { BlobReference, blobName, checkedBlobName, describeValue, type BlobLike } from './blob_reference.js';

/** Seeds: a list of blobs (each seeded with 1.0) or a map blob → given gradient blob (null = auto). */
export type GradientSeeds = readonly BlobLike[] | Readonly<Record<string, BlobLike | null>>;

export class GradientMap extends Map<string, BlobReference> {
  /** The gradient blob of a forward blob (by name or reference), or undefined when none flows. */
  override get(key: BlobLike): BlobReference | undefined {
    return super.get(blobName(key));
  }

  override has(key: BlobLike): boolean {
    return super.has(blobName(key));
  }

  /** Adds an entry; it also becomes a property, so `grads[W]` works as in Caffe2's dict. */
  override set(key: BlobLike, value: BlobReference): this {
    const name = blobName(key);
    super.set(name, value);
    if (!(name in Map.prototype) && name !== 'constructor') {
      Object.defineProperty(this, name, { value, enumerable: true, configurable: true, writable: true });
    }
    return this;
  }

  /** Plain object name → gradient name. */
  toJSON(): Record<string, string> {
    return Object.fromEntries([...this.entries()].map(([k, v]) => [k, v.name]));
  }
}

/** The seeds as (blob, given gradient) pairs; a lone blob is refused as Caffe2 does, since it is ambiguous. */
export function seedsOf(ys: GradientSeeds): Array<readonly [string, string | null]> {
  if (Array.isArray(ys)) {
    return (ys as readonly unknown[]).map((y, k) => [checkedBlobName(y, `AddGradientOperators: ys[${k}]`), null] as const);
  }
  if (typeof ys !== 'object' || ys === null || ys instanceof BlobReference) {
    throw new TypeError(`AddGradientOperators: ys should either be a list or a dict, got ${describeValue(ys)} (write [${String(ys)}])`);
  }
  return Object.entries(ys as Readonly<Record<string, BlobLike | null>>).map(([y, g]) => [y, g === null ? null : blobName(g)] as const);
}
