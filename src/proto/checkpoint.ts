/**
 * Checkpoints: a workspace's blobs as a Caffe2 TensorProtos file (GPU → bytes → GPU), plus the
 * workspace RNG state under a reserved name, so training resumes with the same bits — Iter and
 * optimizer blobs are ordinary blobs and travel with the rest.
 */
import { ArgumentError } from '../core/errors.js';
import { DataType } from '../core/dtype.js';
import * as workspace from '../runtime/workspace.js';
import { decodeTensorProtos, encodeTensorProtos, type NamedTensor } from './codec.js';

/**
 * The entry that holds the RNG state [seed_lo, seed_hi, counter_lo, counter_hi] as four INT32 bit
 * patterns. A Caffe2 reader sees an ordinary 4-element tensor; no blob may take this name.
 */
export const RNG_STATE_ENTRY = '__caffe2_webgpu_rng_state__';

/** Options of loadCheckpoint. */
export interface LoadCheckpointOptions {
  /** Restore the RNG state when the file has one (default true). */
  restoreRng?: boolean;
}

/** Saves blobs of the current workspace (all by default) and its RNG state as TensorProtos bytes. */
export async function saveCheckpoint(names?: readonly string[]): Promise<Uint8Array> {
  const chosen = names ?? workspace.Blobs();
  if (chosen.includes(RNG_STATE_ENTRY)) {
    throw new ArgumentError(`saveCheckpoint: "${RNG_STATE_ENTRY}" is reserved for the RNG state; rename that blob`);
  }
  const dup = chosen.find((n, i) => chosen.indexOf(n) !== i);
  if (dup !== undefined) throw new ArgumentError(`saveCheckpoint: blob "${dup}" is named twice`);
  const fetched = await workspace.FetchBlobs(chosen);
  // A uint8 blob is written as Caffe2 UINT8 (int32_data), and so loads back as int32 like any .pb small int.
  const entries: NamedTensor[] = fetched.map((t, i) =>
    t.dtype === 'uint8'
      ? { name: chosen[i]!, shape: [...t.shape], dtype: 'int32', data: t.data, dataType: DataType.UINT8 }
      : { name: chosen[i]!, shape: [...t.shape], dtype: t.dtype, data: t.data },
  );
  const rng = await workspace.GetRngState();
  entries.push({ name: RNG_STATE_ENTRY, shape: [4], dtype: 'int32', data: new Int32Array(rng.buffer, rng.byteOffset, 4), dataType: DataType.INT32 });
  return encodeTensorProtos(entries);
}

/**
 * Loads a checkpoint (or any Caffe2 TensorProtos file) into the current workspace and returns the
 * blob names it fed. The whole file is checked before the first blob is written, so a bad file
 * changes nothing.
 */
export async function loadCheckpoint(bytes: Uint8Array | ArrayBuffer, options: LoadCheckpointOptions = {}): Promise<string[]> {
  const tensors = decodeTensorProtos(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes);
  const seen = new Set<string>();
  let rng: Uint32Array | null = null;
  for (const t of tensors) {
    if (seen.has(t.name)) throw new ArgumentError(`loadCheckpoint: the file holds blob "${t.name}" twice`);
    seen.add(t.name);
    if (t.name !== RNG_STATE_ENTRY) continue;
    if (t.dtype !== 'int32' || t.data.length !== 4) {
      throw new ArgumentError(`loadCheckpoint: "${RNG_STATE_ENTRY}" must hold 4 int32 words, got ${t.data.length} ${t.dtype} values`);
    }
    rng = new Uint32Array(t.data.buffer, t.data.byteOffset, 4);
  }
  const blobs = tensors.filter((t) => t.name !== RNG_STATE_ENTRY);
  for (const t of blobs) await workspace.FeedBlob(t.name, t.data, { shape: t.shape, dtype: t.dtype });
  if (rng && (options.restoreRng ?? true)) await workspace.SetRngState(rng);
  return blobs.map((t) => t.name);
}

/** Browser: saves a checkpoint and offers it as a file download. */
export async function downloadCheckpoint(filename: string, names?: readonly string[]): Promise<void> {
  const doc = (globalThis as { document?: Document }).document;
  if (!doc) throw new ArgumentError('downloadCheckpoint needs a browser page; in Node use saveCheckpointFile from proto/checkpoint_node');
  const bytes = await saveCheckpoint(names);
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  try {
    const a = doc.createElement('a');
    a.href = url;
    a.download = filename;
    a.click();
  } finally {
    // The click starts the download synchronously; the URL is not needed after it.
    URL.revokeObjectURL(url);
  }
}
