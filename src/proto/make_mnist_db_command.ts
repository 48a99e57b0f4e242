/**
 * `caffe2-webgpu make_mnist_db`: Caffe2's make_mnist_db tool. Reads MNIST IDX files (plain or
 * gzipped) and writes a DB of TensorProtos records for TensorProtosDBInput. Node only (files).
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { Caffe2Error } from '../core/errors.js';
import { DB_TYPES, type TensorDBEntry } from './db.js';
import { writeTensorDBFile } from './db_node.js';
import { mnistRecords, readIdx, type IdxArray } from './mnist_idx.js';

export const MAKE_MNIST_DB_USAGE = `usage: caffe2-webgpu make_mnist_db --image_file F --label_file F --output_file DB [--db minidb|lmdb]
                                  [--channel_first] [--data_limit N]
Converts MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte; plain or .gz) into a
DB of records "00000000", "00000001", … each holding TensorProtos [image uint8 [28,28,1] (or
[1,28,28] with --channel_first), label int32], as Caffe2's make_mnist_db does. --db minidb (the
default) writes one file; --db lmdb writes a directory holding data.mdb in LMDB 0.9's format.`;

/** A mistake in the command line or the input files: the message is for the user as is. */
export class MakeMnistDbError extends Error {
  override name = 'MakeMnistDbError';
}

interface MakeMnistDbArgs {
  imageFile: string;
  labelFile: string;
  outputFile: string;
  db: string;
  channelFirst: boolean;
  limit?: number;
}

const BOOL_VALUES: Record<string, boolean> = { true: true, '1': true, false: false, '0': false };

/** Flags as gflags takes them: `--name value` or `--name=value`; `--channel_first[=true|false]`, `--nochannel_first`. */
function parseArgs(args: readonly string[]): MakeMnistDbArgs | 'help' {
  const values: Record<string, string> = {};
  let channelFirst = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-h' || a === '--help') return 'help';
    if (!a.startsWith('--')) throw new MakeMnistDbError(`unexpected argument "${a}"\n${MAKE_MNIST_DB_USAGE}`);
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : a.slice(eq + 1);
    if (name === 'channel_first' || name === 'nochannel_first') {
      const v = inline === undefined ? true : BOOL_VALUES[inline];
      if (v === undefined) throw new MakeMnistDbError(`--${name} takes true or false, got "${inline}"`);
      channelFirst = name === 'channel_first' ? v : !v;
    } else if (['image_file', 'label_file', 'output_file', 'db', 'data_limit'].includes(name)) {
      const v = inline ?? args[++i];
      if (v === undefined) throw new MakeMnistDbError(`--${name} needs a value\n${MAKE_MNIST_DB_USAGE}`);
      values[name] = v;
    } else throw new MakeMnistDbError(`unknown option --${name}\n${MAKE_MNIST_DB_USAGE}`);
  }
  for (const need of ['image_file', 'label_file', 'output_file']) {
    if (values[need] === undefined) throw new MakeMnistDbError(`--${need} is required\n${MAKE_MNIST_DB_USAGE}`);
  }
  let limit: number | undefined;
  if (values.data_limit !== undefined) {
    limit = Number(values.data_limit);
    if (!Number.isInteger(limit)) throw new MakeMnistDbError(`--data_limit must be an integer, got "${values.data_limit}"`);
    if (limit < 0) limit = undefined; // Caffe2's default of -1: every item
  }
  return { imageFile: values.image_file!, labelFile: values.label_file!, outputFile: values.output_file!, db: values.db ?? 'minidb', channelFirst, ...(limit !== undefined ? { limit } : {}) };
}

async function readIdxFile(path: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new MakeMnistDbError(`cannot read ${path}: ${(e as Error).message}`);
  }
  // gzip's magic bytes: the files as distributed (train-images-idx3-ubyte.gz).
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = new Uint8Array(gunzipSync(bytes));
    } catch (e) {
      throw new MakeMnistDbError(`cannot decompress ${path}: ${(e as Error).message}`);
    }
  }
  try {
    return readIdx(bytes, path);
  } catch (e) {
    throw e instanceof Caffe2Error ? new MakeMnistDbError(e.message) : e;
  }
}

/** Runs the command; resolves to the number of records written, or rejects with a MakeMnistDbError. */
export async function makeMnistDbCommand(args: readonly string[], out: { stdout(text: string): void }): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed === 'help') {
    out.stdout(`${MAKE_MNIST_DB_USAGE}\n`);
    return 0;
  }
  if (!(DB_TYPES as readonly string[]).includes(parsed.db)) throw new MakeMnistDbError(`--db ${parsed.db} is not supported; use ${DB_TYPES.join(' or ')}`);
  const [images, labels] = await Promise.all([readIdxFile(parsed.imageFile), readIdxFile(parsed.labelFile)]);
  let entries: TensorDBEntry[];
  try {
    entries = mnistRecords(images, labels, { channelFirst: parsed.channelFirst, ...(parsed.limit !== undefined ? { limit: parsed.limit } : {}) });
  } catch (e) {
    throw e instanceof Caffe2Error ? new MakeMnistDbError(e.message) : e;
  }
  await writeTensorDBFile(parsed.outputFile, entries, parsed.db);
  out.stdout(`wrote ${entries.length} records to ${parsed.outputFile} (${parsed.db})\n`);
  return entries.length;
}
