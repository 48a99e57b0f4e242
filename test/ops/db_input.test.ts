import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgumentError, DataType, LimitError, ShapeError, core, workspace } from '../../src/index.js';
import { writeTensorDB, type TensorDBEntry } from '../../src/proto/db.js';
import { shuffleHalfBits, shuffleRecord } from '../../src/ops/db_shuffle.js';
import { makeRng, useGpu } from '../helpers/gpu.js';

useGpu();

const COUNT = 7;
const PIXELS = 15; // [1,3,5]: odd, so a record's bytes straddle the packed words

/** Records with random uint8 images, int32 labels and a float32 pair, as the test's reference. */
function makeEntries(seed: number): TensorDBEntry[] {
  const rand = makeRng(seed);
  return Array.from({ length: COUNT }, (_, r) => ({
    key: String(r).padStart(8, '0'),
    tensors: [
      { name: '', shape: [1, 3, 5], dtype: 'int32', data: Int32Array.from({ length: PIXELS }, () => Math.floor(rand() * 256)), dataType: DataType.BYTE },
      { name: '', shape: [], dtype: 'int32', data: Int32Array.of(Math.floor(rand() * 2000) - 1000) },
      { name: '', shape: [2], dtype: 'float32', data: Float32Array.from({ length: 2 }, () => rand() * 10 - 5) },
    ],
  }));
}

/** Field k of records `order[...]`, concatenated: what a batch must hold. */
const expected = (entries: TensorDBEntry[], k: number, records: number[]): number[] => records.flatMap((r) => [...entries[r]!.tensors[k]!.data]);

function inputNet(name: string, db: string, batch: number, extra: Record<string, number> = {}) {
  const net = core.Net(name);
  net.TensorProtosDBInput([], ['data', 'label', 'pair'], { batch_size: batch, db, db_type: 'minidb', ...extra });
  return net;
}

