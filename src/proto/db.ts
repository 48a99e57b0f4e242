/**
 * Caffe2 DBs of TensorProtos records (what make_mnist_db writes and TensorProtosDBInput reads): key →
 * serialized TensorProtos, as a minidb file or an LMDB directory (its data.mdb). Browser-safe. A DB
 * reaches an op by name: bytes registered with RegisterDB (the browser's way: a fetched or uploaded
 * ArrayBuffer; for lmdb, data.mdb's bytes), else, in Node, the file or LMDB directory at that path,
 * read when the net is planned, as Caffe2 opens DBs by path.
 */
import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { DataType, dataTypeName, type DType, type HostArray } from '../core/dtype.js';
import { setDBResolver, type DBContents, type DBField } from '../ops/db_input.js';
import { decodeTensorProtos, encodeTensorProtos, type NamedTensor } from './codec.js';
import { readMiniDB, writeMiniDB, type DBRecord } from './minidb.js';
import { readLMDB, writeLMDB } from './lmdb.js';

/** DB formats read and written here. */
export const DB_TYPES = ['minidb', 'lmdb'] as const;
export type DBType = (typeof DB_TYPES)[number];

/** One DB record decoded: its key and its tensors (TensorProtos in order). */
export interface TensorDBEntry {
  key: string;
  tensors: NamedTensor[];
}

function checkType(dbType: string, what: string): DBType {
  if ((DB_TYPES as readonly string[]).includes(dbType)) return dbType as DBType;
  throw new ArgumentError(`${what}: db_type "${dbType}" is not supported; supported: ${DB_TYPES.join(', ')}`);
}

/** Splits DB bytes (a minidb file, or an LMDB's data.mdb) into raw records (key → value bytes), in DB order. */
export function readDBRecords(bytes: Uint8Array, dbType: string = 'minidb'): DBRecord[] {
  return checkType(dbType, 'readDBRecords') === 'lmdb' ? readLMDB(bytes) : readMiniDB(bytes);
}

/** Writes raw records as DB bytes (minidb: in the order given; lmdb: data.mdb, in key order). */
export function writeDBRecords(records: readonly DBRecord[], dbType: string = 'minidb'): Uint8Array {
  return checkType(dbType, 'writeDBRecords') === 'lmdb' ? writeLMDB(records) : writeMiniDB(records);
}

/** Decodes a DB whose values are TensorProtos (Caffe2's data-input layout). */
export function readTensorDB(bytes: Uint8Array, dbType: string = 'minidb'): TensorDBEntry[] {
  return readDBRecords(bytes, dbType).map((r) => {
    try {
      return { key: r.key, tensors: decodeTensorProtos(r.value) };
    } catch (e) {
      if (e instanceof Error) e.message = `record "${r.key}": ${e.message}`;
      throw e;
    }
  });
}

/** Encodes entries as a DB of TensorProtos values, in the order given. */
export function writeTensorDB(entries: readonly TensorDBEntry[], dbType: string = 'minidb'): Uint8Array {
  return writeDBRecords(entries.map((e) => ({ key: e.key, value: encodeTensorProtos(e.tensors) })), dbType);
}

// --- DBs as TensorProtosDBInput sees them ------------------------------------------------------------

const registered = new Map<string, { bytes: Uint8Array; dbType: DBType }>();
/** Decoded contents of registered byte arrays (decoding 60,000 records takes a while; plans reuse it). */
const decodedBytes = new WeakMap<Uint8Array, DBContents>();
/** Decoded files by path, while size and mtime stay the same (few: a data set is big). */
const decodedFiles = new Map<string, { stamp: string; contents: DBContents }>();
const FILES_KEPT = 4;

/**
 * Makes DB bytes readable by TensorProtosDBInput under `name` (its `db` argument); a later
 * registration under the same name replaces it. The bytes are copied now.
 */
export function RegisterDB(name: string, bytes: ArrayBuffer | Uint8Array, dbType: string = 'minidb'): void {
  if (typeof name !== 'string' || name === '') throw new ArgumentError(`RegisterDB: name must be a non-empty string, got ${String(name)}`);
  if (!(bytes instanceof ArrayBuffer) && !(bytes instanceof Uint8Array)) {
    throw new ArgumentError(`RegisterDB("${name}"): expected the DB's bytes as an ArrayBuffer or Uint8Array`);
  }
  const type = checkType(dbType, `RegisterDB("${name}")`);
  registered.set(name, { bytes: new Uint8Array(bytes).slice(), dbType: type });
}

/** Forgets a registered DB; true when there was one. */
export function UnregisterDB(name: string): boolean {
  return registered.delete(name);
}

