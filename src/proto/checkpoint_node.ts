/** Node file helpers for checkpoints (kept apart so browser bundles never import node:fs). */
import { readFile, writeFile } from 'node:fs/promises';
import { loadCheckpoint, saveCheckpoint, type LoadCheckpointOptions } from './checkpoint.js';

/** Saves blobs of the current workspace (all by default) and the RNG state to a TensorProtos file. */
export async function saveCheckpointFile(path: string, names?: readonly string[]): Promise<void> {
  await writeFile(path, await saveCheckpoint(names));
}

/** Loads a TensorProtos file into the current workspace; returns the blob names it fed. */
export async function loadCheckpointFile(path: string, options: LoadCheckpointOptions = {}): Promise<string[]> {
  return loadCheckpoint(new Uint8Array(await readFile(path)), options);
}