describe('TensorProtosDBInput', () => {
  const entries = makeEntries(2024);
  workspace.RegisterDB('db_input_test', writeTensorDB(entries));

  it('gives the DB\'s records in order, batch after batch across epochs, with one submit and one readback', async () => {
    const net = inputNet('dbi_order', 'db_input_test', 3);
    await workspace.CreateNet(net);
    const before = await workspace.Stats();
    const iters = 6; // 18 records: more than two passes over 7
    const hist = await workspace.RunNetWithHistory('dbi_order', iters, ['data', 'label', 'pair']);
    const after = await workspace.Stats();
    // The iterations' submit and the readback's copy: nothing per iteration.
    expect(after.submits - before.submits).toBe(2);
    expect(after.mapAsyncs - before.mapAsyncs).toBe(1);
    expect(hist.data!.shape).toEqual([iters, 3, 1, 3, 5]);
    expect(hist.data!.dtype).toBe('uint8');
    expect(hist.label!.shape).toEqual([iters, 3]);
    const records = Array.from({ length: iters * 3 }, (_, i) => i % COUNT);
    expect([...hist.data!.data]).toEqual(expected(entries, 0, records));
    expect([...hist.label!.data]).toEqual(expected(entries, 1, records));
    expect([...hist.pair!.data]).toEqual(expected(entries, 2, records));
  });

  it('runs RunNet(n) on the GPU alone: no readback, one submit, and the cursor carries on', async () => {
    const net = inputNet('dbi_run', 'db_input_test', 4);
    await workspace.CreateNet(net);
    await workspace.RunNet('dbi_run', 1);
    const before = await workspace.Stats();
    await workspace.RunNet('dbi_run', 5);
    const after = await workspace.Stats();
    expect(after.submits - before.submits).toBe(1);
    expect(after.mapAsyncs - before.mapAsyncs).toBe(0);
    expect(after.plans - before.plans).toBe(0);
    expect(after.createdBuffers - before.createdBuffers).toBe(0);
    // Iteration 6 reads records 20..23, i.e. 6, 0, 1, 2.
    const [data, label] = await workspace.FetchBlobs(['data', 'label']);
    expect(data!.shape).toEqual([4, 1, 3, 5]);
    expect([...data!.data]).toEqual(expected(entries, 0, [6, 0, 1, 2]));
    expect([...label!.data]).toEqual(expected(entries, 1, [6, 0, 1, 2]));
  });

  it('starts a new plan at the first record, even on a pooled buffer that held an old cursor', async () => {
    for (let round = 0; round < 2; round++) {
      const net = inputNet('dbi_again', 'db_input_test', 2);
      await workspace.CreateNet(net);
      await workspace.RunNet(net, 1);
      expect([...(await workspace.FetchBlob('label')).data]).toEqual(expected(entries, 1, [0, 1]));
      await workspace.RunNet(net, 2); // leaves the cursor at 6 when the plan goes back to the pool
      await workspace.DeleteNet(net.Name());
    }
  });

  it('feeds the tutorial\'s Cast of uint8 images to float', async () => {
    const net = inputNet('dbi_cast', 'db_input_test', 2);
    net.Cast('data', 'data_f', { to: core.DataType.FLOAT });
    await workspace.CreateNet(net);
    await workspace.RunNet('dbi_cast', 4);
    const f = await workspace.FetchBlob('data_f');
    expect([...f.data]).toEqual(expected(entries, 0, [6, 0]));
  });

  it('opens a DB file by path in Node', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbi-'));
    try {
      const path = join(dir, 'mnist-train-nchw-minidb');
      await writeFile(path, writeTensorDB(entries));
      await workspace.RunNetOnce(inputNet('dbi_file', path, 5));
      expect([...(await workspace.FetchBlob('label')).data]).toEqual(expected(entries, 1, [0, 1, 2, 3, 4]));
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('reads registered LMDB bytes (data.mdb) in key order', async () => {
    workspace.RegisterDB('db_input_lmdb', writeTensorDB([...entries].reverse(), 'lmdb'), 'lmdb');
    const net = core.Net('dbi_lmdb_ok');
    net.TensorProtosDBInput([], ['data', 'label', 'pair'], { batch_size: 3, db: 'db_input_lmdb', db_type: 'lmdb' });
    await workspace.RunNetOnce(net);
    expect([...(await workspace.FetchBlob('pair')).data]).toEqual(expected(entries, 2, [0, 1, 2]));
  });

  it('shuffles each epoch into its own seeded permutation, the same for the same seed', async () => {
    const epochs = async (seed: number): Promise<number[][]> => {
      const net = inputNet(`dbi_shuffle_${seed}`, 'db_input_test', COUNT, { shuffle: 1, seed });
      await workspace.CreateNet(net);
      const hist = await workspace.RunNetWithHistory(net.Name(), 3, ['label']);
      return [0, 1, 2].map((e) => [...hist.label!.data.subarray(e * COUNT, (e + 1) * COUNT)]);
    };
    const labels = entries.map((e) => e.tensors[1]!.data[0]!);
    const sorted = (xs: number[]) => [...xs].sort((x, y) => x - y);
    const a = await epochs(5);
    for (const epoch of a) expect(sorted(epoch)).toEqual(sorted(labels));
    expect(a[0]).not.toEqual(labels);
    expect(a[1]).not.toEqual(a[0]);
    expect(a[2]).not.toEqual(a[1]);
    expect(await epochs(5)).toEqual(a);
    expect((await epochs(6))[0]).not.toEqual(a[0]);
  });

  it('streams a DB over max_gpu_bytes in windows of whole batches, one submit per window, same records as kept whole', async () => {
    // 27 bytes a record (15 image bytes, label, 2 floats): 130 bytes hold 2 batches of 2.
    const net = inputNet('dbi_stream', 'db_input_test', 2, { max_gpu_bytes: 130 });
    await workspace.CreateNet(net);
    const before = await workspace.Stats();
    await workspace.RunNet('dbi_stream', 5);
    const after = await workspace.Stats();
    expect(after.submits - before.submits).toBe(3);
    expect(after.mapAsyncs - before.mapAsyncs).toBe(0);
    const [data, label, pair] = await workspace.FetchBlobs(['data', 'label', 'pair']);
    expect([...data!.data]).toEqual(expected(entries, 0, [1, 2])); // iteration 5 reads positions 8, 9
    expect([...label!.data]).toEqual(expected(entries, 1, [1, 2]));
    expect([...pair!.data]).toEqual(expected(entries, 2, [1, 2]));
    // History fits within a window, not across one (one submit cannot span an upload).
    await expect(workspace.RunNetWithHistory('dbi_stream', 3, ['label'])).rejects.toThrow(/only 1 more iterations fit the current window/);
    const hist = await workspace.RunNetWithHistory('dbi_stream', 1, ['label']);
    expect([...hist.label!.data]).toEqual(expected(entries, 1, [3, 4]));
  });

  it('reads on where it was when the net is planned again (a blob it binds changed shape), kept whole or streamed', async () => {
    for (const extra of [{}, { max_gpu_bytes: 130 }] as Record<string, number>[]) {
      const net = inputNet('dbi_replan', 'db_input_test', 2, extra);
      net.Copy('dbi_side', 'dbi_side_copy');
      await workspace.FeedBlob('dbi_side', Float32Array.of(1, 2));
      await workspace.CreateNet(net);
      await workspace.RunNet(net, 3);
      await workspace.FeedBlob('dbi_side', Float32Array.of(1, 2, 3));
      const before = await workspace.Stats();
      await workspace.RunNet(net, 1); // iteration 4: positions 6, 7
      expect((await workspace.Stats()).plans - before.plans).toBe(1);
      expect([...(await workspace.FetchBlob('label')).data]).toEqual(expected(entries, 1, [6, 0]));
      await workspace.RunNet(net, 1);
      expect([...(await workspace.FetchBlob('label')).data]).toEqual(expected(entries, 1, [1, 2]));
    }
  });

  it('streams a shuffled DB in the same seeded order as kept whole', async () => {
    const whole = inputNet('dbi_sh_whole', 'db_input_test', 1, { shuffle: 1, seed: 9 });
    const streamed = inputNet('dbi_sh_stream', 'db_input_test', 1, { shuffle: 1, seed: 9, max_gpu_bytes: 70 });
    const labels = async (net: ReturnType<typeof inputNet>, windows: number, per: number): Promise<number[]> => {
      await workspace.CreateNet(net);
      const out: number[] = [];
      for (let w = 0; w < windows; w++) out.push(...(await workspace.RunNetWithHistory(net.Name(), per, ['label'])).label!.data);
      return out;
    };
    expect(await labels(streamed, 7, 2)).toEqual(await labels(whole, 1, 14));
  });

  it('shuffles by a bijection of the records for any count (host form of the kernel\'s permutation)', () => {
    for (const count of [1, 2, 3, 7, 16, 17, 1000, 4099]) {
      const half = shuffleHalfBits(count);
      expect(4 ** half).toBeGreaterThanOrEqual(count);
      for (const [epoch, seed] of [[0, 0], [1, 0], [3, 2 ** 32 - 1]] as const) {
        const seen = new Set(Array.from({ length: count }, (_, i) => shuffleRecord(i, epoch, count, half, seed)));
        expect(seen.size).toBe(count);
        expect(Math.max(...seen)).toBe(count - 1);
      }
    }
  });

  it('batch_size 0 gives one record as it is', async () => {
    await workspace.RunNetOnce(inputNet('dbi_one', 'db_input_test', 0));
    const [data, label] = await workspace.FetchBlobs(['data', 'label']);
    expect(data!.shape).toEqual([1, 3, 5]);
    expect(label!.shape).toEqual([]);
    expect([...data!.data]).toEqual(expected(entries, 0, [0]));
  });

  it('rejects a missing DB, a wrong output count and a missing argument before any GPU work', async () => {
    const missing = inputNet('dbi_missing', 'no_such_db', 2);
    await expect(workspace.CreateNet(missing)).rejects.toThrow(/TensorProtosDBInput \(op #0 in net "dbi_missing"\): DB "no_such_db" is neither registered \(workspace.RegisterDB\) nor a file; registered: .*db_input_test/);
    const two = core.Net('dbi_two');
    two.TensorProtosDBInput([], ['data', 'label'], { batch_size: 2, db: 'db_input_test', db_type: 'minidb' });
    await expect(workspace.CreateNet(two)).rejects.toThrow(/holds 3 tensors per record, but the op has 2 outputs/);
    const noType = core.Net('dbi_notype');
    noType.TensorProtosDBInput([], ['data', 'label', 'pair'], { batch_size: 2, db: 'db_input_test' });
    await expect(workspace.CreateNet(noType)).rejects.toThrow(ArgumentError);
    const lmdb = core.Net('dbi_lmdb');
    lmdb.TensorProtosDBInput([], ['data', 'label', 'pair'], { batch_size: 2, db: 'db_input_test', db_type: 'lmdb' });
    await expect(workspace.CreateNet(lmdb)).rejects.toThrow(/DB "db_input_test" was registered as minidb, but db_type is lmdb/);
  });

  it('refuses a DB larger than what may be bound, with a LimitError before any upload', async () => {
    workspace.SetLimits({ maxBlobBytes: 64 });
    try {
      const err = await workspace.CreateNet(inputNet('dbi_big', 'db_input_test', 1)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LimitError);
      expect(String(err)).toMatch(
        /TensorProtosDBInput \(op #0 in net "dbi_big"\): "db_input.wgsl constant DATA" needs 108 B \(108 bytes\), over the cap set with workspace.SetLimits/,
      );
    } finally {
      workspace.SetLimits({ maxBlobBytes: Infinity });
    }
  });

  it('rejects a DB whose records disagree in shape', async () => {
    const bad = makeEntries(7);
    bad[4]!.tensors[2] = { name: '', shape: [3], dtype: 'float32', data: Float32Array.of(1, 2, 3) };
    workspace.RegisterDB('db_input_bad', writeTensorDB(bad));
    await expect(workspace.CreateNet(inputNet('dbi_bad', 'db_input_bad', 2))).rejects.toThrow(ShapeError);
  });
});