/** The storage dtype of a record tensor: UINT8/BYTE pack four to a word, the rest as the codec stores them. */
function fieldDType(t: NamedTensor): DType {
  return t.dataType === DataType.UINT8 || t.dataType === DataType.BYTE ? 'uint8' : t.dtype;
}

/** Stacks the records' tensors field by field, checking that every record has the first one's layout. */
export function contentsOf(entries: readonly TensorDBEntry[], what: string): DBContents {
  const first = entries[0];
  if (!first) return { count: 0, fields: [] };
  const fields: DBField[] = first.tensors.map((t, k) => {
    const dtype = fieldDType(t);
    const total = entries.length * t.data.length;
    const data: HostArray = dtype === 'uint8' ? new Uint8Array(Math.ceil(total / 4) * 4) : dtype === 'float32' ? new Float32Array(total) : new Int32Array(total);
    entries.forEach((e, r) => {
      const where = `${what}: record #${r} ("${e.key}")`;
      if (e.tensors.length !== first.tensors.length) {
        throw new ShapeError(`${where} holds ${e.tensors.length} tensors, but the first record holds ${first.tensors.length}`);
      }
      const u = e.tensors[k]!;
      if (u.shape.length !== t.shape.length || u.shape.some((d, i) => d !== t.shape[i])) {
        throw new ShapeError(`${where}: tensor #${k} has shape ${fmtShape(u.shape)}, but the first record's has ${fmtShape(t.shape)}`);
      }
      if (fieldDType(u) !== dtype) {
        throw new DTypeError(`${where}: tensor #${k} is ${dataTypeName(u.dataType ?? 0)}, but the first record's is ${dataTypeName(t.dataType ?? 0)}`);
      }
      data.set(u.data, r * t.data.length);
    });
    return { shape: [...t.shape], dtype, data };
  });
  return { count: entries.length, fields };
}

/** What Node offers through process.getBuiltinModule (synchronous, and no import a browser bundle would trip on). */
interface NodeFs {
  readFileSync(path: string): Uint8Array;
  statSync(path: string, options: { throwIfNoEntry: false }): { size: number; mtimeMs: number; isFile(): boolean; isDirectory(): boolean } | undefined;
}

/** Node's fs, or null in a browser; an old Node without getBuiltinModule (before 20.16) is told so. */
function nodeFs(where: string): NodeFs | null {
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
  if (proc?.versions?.node && !proc.getBuiltinModule) {
    throw new ArgumentError(`${where}: opening a DB by path needs Node 20.16 or later (process.getBuiltinModule); this is Node ${proc.versions.node}. Register its bytes with workspace.RegisterDB instead`);
  }
  return (proc?.getBuiltinModule?.('node:fs') as NodeFs | undefined) ?? null;
}

function resolveDB(db: string, dbType: string, where: string): DBContents {
  const type = checkType(dbType, where);
  const reg = registered.get(db);
  if (reg) {
    if (reg.dbType !== type) throw new ArgumentError(`${where}: DB "${db}" was registered as ${reg.dbType}, but db_type is ${type}`);
    let contents = decodedBytes.get(reg.bytes);
    if (!contents) decodedBytes.set(reg.bytes, (contents = contentsOf(readTensorDB(reg.bytes, type), `${where}: DB "${db}"`)));
    return contents;
  }
  const fs = nodeFs(where);
  if (!fs) throw new ArgumentError(`${where}: no DB registered under "${db}"; in a browser, register its bytes first with workspace.RegisterDB("${db}", bytes)`);
  // Caffe2's LMDB is a directory holding data.mdb.
  const dir = type === 'lmdb' && fs.statSync(db, { throwIfNoEntry: false })?.isDirectory();
  const path = dir ? `${db}/data.mdb` : db;
  const stat = fs.statSync(path, { throwIfNoEntry: false });
  if (!stat?.isFile()) {
    const known = [...registered.keys()];
    throw new ArgumentError(
      `${where}: DB "${db}" is neither registered (workspace.RegisterDB) nor a file${type === 'lmdb' ? ' or an LMDB directory' : ''}${known.length ? `; registered: ${known.join(', ')}` : ''}`,
    );
  }
  const stamp = `${type} ${stat.size} ${stat.mtimeMs}`;
  const hit = decodedFiles.get(db);
  if (hit?.stamp === stamp) return hit.contents;
  const contents = contentsOf(readTensorDB(new Uint8Array(fs.readFileSync(path)), type), `${where}: DB "${db}"`);
  decodedFiles.delete(db);
  decodedFiles.set(db, { stamp, contents });
  if (decodedFiles.size > FILES_KEPT) decodedFiles.delete(decodedFiles.keys().next().value!);
  return contents;
}

setDBResolver(resolveDB);
