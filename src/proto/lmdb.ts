/**
 * LMDB's data file (data.mdb), read and written in TypeScript, in the on-disk format of LMDB 0.9
 * (64-bit), the LMDB Caffe2 links: Caffe2's "lmdb" DBs are a directory holding data.mdb (and a
 * lock file LMDB makes itself). Only what Caffe2 DBs use: the main B-tree, plain keys and values
 * (large values on overflow pages), no named sub-databases or duplicate keys. Browser-safe.
 *
 * Layout: pages of `psize` bytes; pages 0 and 1 are meta pages (the one with the larger txnid is
 * current) naming the main tree's root. A page starts with a 16-byte header (pgno u64, pad u16,
 * flags u16, lower u16, upper u16); branch and leaf pages hold u16 node offsets after the header
 * and nodes packed from the page's end: lo u16, hi u16, flags u16, ksize u16, key, data.
 */
import { ArgumentError } from '../core/errors.js';
import type { DBRecord } from './minidb.js';

const PAGE_HEADER = 16;
const NODE_HEADER = 8;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_OVERFLOW = 0x04;
const P_META = 0x08;
const F_BIGDATA = 0x01;
const MAGIC = 0xbeefc0de;
const DATA_VERSION = 1;
/** md_root of an empty tree. */
const P_INVALID = 0xffffffffffffffffn;
/** Offsets inside a meta page: the MDB_meta struct after the page header. */
const META = { magic: 16, version: 20, mapsize: 32, freeDb: 40, mainDb: 88, lastPage: 136, txnid: 144 } as const;
/** Offsets inside an MDB_db (48 bytes). */
const DB = { pad: 0, flags: 4, depth: 6, branchPages: 8, leafPages: 16, overflowPages: 24, entries: 32, root: 40 } as const;
const DB_SIZE = 48;
const PAGE_SIZE = 4096;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Reads the records of an LMDB data file (data.mdb), in key order as an LMDB cursor gives them. */
export function readLMDB(bytes: Uint8Array, what = 'readLMDB'): DBRecord[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string): never => {
    throw new ArgumentError(`${what}: ${why}`);
  };
  if (bytes.length < PAGE_HEADER + META.txnid + 8) fail(`${bytes.length} bytes is too short for an LMDB data file`);
  const metaAt = (page: number, psize: number): { txnid: bigint; base: number } | null => {
    const base = page * psize;
    if (base + META.txnid + 8 > bytes.length) return null;
    if ((view.getUint16(base + 10, true) & P_META) === 0 || view.getUint32(base + META.magic, true) !== MAGIC) return null;
    return { txnid: view.getBigUint64(base + META.txnid, true), base };
  };
  if (view.getUint32(META.magic, true) !== MAGIC) fail('not an LMDB data file (no LMDB magic in its first meta page)');
  const version = view.getUint32(META.version, true);
  if (version !== DATA_VERSION) {
    fail(`LMDB data format version ${version}; only version ${DATA_VERSION} (LMDB 0.9, as Caffe2 writes) is read (version 2 files come from LMDB 1.x, e.g. the lmdb npm package)`);
  }
  const psize = view.getUint32(META.freeDb + DB.pad, true);
  if (psize < 512 || psize > 65536 || (psize & (psize - 1)) !== 0) fail(`page size ${psize} is not a power of two between 512 and 65536`);
  const metas = [metaAt(0, psize), metaAt(1, psize)].filter((m) => m !== null);
  const meta = metas.reduce((a, b) => (b.txnid > a.txnid ? b : a));
  const db = meta.base + META.mainDb;
  if (view.getUint16(db + DB.flags, true) !== 0) fail(`the main database has flags 0x${view.getUint16(db + DB.flags, true).toString(16)} (duplicate keys or integer keys), which Caffe2 DBs do not use`);
  const root = view.getBigUint64(db + DB.root, true);
  const records: DBRecord[] = [];
  if (root === P_INVALID) return records;
  const pages = bytes.length / psize;
  const pageBase = (pgno: bigint, from: string): number => {
    if (pgno >= BigInt(Math.floor(pages))) fail(`${from} points to page ${pgno}, past the file's ${Math.floor(pages)} pages; truncated file?`);
    return Number(pgno) * psize;
  };
  const walk = (pgno: bigint, depth: number, from: string): void => {
    if (depth > 64) fail('the B-tree is deeper than 64 levels; a cycle in a corrupt file?');
    const base = pageBase(pgno, from);
    const flags = view.getUint16(base + 10, true);
    const lower = view.getUint16(base + 12, true);
    const count = (lower - PAGE_HEADER) / 2;
    if (!(flags & (P_BRANCH | P_LEAF)) || !Number.isInteger(count) || count < 0) fail(`page ${pgno} (from ${from}) is neither a branch nor a leaf page (flags 0x${flags.toString(16)})`);
    for (let i = 0; i < count; i++) {
      const node = base + view.getUint16(base + PAGE_HEADER + 2 * i, true);
      if (node < base + PAGE_HEADER || node + NODE_HEADER > base + psize) fail(`page ${pgno}: node #${i} lies outside the page`);
      const lo = view.getUint16(node, true);
      const hi = view.getUint16(node + 2, true);
      const nodeFlags = view.getUint16(node + 4, true);
      const ksize = view.getUint16(node + 6, true);
      if (flags & P_BRANCH) {
        walk(BigInt(lo) | (BigInt(hi) << 16n) | (BigInt(nodeFlags) << 32n), depth + 1, `branch page ${pgno} node #${i}`);
        continue;
      }
      const keyAt = node + NODE_HEADER;
      const dsize = lo + hi * 65536;
      if (nodeFlags & ~F_BIGDATA) fail(`page ${pgno}: node #${i} has flags 0x${nodeFlags.toString(16)} (a sub-database or duplicates), which Caffe2 DBs do not use`);
      let dataAt = keyAt + ksize;
      if (nodeFlags & F_BIGDATA) {
        const over = pageBase(view.getBigUint64(dataAt, true), `leaf page ${pgno} node #${i}`);
        if ((view.getUint16(over + 10, true) & P_OVERFLOW) === 0) fail(`page ${over / psize} should be an overflow page (leaf page ${pgno} node #${i})`);
        dataAt = over + PAGE_HEADER;
      }
      if (dataAt + dsize > bytes.length || keyAt + ksize > bytes.length) fail(`page ${pgno}: node #${i}'s key or value runs past the end of the file`);
      let key: string;
      try {
        key = utf8.decode(bytes.subarray(keyAt, keyAt + ksize));
      } catch {
        return fail(`page ${pgno}: node #${i}'s key is not UTF-8 text`);
      }
      records.push({ key, value: bytes.subarray(dataAt, dataAt + dsize) });
    }
  };
  walk(root, 1, 'the meta page');
  return records;
}

