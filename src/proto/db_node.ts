/** Node file helpers for DBs (kept apart so browser bundles never import node:fs). */
import { readFile, writeFile } from 'node:fs/promises';
import { readTensorDB, writeTensorDB, type TensorDBEntry } from './db.js';

/** Reads a DB file of TensorProtos records. */
export async function readTensorDBFile(path: string, dbType: string = 'minidb'): Promise<TensorDBEntry[]> {
  return readTensorDB(new Uint8Array(await readFile(path)), dbType);
}

/** Writes TensorProtos records as a DB file (replacing the file). */
export async function writeTensorDBFile(path: string, entries: readonly TensorDBEntry[], dbType: string = 'minidb'): Promise<void> {
  await writeFile(path, writeTensorDB(entries, dbType));
}
