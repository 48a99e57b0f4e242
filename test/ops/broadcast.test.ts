import { describe, expect, it } from 'vitest';
import {
  coalesce,
  contiguousStrides,
  isFailure,
  legacyBroadcast,
  numpyBroadcast,
  splitReduction,
  type BroadcastResult,
} from '../../src/ops/broadcast.js';

const ok = (r: BroadcastResult) => {
  if (isFailure(r)) throw new Error(`unexpected failure: ${r.error}`);
  return r;
};
const err = (r: BroadcastResult) => (isFailure(r) ? r.error : 'no error');

describe('contiguousStrides', () => {
  it('is row-major', () => {
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(contiguousStrides([])).toEqual([]);
  });
});

describe('numpyBroadcast', () => {
  it('keeps identical shapes', () => {
    expect(ok(numpyBroadcast([2, 3], [2, 3]))).toEqual({ shape: [2, 3], strides: [[3, 1], [3, 1]] });
  });

  it('right-aligns a shorter B', () => {
    expect(ok(numpyBroadcast([2, 3], [3]))).toEqual({ shape: [2, 3], strides: [[3, 1], [0, 1]] });
  });

  it('right-aligns a shorter A', () => {
    expect(ok(numpyBroadcast([3], [2, 3]))).toEqual({ shape: [2, 3], strides: [[0, 1], [3, 1]] });
  });

  it('broadcasts in both directions at once', () => {
    expect(ok(numpyBroadcast([2, 1, 4], [3, 1]))).toEqual({ shape: [2, 3, 4], strides: [[4, 0, 1], [0, 1, 0]] });
  });

  it('treats [1] and 0-d as scalars', () => {
    expect(ok(numpyBroadcast([2, 3], [1]))).toEqual({ shape: [2, 3], strides: [[3, 1], [0, 0]] });
    expect(ok(numpyBroadcast([], [2, 3]))).toEqual({ shape: [2, 3], strides: [[0, 0], [3, 1]] });
    expect(ok(numpyBroadcast([], []))).toEqual({ shape: [], strides: [[], []] });
  });

  it('keeps a 0 dim paired with 1', () => {
    expect(ok(numpyBroadcast([0, 3], [1, 3])).shape).toEqual([0, 3]);
  });

  it('names the first mismatching axis from the right', () => {
    expect(err(numpyBroadcast([2, 3], [4]))).toBe('dims 3 and 4 differ at axis -1');
    expect(err(numpyBroadcast([5, 2, 3], [4, 3]))).toBe('dims 2 and 4 differ at axis -2');
  });
});