/** A page being filled: node offsets grow up from the header, nodes grow down from the end. */
class PageWriter {
  readonly bytes = new Uint8Array(PAGE_SIZE);
  private readonly view = new DataView(this.bytes.buffer);
  private lower = PAGE_HEADER;
  private upper = PAGE_SIZE;

  constructor(
    readonly pgno: number,
    flags: number,
  ) {
    this.view.setBigUint64(0, BigInt(pgno), true);
    this.view.setUint16(10, flags, true);
    this.sync();
  }

  /** Room for a node of `size` bytes (plus its offset)? */
  fits(size: number): boolean {
    return this.upper - this.lower >= even(size) + 2;
  }

  /** Appends a node: lo/hi/flags words, key, then `data`. */
  add(lo: number, hi: number, flags: number, key: Uint8Array, data: Uint8Array): void {
    const size = NODE_HEADER + key.length + data.length;
    this.upper -= even(size);
    this.view.setUint16(this.lower, this.upper, true);
    this.lower += 2;
    this.view.setUint16(this.upper, lo, true);
    this.view.setUint16(this.upper + 2, hi, true);
    this.view.setUint16(this.upper + 4, flags, true);
    this.view.setUint16(this.upper + 6, key.length, true);
    this.bytes.set(key, this.upper + NODE_HEADER);
    this.bytes.set(data, this.upper + NODE_HEADER + key.length);
    this.sync();
  }

  private sync(): void {
    this.view.setUint16(12, this.lower, true);
    this.view.setUint16(14, this.upper, true);
  }
}

const even = (n: number): number => n + (n & 1);

/** Largest leaf node kept on its page (LMDB 0.9's me_nodemax for 4096-byte pages); bigger values go to overflow pages. */
const NODE_MAX = (((PAGE_SIZE - PAGE_HEADER) / 2) & -2) - 2;
/** Longest key LMDB 0.9 accepts (MDB_MAXKEYSIZE). */
const MAX_KEY = 511;

/**
 * Writes records as an LMDB 0.9 data file (the data.mdb of a Caffe2 "lmdb" DB directory), sorted
 * by key bytes as LMDB keeps them. Keys must be distinct and 1 to 511 bytes long.
 */
