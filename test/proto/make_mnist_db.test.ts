import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataType, core, workspace } from '../../src/index.js';
import { readTensorDB } from '../../src/proto/db.js';
import { readTensorDBFile } from '../../src/proto/db_node.js';
import { makeMnistDbCommand } from '../../src/proto/make_mnist_db_command.js';
import { makeRng, useGpu } from '../helpers/gpu.js';

useGpu();

/** An IDX file written here from the format: 0, 0, type 0x08, rank, big-endian dims, bytes. */
function idx(dims: number[], data: Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  head.set([0, 0, 0x08, dims.length]);
  const view = new DataView(head.buffer);
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  return Uint8Array.from([...head, ...data]);
}

const COUNT = 5;
const [ROWS, COLS] = [4, 3];
const rand = makeRng(99);
const pixels = Uint8Array.from({ length: COUNT * ROWS * COLS }, () => Math.floor(rand() * 256));
const labels = Uint8Array.from({ length: COUNT }, () => Math.floor(rand() * 10));
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mnistdb-'));
  writeFileSync(join(dir, 'images'), idx([COUNT, ROWS, COLS], pixels));
  writeFileSync(join(dir, 'labels.gz'), gzipSync(idx([COUNT], labels)));
});
afterAll(() => rmSync(dir, { recursive: true }));

const quiet = { stdout: () => {} };
const image = (i: number): number[] => [...pixels.subarray(i * ROWS * COLS, (i + 1) * ROWS * COLS)];

