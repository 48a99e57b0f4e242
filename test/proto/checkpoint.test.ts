import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { workspace, ArgumentError, ShapeError, type Tensor } from '../../src/index.js';
import { buildToyRegression } from '../../src/models/toy_regression.js';
import { decodeTensorProtos, encodeTensorProtos } from '../../src/proto/codec.js';
import { RNG_STATE_ENTRY, loadCheckpoint, saveCheckpoint } from '../../src/proto/checkpoint.js';
import { loadCheckpointFile, saveCheckpointFile } from '../../src/proto/checkpoint_node.js';
import { CAFFE2_PROTO } from '../../src/proto/caffe2.proto.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

const RawTensorProtos = protobuf.parse(CAFFE2_PROTO, { keepCase: true }).root.lookupType('caffe2.TensorProtos');

/** The raw 32-bit patterns of a tensor, so comparisons are bitwise (NaN, -0 included). */
const bits = (t: Tensor): number[] => [...new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length)];

describe('checkpoints', () => {
  it('round-trips float32 and int32 blobs GPU → bytes → GPU, and through a file', async () => {
    workspace.ResetWorkspace();
    const f = Float32Array.of(1.5, -0, 3.25e-30, -7, 1e30, 0.1);
    const i = Int32Array.of(-(2 ** 31), 2 ** 31 - 1, 0, 42);
    await workspace.FeedBlob('ck_f', f, { shape: [2, 3] });
    await workspace.FeedBlob('ck_i', i, { shape: [4], dtype: 'int32' });
    await workspace.FeedBlob('ck_s', 5);
    const bytes = await saveCheckpoint(['ck_f', 'ck_i', 'ck_s']);
    const entries = decodeTensorProtos(bytes);
    expect(entries.map((e) => e.name)).toEqual(['ck_f', 'ck_i', 'ck_s', RNG_STATE_ENTRY]);

    workspace.ResetWorkspace();
    expect(await loadCheckpoint(bytes)).toEqual(['ck_f', 'ck_i', 'ck_s']);
    const [bf, bi, bs] = await workspace.FetchBlobs(['ck_f', 'ck_i', 'ck_s']);
    expect(bf!.shape).toEqual([2, 3]);
    expect(bits(bf!)).toEqual([...new Uint32Array(f.buffer)]);
    expect(bi!.dtype).toBe('int32');
    expect([...bi!.data]).toEqual([...i]);
    expect(bs!.shape).toEqual([]);
    expect([...bs!.data]).toEqual([5]);

    const dir = await mkdtemp(join(tmpdir(), 'ckpt-'));
    try {
      const file = join(dir, 'all.pb');
      await saveCheckpointFile(file); // every blob
      workspace.ResetWorkspace();
      expect((await loadCheckpointFile(file)).sort()).toEqual(['ck_f', 'ck_i', 'ck_s']);
      expect(bits(await workspace.FetchBlob('ck_f'))).toEqual([...new Uint32Array(f.buffer)]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('checks the whole file before writing any blob', async () => {
    workspace.ResetWorkspace();
    await workspace.FeedBlob('keep', Float32Array.of(1, 2));
    const good = { name: 'keep', shape: [2], dtype: 'float32' as const, data: Float32Array.of(9, 9) };
    // A well-formed file whose second tensor declares 3 values but holds 1.
    const corrupt = RawTensorProtos.encode({
      protos: [
        { name: 'keep', dims: [2], data_type: 1, float_data: [9, 9] },
        { name: 'big', dims: [3], data_type: 2, int32_data: [1] },
      ],
    }).finish();
    await expect(loadCheckpoint(corrupt)).rejects.toThrow(ShapeError);
    await expect(loadCheckpoint(corrupt)).rejects.toThrow(/tensor #1 "big": dims \[3\] hold 3 elements, but int32_data holds 1 values/);
    expect([...(await workspace.FetchBlob('keep')).data]).toEqual([1, 2]);
    expect(workspace.HasBlob('big')).toBe(false);
    await expect(saveCheckpoint(['keep', 'keep'])).rejects.toThrow(/blob "keep" is named twice/);
    await expect(saveCheckpoint(['nope'])).rejects.toThrow(/no blob named "nope"/);
    const twice = encodeTensorProtos([good, good]);
    await expect(loadCheckpoint(twice)).rejects.toThrow(ArgumentError);
  });

  it('resumes training bit for bit: Iter, learning rate, parameters and RNG state', async () => {
    workspace.ResetWorkspace();
    workspace.SetSeed(2024);
    // stepsize 3 so the learning rate changes across the save point: Iter must be restored too.
    const { init, train } = buildToyRegression({ batch: 8, stepsize: 3 });
    await workspace.RunNetOnce(init);
    await workspace.CreateNet(train);
    const watched = ['W', 'B', 'ITER', 'LR', 'X', 'noise', 'loss'];
    await workspace.RunNet(train.Name(), 5);
    const saved = await saveCheckpoint();
    await workspace.RunNet(train.Name(), 4);
    const expected = (await workspace.FetchBlobs(watched)).map(bits);
    expect((await workspace.FetchBlob('ITER')).data[0]).toBe(9);

    // Same workspace, same created net: load and rerun the last 4 iterations.
    await loadCheckpoint(saved);
    expect((await workspace.FetchBlob('ITER')).data[0]).toBe(5);
    await workspace.RunNet(train.Name(), 4);
    expect((await workspace.FetchBlobs(watched)).map(bits)).toEqual(expected);

    // A fresh workspace: load, create the net again, run.
    workspace.ResetWorkspace();
    workspace.SetSeed(1);
    await loadCheckpoint(saved);
    await workspace.CreateNet(train);
    await workspace.RunNet(train.Name(), 4);
    expect((await workspace.FetchBlobs(watched)).map(bits)).toEqual(expected);

    // Without the RNG state the random inputs differ: the reserved entry is what makes it exact.
    await loadCheckpoint(saved, { restoreRng: false });
    await workspace.RunNet(train.Name(), 4);
    expect(bits(await workspace.FetchBlob('X'))).not.toEqual(expected[watched.indexOf('X')]);
  });

  it('rejects a blob that takes the reserved RNG name', async () => {
    workspace.ResetWorkspace();
    await workspace.FeedBlob(RNG_STATE_ENTRY, Float32Array.of(1));
    await expect(saveCheckpoint()).rejects.toThrow(/is reserved for the RNG state/);
    workspace.ResetWorkspace();
    const wrong = encodeTensorProtos([{ name: RNG_STATE_ENTRY, shape: [2], dtype: 'float32', data: Float32Array.of(1, 2) }]);
    await expect(loadCheckpoint(wrong)).rejects.toThrow(/must hold 4 int32 words, got 2 float32 values/);
  });
});
