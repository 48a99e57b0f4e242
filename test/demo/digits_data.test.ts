/** The Digits page's data path without a browser: the shipped csv.gz, the split, the minidb, the pad's 8×8 reduction. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { proto } from '../../src/index.js';
import { HELD_OUT, PIXELS, parseDigitsCsv, split, toFloat, toMinidb } from '../../demo/digits/data.js';
import { blockCounts, fitBox } from '../../demo/digits/pad.js';

const csv = gunzipSync(readFileSync(new URL('../../demo/digits/data/digits.csv.gz', import.meta.url))).toString('utf8');

describe('digits data', () => {
  const set = parseDigitsCsv(csv);

  it('holds 1,797 images of intensities 0–16 and every digit about 180 times', () => {
    expect(set.count).toBe(1797);
    expect(Math.max(...set.pixels)).toBe(16);
    const perDigit = Array.from({ length: 10 }, (_, d) => set.labels.filter((l) => l === d).length);
    for (const n of perDigit) expect(n).toBeGreaterThan(170);
    // scikit-learn's first image is a 0.
    expect(set.labels[0]).toBe(0);
    expect(Array.from(set.pixels.subarray(0, 8))).toEqual([0, 0, 5, 13, 9, 1, 0, 0]);
  });

  it('holds out the last 297 rows', () => {
    const { train, test } = split(set);
    expect([train.count, test.count]).toEqual([1797 - HELD_OUT, HELD_OUT]);
    expect(Array.from(test.pixels.subarray(0, PIXELS))).toEqual(Array.from(set.pixels.subarray(1500 * PIXELS, 1501 * PIXELS)));
    expect(test.labels[HELD_OUT - 1]).toBe(set.labels[1796]);
  });

  it('writes a minidb of Caffe2 records that reads back as uint8 [1, 8, 8] images and int32 labels', () => {
    const rows = split(set).train;
    const entries = proto.readTensorDB(toMinidb({ count: 3, pixels: rows.pixels.slice(0, 3 * PIXELS), labels: rows.labels.slice(0, 3) }), 'minidb');
    expect(entries.map((e) => e.key)).toEqual(['00000000', '00000001', '00000002']);
    entries.forEach((e, i) => {
      const [image, label] = e.tensors;
      expect(image!.shape).toEqual([1, 8, 8]);
      expect(Array.from(image!.data)).toEqual(Array.from(rows.pixels.subarray(i * PIXELS, (i + 1) * PIXELS)));
      expect(Array.from(label!.data)).toEqual([rows.labels[i]]);
    });
  });

  it('scales intensities to [0, 1]', () => {
    expect(Array.from(toFloat([0, 8, 16]))).toEqual([0, 0.5, 1]);
  });

  it('rejects a malformed row with its row number', () => {
    expect(() => parseDigitsCsv(`${'0,'.repeat(64)}3\n${'0,'.repeat(63)}17,3\n`)).toThrow(/row 2/);
    expect(() => parseDigitsCsv('1,2,3\n')).toThrow(/row 1/);
  });
});

describe('drawing pad reduction', () => {
  it('counts the on bits of each 4×4 block of a 32×32 bitmap', () => {
    const bitmap = new Uint8Array(32 * 32);
    // A full block at (row 0, col 0), half of the block at (row 7, col 7), one bit at (row 2, col 5).
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) bitmap[y * 32 + x] = 1;
    for (let y = 28; y < 30; y++) for (let x = 28; x < 32; x++) bitmap[y * 32 + x] = 1;
    bitmap[9 * 32 + 22] = 1;
    const counts = blockCounts(bitmap);
    expect(counts[0]).toBe(16);
    expect(counts[63]).toBe(8);
    expect(counts[2 * 8 + 5]).toBe(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(25);
  });

  it('fits a bounding box into 32×32, keeping its aspect and centring it', () => {
    expect(fitBox(100, 200)).toEqual({ x: 8, y: 0, w: 16, h: 32 });
    expect(fitBox(64, 32)).toEqual({ x: 0, y: 8, w: 32, h: 16 });
  });
});