export function writeLMDB(records: readonly DBRecord[], what = 'writeLMDB'): Uint8Array {
  const entries = records.map((r) => ({ key: utf8Encoder.encode(r.key), value: r.value, name: r.key }));
  entries.sort((a, b) => compareBytes(a.key, b.key));
  entries.forEach((e, i) => {
    if (e.key.length === 0 || e.key.length > MAX_KEY) throw new ArgumentError(`${what}: key "${e.name}" is ${e.key.length} bytes; LMDB keys are 1 to ${MAX_KEY} bytes`);
    if (i > 0 && compareBytes(entries[i - 1]!.key, e.key) === 0) throw new ArgumentError(`${what}: key "${e.name}" appears twice`);
  });
  const pages: Uint8Array[] = [new Uint8Array(PAGE_SIZE), new Uint8Array(PAGE_SIZE)];
  const counts = { branch: 0, leaf: 0, overflow: 0 };
  const newPage = (flags: number): PageWriter => {
    const p = new PageWriter(pages.length, flags);
    pages.push(p.bytes);
    return p;
  };
  // Leaves, in key order; each level's first keys feed the level above.
  let level: Array<{ key: Uint8Array; pgno: number }> = [];
  let leaf: PageWriter | null = null;
  for (const e of entries) {
    const big = NODE_HEADER + e.key.length + e.value.length > NODE_MAX;
    const nodeSize = NODE_HEADER + e.key.length + (big ? 8 : e.value.length);
    if (!leaf || !leaf.fits(nodeSize)) {
      leaf = newPage(P_LEAF);
      counts.leaf++;
      level.push({ key: e.key, pgno: leaf.pgno });
    }
    let data = e.value;
    if (big) {
      const n = Math.ceil((PAGE_HEADER + e.value.length) / PAGE_SIZE);
      const first = pages.length;
      const run = new Uint8Array(n * PAGE_SIZE);
      const v = new DataView(run.buffer);
      v.setBigUint64(0, BigInt(first), true);
      v.setUint16(10, P_OVERFLOW, true);
      v.setUint32(12, n, true);
      run.set(e.value, PAGE_HEADER);
      for (let k = 0; k < n; k++) pages.push(run.subarray(k * PAGE_SIZE, (k + 1) * PAGE_SIZE));
      counts.overflow += n;
      data = new Uint8Array(8);
      new DataView(data.buffer).setBigUint64(0, BigInt(first), true);
    }
    leaf.add(e.value.length & 0xffff, Math.floor(e.value.length / 65536), big ? F_BIGDATA : 0, e.key, data);
  }
  let depth = level.length ? 1 : 0;
  while (level.length > 1) {
    // A branch node holds a child's page number in lo/hi/flags and its first key (none for a page's first child).
    const next: typeof level = [];
    let branch: PageWriter | null = null;
    for (const child of level) {
      const key = branch ? child.key : new Uint8Array(0);
      if (branch && !branch.fits(NODE_HEADER + key.length)) branch = null;
      if (!branch) {
        branch = newPage(P_BRANCH);
        counts.branch++;
        next.push({ key: child.key, pgno: branch.pgno });
        branch.add(child.pgno & 0xffff, (child.pgno >>> 16) & 0xffff, Math.floor(child.pgno / 2 ** 32), new Uint8Array(0), new Uint8Array(0));
        continue;
      }
      branch.add(child.pgno & 0xffff, (child.pgno >>> 16) & 0xffff, Math.floor(child.pgno / 2 ** 32), key, new Uint8Array(0));
    }
    level = next;
    depth++;
  }
  const file = new Uint8Array(pages.length * PAGE_SIZE);
  pages.forEach((p, k) => file.set(p, k * PAGE_SIZE));
  const view = new DataView(file.buffer);
  // Meta 0: the empty database LMDB starts from (txnid 0); meta 1: this one (txnid 1, current).
  for (const [page, full] of [[0, false], [1, true]] as const) {
    const base = page * PAGE_SIZE;
    view.setBigUint64(base, BigInt(page), true);
    view.setUint16(base + 10, P_META, true);
    view.setUint32(base + META.magic, MAGIC, true);
    view.setUint32(base + META.version, DATA_VERSION, true);
    // Room to grow: LMDB maps this much, so a later writer (mdb_load, Caffe2) can add records.
    view.setBigUint64(base + META.mapsize, BigInt(Math.max(2 * file.length, 2 ** 30)), true);
    view.setUint32(base + META.freeDb + DB.pad, PAGE_SIZE, true);
    view.setBigUint64(base + META.freeDb + DB.root, P_INVALID, true);
    const db = base + META.mainDb;
    const root = full ? level[0]?.pgno : undefined;
    view.setBigUint64(db + DB.root, root === undefined ? P_INVALID : BigInt(root), true);
    if (full) {
      view.setUint16(db + DB.depth, depth, true);
      view.setBigUint64(db + DB.branchPages, BigInt(counts.branch), true);
      view.setBigUint64(db + DB.leafPages, BigInt(counts.leaf), true);
      view.setBigUint64(db + DB.overflowPages, BigInt(counts.overflow), true);
      view.setBigUint64(db + DB.entries, BigInt(entries.length), true);
    }
    view.setBigUint64(base + META.lastPage, BigInt(full ? pages.length - 1 : 1), true);
    view.setBigUint64(base + META.txnid, BigInt(full ? 1 : 0), true);
  }
  return file;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