describe('legacyBroadcast', () => {
  it('aligns B as a suffix of A by default', () => {
    const r = ok(legacyBroadcast([2, 3, 4, 5], [4, 5], null));
    expect(r.shape).toEqual([2, 3, 4, 5]);
    expect(r.strides).toEqual([[60, 20, 5, 1], [0, 0, 5, 1]]);
  });

  it('aligns B at an explicit axis', () => {
    expect(ok(legacyBroadcast([2, 3, 4, 5], [3, 4], 1)).strides[1]).toEqual([0, 4, 1, 0]);
    expect(ok(legacyBroadcast([2, 3, 4, 5], [2], 0)).strides[1]).toEqual([1, 0, 0, 0]);
  });

  it('strips B\'s leading and trailing 1-dims, aligning by the unstripped rank', () => {
    // Suffix axis = 4 - 3 = 1; the leading 1 moves B's 3 to A's axis 1 + 1 = 2.
    expect(err(legacyBroadcast([2, 3, 4, 5], [1, 3, 1], null))).toMatch(/\[3\] must equal A's dims \[4\] from axis 2/);
    expect(ok(legacyBroadcast([2, 3, 4, 5], [1, 4, 1], null)).strides[1]).toEqual([0, 0, 1, 0]);
    expect(ok(legacyBroadcast([2, 3, 4, 5], [1, 3, 1], 0)).strides[1]).toEqual([0, 1, 0, 0]);
  });

  it('treats a one-element B as a scalar whatever its rank', () => {
    expect(ok(legacyBroadcast([2, 3], [1, 1, 1], null))).toEqual({ shape: [2, 3], strides: [[3, 1], [0, 0]] });
    expect(ok(legacyBroadcast([2, 3], [], null)).strides[1]).toEqual([0, 0]);
  });

  it('rejects an axis outside [0, A.ndim - B.ndim]', () => {
    expect(err(legacyBroadcast([2, 3, 4], [3, 4], 2))).toBe('axis=2 is out of range: it must lie in [0, 1] (A.ndim - B.ndim)');
    expect(err(legacyBroadcast([2, 3, 4], [3, 4], -2))).toMatch(/axis=-2 is out of range/);
  });

  it('rejects B with more dims than A, and mismatching dims', () => {
    expect(err(legacyBroadcast([3], [2, 3], null))).toBe('B has more dims than A (2 > 1)');
    expect(err(legacyBroadcast([2, 3, 4], [3], null))).toBe("B's dims [3] must equal A's dims [4] from axis 2, but 3 != 4 at axis 2");
  });

  it('does not broadcast A', () => {
    expect(err(legacyBroadcast([1, 3], [2, 3], null))).toMatch(/2 != 1 at axis 0/);
  });
});

describe('coalesce', () => {
  it('merges dims every operand walks contiguously and drops 1s', () => {
    const r = ok(numpyBroadcast([2, 3, 4], [2, 3, 4]));
    expect(coalesce(r.shape, r.strides)).toEqual({ shape: [24], strides: [[1], [1]] });
  });

  it('keeps broadcast boundaries', () => {
    const r = ok(legacyBroadcast([2, 3, 4, 5], [3, 4], 1));
    expect(coalesce(r.shape, r.strides)).toEqual({ shape: [2, 12, 5], strides: [[60, 5, 1], [0, 1, 0]] });
    const s = ok(numpyBroadcast([2, 1, 4], [1, 3, 1]));
    expect(coalesce(s.shape, s.strides)).toEqual({ shape: [2, 3, 4], strides: [[4, 0, 1], [0, 1, 0]] });
  });

  it('gives rank 0 for a one-element walk', () => {
    expect(coalesce([1, 1], [[0, 0], [1, 1]])).toEqual({ shape: [], strides: [[], []] });
  });

  it('merges adjacent broadcast dims of one operand', () => {
    const r = ok(numpyBroadcast([2, 3, 4], [4]));
    expect(coalesce(r.shape, r.strides)).toEqual({ shape: [6, 4], strides: [[4, 1], [0, 1]] });
  });

  it('leaves zero-size walks alone', () => {
    expect(coalesce([0, 3], [[3, 1], [0, 1]])).toEqual({ shape: [0, 3], strides: [[3, 1], [0, 1]] });
  });
});

describe('splitReduction', () => {
  it('splits on the target operand\'s broadcast dims', () => {
    const r = ok(legacyBroadcast([2, 3, 4, 5], [3, 4], 1));
    const walk = coalesce(r.shape, [contiguousStrides(r.shape), ...r.strides]);
    const { keep, reduce } = splitReduction(walk, 2);
    expect(keep).toEqual({ shape: [12], strides: [[5], [5], [1]] });
    expect(reduce).toEqual({ shape: [2, 5], strides: [[60, 1], [60, 1], [0, 0]] });
  });

  it('keeps everything for an input that is not broadcast', () => {
    const r = ok(numpyBroadcast([2, 3], [3]));
    const walk = coalesce(r.shape, r.strides);
    const { keep, reduce } = splitReduction(walk, 0);
    expect(keep.shape).toEqual([2, 3]);
    expect(reduce.shape).toEqual([]);
  });
});