describe('make_mnist_db', () => {
  it('writes Caffe2\'s records: keys %08d, BYTE images [1,rows,cols] with --channel_first, INT32 labels', async () => {
    const out = join(dir, 'nchw.minidb');
    const args = ['--image_file', join(dir, 'images'), '--label_file', join(dir, 'labels.gz'), '--output_file', out, '--db', 'minidb', '--channel_first'];
    expect(await makeMnistDbCommand(args, quiet)).toBe(COUNT);
    const entries = readTensorDB(new Uint8Array(readFileSync(out)), 'minidb');
    expect(entries.map((e) => e.key)).toEqual(['00000000', '00000001', '00000002', '00000003', '00000004']);
    entries.forEach((e, i) => {
      const [img, label] = e.tensors;
      expect([img!.shape, img!.dataType, [...img!.data]]).toEqual([[1, ROWS, COLS], DataType.BYTE, image(i)]);
      expect([label!.shape, label!.dataType, [...label!.data]]).toEqual([[], DataType.INT32, [labels[i]]]);
    });
  });

  it('writes [rows,cols,1] without --channel_first, and honours --data_limit and --flag=value', async () => {
    const out = join(dir, 'nhwc.minidb');
    await makeMnistDbCommand([`--image_file=${join(dir, 'images')}`, `--label_file=${join(dir, 'labels.gz')}`, `--output_file=${out}`, '--data_limit=2'], quiet);
    const entries = readTensorDB(new Uint8Array(readFileSync(out)));
    expect(entries.map((e) => e.tensors[0]!.shape)).toEqual([[ROWS, COLS, 1], [ROWS, COLS, 1]]);
    expect([...entries[1]!.tensors[0]!.data]).toEqual(image(1));
  });

  it('writes an LMDB directory with --db lmdb', async () => {
    const out = join(dir, 'mnist-lmdb');
    await makeMnistDbCommand(['--image_file', join(dir, 'images'), '--label_file', join(dir, 'labels.gz'), '--output_file', out, '--db', 'lmdb', '--channel_first'], quiet);
    const entries = await readTensorDBFile(out, 'lmdb');
    expect(entries.map((e) => [e.key, e.tensors[0]!.shape, [...e.tensors[0]!.data], [...e.tensors[1]!.data]])).toEqual(
      Array.from({ length: COUNT }, (_, i) => [String(i).padStart(8, '0'), [1, ROWS, COLS], image(i), [labels[i]]]),
    );
  });

  it('says what is wrong with its arguments and files', async () => {
    const base = ['--image_file', join(dir, 'images'), '--label_file', join(dir, 'labels.gz'), '--output_file', join(dir, 'x')];
    await expect(makeMnistDbCommand(base.slice(2), quiet)).rejects.toThrow(/--image_file is required/);
    await expect(makeMnistDbCommand([...base, '--db', 'leveldb'], quiet)).rejects.toThrow(/--db leveldb is not supported; use minidb or lmdb/);
    await expect(makeMnistDbCommand([...base, '--colour'], quiet)).rejects.toThrow(/unknown option --colour/);
    await expect(makeMnistDbCommand(['--image_file', join(dir, 'labels.gz'), ...base.slice(2)], quiet)).rejects.toThrow(/the image file has dims \[5\], expected \[count, rows, cols\]/);
    writeFileSync(join(dir, 'short'), idx([COUNT, ROWS, COLS], pixels.subarray(0, 7)));
    await expect(makeMnistDbCommand(['--image_file', join(dir, 'short'), ...base.slice(2)], quiet)).rejects.toThrow(/hold 60 bytes, but only 7 follow the header/);
    writeFileSync(join(dir, 'more'), idx([COUNT + 1], Uint8Array.of(1, 2, 3, 4, 5, 6)));
    await expect(makeMnistDbCommand([...base.slice(0, 2), '--label_file', join(dir, 'more'), ...base.slice(4)], quiet)).rejects.toThrow(/5 images but 6 labels/);
  });

  it('runs as the package bin (cli.ts → make_mnist_db)', () => {
    const root = resolve(import.meta.dirname, '../..');
    const tsx = join(root, 'node_modules/.bin/tsx');
    const out = join(dir, 'bin.minidb');
    const ok = spawnSync(tsx, [join(root, 'src/cli.ts'), 'make_mnist_db', '--image_file', join(dir, 'images'), '--label_file', join(dir, 'labels.gz'), '--output_file', out], { encoding: 'utf8' });
    expect([ok.status, ok.stderr]).toEqual([0, '']);
    expect(ok.stdout).toBe(`wrote ${COUNT} records to ${out} (minidb)\n`);
    expect(readTensorDB(new Uint8Array(readFileSync(out))).length).toBe(COUNT);
    const bad = spawnSync(tsx, [join(root, 'src/cli.ts'), 'make_mnist_db', '--image_file', join(dir, 'nope')], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^caffe2-webgpu make_mnist_db: --label_file is required/);
  });

  // CI installs Debian's dataset-fashion-mnist (.ci/run); the same IDX format and sizes as MNIST.
  const FASHION = '/usr/share/datasets/fashion-mnist';
  it.skipIf(!existsSync(FASHION))('makes a Fashion-MNIST DB that TensorProtosDBInput reads back batch by batch', async () => {
    const out = join(dir, 'fashion-test-nchw-lmdb');
    await makeMnistDbCommand(['--image_file', `${FASHION}/t10k-images-idx3-ubyte.gz`, '--label_file', `${FASHION}/t10k-labels-idx1-ubyte.gz`,
      '--output_file', out, '--channel_first', '--data_limit', '12', '--db', 'lmdb'], quiet);
    const rawImages = gunzipSync(readFileSync(`${FASHION}/t10k-images-idx3-ubyte.gz`)).subarray(16, 16 + 12 * 784);
    const rawLabels = gunzipSync(readFileSync(`${FASHION}/t10k-labels-idx1-ubyte.gz`)).subarray(8, 8 + 12);
    const net = core.Net('fashion_input');
    net.TensorProtosDBInput([], ['data_uint8', 'label'], { batch_size: 5, db: out, db_type: 'lmdb' });
    net.Cast('data_uint8', 'data', { to: core.DataType.FLOAT });
    await workspace.CreateNet(net);
    const hist = await workspace.RunNetWithHistory('fashion_input', 3, ['data', 'label']);
    expect(hist.data!.shape).toEqual([3, 5, 1, 28, 28]);
    const records = Array.from({ length: 15 }, (_, i) => i % 12);
    expect([...hist.data!.data]).toEqual(records.flatMap((r) => [...rawImages.subarray(r * 784, (r + 1) * 784)]));
    expect([...hist.label!.data]).toEqual(records.map((r) => rawLabels[r]));
  });
});
