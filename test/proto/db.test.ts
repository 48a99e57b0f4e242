import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgumentError, DataType } from '../../src/index.js';
import { readMiniDB, writeMiniDB } from '../../src/proto/minidb.js';
import { contentsOf, readTensorDB, writeTensorDB, type TensorDBEntry } from '../../src/proto/db.js';
import { readTensorDBFile, writeTensorDBFile } from '../../src/proto/db_node.js';
import { readLMDB, writeLMDB } from '../../src/proto/lmdb.js';
import { makeRng } from '../helpers/gpu.js';

// --- Caffe2's byte layout, written here from the spec (protobuf wire format, caffe2/core/db.cc's minidb) ---
const varint = (v: number): number[] => {
  const out: number[] = [];
  for (; v >= 0x80; v = Math.floor(v / 128)) out.push((v % 128) | 0x80);
  return [...out, v];
};
const field = (num: number, wire: number): number[] => varint(num * 8 + wire);
const ld = (num: number, body: number[]): number[] => [...field(num, 2), ...varint(body.length), ...body];
/** A TensorProto as Caffe2's C++ writes make_mnist_db's image: dims (unpacked), data_type BYTE, byte_data. */
const byteImage = (dims: number[], pixels: number[]): number[] => [
  ...dims.flatMap((d) => [...field(1, 0), ...varint(d)]),
  ...field(2, 0), ...varint(DataType.BYTE),
  ...ld(5, pixels),
];
/** Its label: data_type INT32, int32_data packed (caffe2.proto declares it [packed = true]), no dims. */
const int32Label = (v: number): number[] => [...field(2, 0), ...varint(DataType.INT32), ...ld(4, varint(v))];
const tensorProtos = (...protos: number[][]): number[] => protos.flatMap((p) => ld(1, p));
/** minidb framing: int32 key length, int32 value length (little-endian), key, value. */
const minidbRecord = (key: string, value: number[]): number[] => {
  const k = [...new TextEncoder().encode(key)];
  const lens = new Uint8Array(new Int32Array([k.length, value.length]).buffer);
  return [...lens, ...k, ...value];
};

function randomEntries(count: number, seed: number): TensorDBEntry[] {
  const rand = makeRng(seed);
  return Array.from({ length: count }, (_, r) => ({
    key: String(r).padStart(8, '0'),
    tensors: [
      { name: '', shape: [1, 3, 5], dtype: 'int32', data: Int32Array.from({ length: 15 }, () => Math.floor(rand() * 256)), dataType: DataType.UINT8 },
      { name: '', shape: [], dtype: 'int32', data: Int32Array.of(Math.floor(rand() * 10)), dataType: DataType.INT32 },
      { name: '', shape: [2], dtype: 'float32', data: Float32Array.from({ length: 2 }, () => rand() * 4 - 2) },
    ],
  }));
}

