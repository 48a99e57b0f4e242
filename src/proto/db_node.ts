/** Node file helpers for DBs (kept apart so browser bundles never import node:fs). */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readTensorDB, writeTensorDB, type TensorDBEntry } from './db.js';

/** Caffe2's LMDB is a directory holding data.mdb; a minidb is the file itself. */
async function dataFile(path: string, dbType: string): Promise<string> {
  return dbType === 'lmdb' && (await stat(path)).isDirectory() ? join(path, 'data.mdb') : path;
}

/** Reads a DB of TensorProtos records: a minidb file, or an LMDB directory (or its data.mdb). */
export async function readTensorDBFile(path: string, dbType: string = 'minidb'): Promise<TensorDBEntry[]> {
  return readTensorDB(new Uint8Array(await readFile(await dataFile(path, dbType))), dbType);
}

/** Writes TensorProtos records as a DB: a minidb file, or an LMDB directory with its data.mdb (replacing either). */
export async function writeTensorDBFile(path: string, entries: readonly TensorDBEntry[], dbType: string = 'minidb'): Promise<void> {
  const bytes = writeTensorDB(entries, dbType);
  if (dbType !== 'lmdb') return writeFile(path, bytes);
  await mkdir(path, { recursive: true });
  await writeFile(join(path, 'data.mdb'), bytes);
}