describe('minidb', () => {
  it('reads a DB in Caffe2\'s byte layout, built here from the spec', () => {
    const bytes = Uint8Array.from([
      ...minidbRecord('00000000', tensorProtos(byteImage([1, 2, 2], [0, 17, 255, 128]), int32Label(7))),
      ...minidbRecord('00000001', tensorProtos(byteImage([1, 2, 2], [3, 1, 4, 1]), int32Label(300))),
    ]);
    const entries = readTensorDB(bytes, 'minidb');
    expect(entries.map((e) => e.key)).toEqual(['00000000', '00000001']);
    expect(entries[0]!.tensors[0]!.shape).toEqual([1, 2, 2]);
    expect(entries[0]!.tensors[0]!.dataType).toBe(DataType.BYTE);
    expect([...entries[0]!.tensors[0]!.data]).toEqual([0, 17, 255, 128]);
    expect([...entries[1]!.tensors[0]!.data]).toEqual([3, 1, 4, 1]);
    expect(entries.map((e) => [e.tensors[1]!.shape, [...e.tensors[1]!.data]])).toEqual([[[], [7]], [[], [300]]]);
    // As the op sees it: images stacked and packed as uint8, labels as int32.
    const c = contentsOf(entries, 'test');
    expect(c.count).toBe(2);
    expect(c.fields.map((f) => [f.dtype, f.shape])).toEqual([['uint8', [1, 2, 2]], ['int32', []]]);
    expect([...c.fields[0]!.data]).toEqual([0, 17, 255, 128, 3, 1, 4, 1]);
    expect([...c.fields[1]!.data]).toEqual([7, 300]);
  });

  it('writes the framing Caffe2 reads: lengths, key, value, record after record', () => {
    const value = Uint8Array.of(9, 8, 7);
    const bytes = writeMiniDB([{ key: 'ab', value }, { key: 'c', value: Uint8Array.of(1) }]);
    expect([...bytes]).toEqual([...minidbRecord('ab', [9, 8, 7]), ...minidbRecord('c', [1])]);
    expect(readMiniDB(bytes).map((r) => [r.key, [...r.value]])).toEqual([['ab', [9, 8, 7]], ['c', [1]]]);
  });

  it('round-trips TensorProtos records through bytes and through a file', async () => {
    const entries = randomEntries(7, 11);
    const back = readTensorDB(writeTensorDB(entries));
    const plain = (es: TensorDBEntry[]) => es.map((e) => [e.key, e.tensors.map((t) => [t.shape, t.dtype, t.dataType ?? (t.dtype === 'float32' ? 1 : 2), [...t.data]])]);
    expect(plain(back)).toEqual(plain(entries));
    const dir = await mkdtemp(join(tmpdir(), 'c2db-'));
    try {
      const path = join(dir, 'train.minidb');
      await writeTensorDBFile(path, entries);
      expect(readMiniDB(new Uint8Array(await readFile(path))).length).toBe(7);
      expect(plain(await readTensorDBFile(path))).toEqual(plain(entries));
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('rejects truncated and malformed files, naming the record and offset', () => {
    const good = writeTensorDB(randomEntries(2, 3));
    expect(() => readMiniDB(good.subarray(0, good.length - 1))).toThrow(/record #1 at byte \d+: key \(8 bytes\) and value \(\d+ bytes\) run past the end/);
    expect(() => readMiniDB(good.subarray(0, 5))).toThrow(/record #0 at byte 0: the file ends inside the two length words/);
    expect(() => readMiniDB(Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 0, 7))).toThrow(/key length 0 and value length 1 must both be positive/);
    expect(() => writeMiniDB([{ key: '', value: Uint8Array.of(1) }])).toThrow(ArgumentError);
    expect(() => readTensorDB(Uint8Array.from(minidbRecord('k', [0x0a, 0x05, 0x08])))).toThrow(/record "k": .*malformed TensorProtos/);
  });

  it('names the supported db_types', () => {
    expect(() => readTensorDB(new Uint8Array(0), 'leveldb')).toThrow(/db_type "leveldb" is not supported; supported: minidb, lmdb/);
  });

  it('refuses records whose layouts differ', () => {
    const entries = randomEntries(3, 5);
    entries[2]!.tensors[0] = { ...entries[2]!.tensors[0]!, shape: [3, 5], data: entries[2]!.tensors[0]!.data };
    expect(() => contentsOf(entries, 'X')).toThrow(/X: record #2 \("00000002"\): tensor #0 has shape \[3,5\], but the first record's has \[1,3,5\]/);
  });
});

/** LMDB 0.9's own tools (Debian's lmdb-utils, installed by .ci/run): the independent reader and writer. */
const hasLmdbTools = spawnSync('mdb_dump', ['-V'], { encoding: 'utf8' }).status === 0;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Records with keys out of order and values of every size class: tiny, a page's worth, several overflow pages. */
function lmdbRecords(count: number, seed: number): { key: string; value: Uint8Array }[] {
  const rand = makeRng(seed);
  return Array.from({ length: count }, (_, i) => {
    const size = i % 97 === 5 ? 9000 + Math.floor(rand() * 3000) : i % 13 === 0 ? 1 : 700 + Math.floor(rand() * 200);
    return { key: String((i * 7919) % count).padStart(8, '0'), value: Uint8Array.from({ length: size }, () => Math.floor(rand() * 256)) };
  });
}
const sorted = (rs: { key: string; value: Uint8Array }[]) => [...rs].sort((a, b) => (a.key < b.key ? -1 : 1)).map((r) => [r.key, hex(r.value)]);

describe('lmdb (data.mdb of LMDB 0.9, as Caffe2 links)', () => {
  it('round-trips records in key order through a B-tree of several levels, with overflow values', () => {
    const records = lmdbRecords(1500, 8);
    const back = readLMDB(writeLMDB(records));
    expect(back.map((r) => [r.key, hex(r.value)])).toEqual(sorted(records));
    expect(readLMDB(writeLMDB([]))).toEqual([]);
    expect(() => writeLMDB([{ key: 'a', value: Uint8Array.of(1) }, { key: 'a', value: Uint8Array.of(2) }])).toThrow(/key "a" appears twice/);
  });

  it('rejects what is not an LMDB 0.9 data file', () => {
    expect(() => readLMDB(new Uint8Array(8192))).toThrow(/not an LMDB data file/);
    const bytes = writeLMDB(lmdbRecords(40, 2));
    expect(() => readLMDB(bytes.subarray(0, 3 * 4096))).toThrow(/past the file's 3 pages; truncated file\?/);
    const v2 = bytes.slice();
    new DataView(v2.buffer).setUint32(20, 2, true);
    expect(() => readLMDB(v2)).toThrow(/LMDB data format version 2; only version 1/);
  });

  it.skipIf(!hasLmdbTools)('reads what LMDB\'s mdb_load writes, and LMDB\'s mdb_dump reads what it writes', async () => {
    const records = lmdbRecords(400, 13);
    const dir = await mkdtemp(join(tmpdir(), 'lmdb-'));
    try {
      // mdb_load's input: a header, then key and value lines in hex, each after a space.
      const dump = ['VERSION=3', 'format=bytevalue', 'type=btree', 'mapsize=268435456', 'HEADER=END', ...records.flatMap((r) => [` ${hex(new TextEncoder().encode(r.key))}`, ` ${hex(r.value)}`]), 'DATA=END', ''].join('\n');
      mkdirSync(join(dir, 'theirs'));
      execFileSync('mdb_load', [join(dir, 'theirs')], { input: dump });
      const theirs = readLMDB(new Uint8Array(await readFile(join(dir, 'theirs', 'data.mdb'))));
      expect(theirs.map((r) => [r.key, hex(r.value)])).toEqual(sorted(records));

      mkdirSync(join(dir, 'ours'));
      writeFileSync(join(dir, 'ours', 'data.mdb'), writeLMDB(records));
      const lines = execFileSync('mdb_dump', [join(dir, 'ours')], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n');
      const data = lines.slice(lines.indexOf('HEADER=END') + 1, lines.indexOf('DATA=END')).map((l) => l.trim());
      const pairs = Array.from({ length: data.length / 2 }, (_, i) => [Buffer.from(data[2 * i]!, 'hex').toString(), data[2 * i + 1]!]);
      expect(pairs).toEqual(sorted(records));
      // And the TensorProtos layer on top, through an LMDB directory as Caffe2 keeps one.
      const entries = randomEntries(9, 21);
      await writeTensorDBFile(join(dir, 'tp-lmdb'), entries, 'lmdb');
      expect(existsSync(join(dir, 'tp-lmdb', 'data.mdb'))).toBe(true);
      expect(execFileSync('mdb_stat', [join(dir, 'tp-lmdb')], { encoding: 'utf8' })).toMatch(/Entries: 9/);
      expect((await readTensorDBFile(join(dir, 'tp-lmdb'), 'lmdb')).map((e) => [e.key, [...e.tensors[0]!.data]])).toEqual(entries.map((e) => [e.key, [...e.tensors[0]!.data]]));
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
