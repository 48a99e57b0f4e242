import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import type { HostTensor } from '../../src/ops/registry.js';
import {
  checkGradient,
  compareWithReference,
  makeRng,
  maxRelError,
  randomIntTensor,
  randomTensor,
  referenceOf,
  runOp,
  useGpu,
} from '../helpers/gpu.js';

useGpu();
const rng = makeRng(11);

const OPS = ['Add', 'Sub', 'Mul', 'Div'] as const;
const fmt = (shape: readonly number[]): string => `[${shape.join(',')}]`;

/** Inputs for an op: B kept in [0.5, 2) for Div so nothing divides by (nearly) zero. */
function pair(op: string, a: number[], b: number[]): HostTensor[] {
  return [randomTensor(rng, a), op === 'Div' ? randomTensor(rng, b, 0.5, 2) : randomTensor(rng, b)];
}

type Case = [string, number[], number[], Record<string, unknown>];

const SAME: Case[] = [
  ['size 1', [1], [1], {}],
  ['size 65', [65], [65], {}],
  ['0-d', [], [], {}],
  ['[2,3]', [2, 3], [2, 3], {}],
];
const NUMPY: Case[] = [
  ['[2,3] with [3]', [2, 3], [3], {}],
  ['[3] with [2,3] (A broadcast)', [3], [2, 3], {}],
  ['[2,1,4] with [3,1] (both ways)', [2, 1, 4], [3, 1], {}],
  ['[2,3] with scalar [1]', [2, 3], [1], {}],
  ['[2,3] with 0-d', [2, 3], [], {}],
  ['0-d with [65]', [], [65], {}],
  ['broadcast=0 given explicitly', [4, 3], [4, 1], { broadcast: 0 }],
  ['rank 8 with nothing to merge', [2, 2, 2, 2, 2, 2, 2, 2], [2, 1, 2, 1, 2, 1, 2, 1], {}],
];
const LEGACY: Case[] = [
  ['[2,3,4,5] with [3,4] axis=1', [2, 3, 4, 5], [3, 4], { broadcast: 1, axis: 1 }],
  ['[2,3,4,5] with [5] (suffix)', [2, 3, 4, 5], [5], { broadcast: 1 }],
  ['[2,3,4,5] with [1,3,1] axis=0 (stripped)', [2, 3, 4, 5], [1, 3, 1], { broadcast: 1, axis: 0 }],
  ['[2,3,4,5] with [1,4,1] (suffix, stripped)', [2, 3, 4, 5], [1, 4, 1], { broadcast: 1 }],
  ['[2,3,4,5] with [2] axis=0', [2, 3, 4, 5], [2], { broadcast: 1, axis: 0 }],
  ['[2,3,4,5] with [3] axis_str=C', [2, 3, 4, 5], [3], { broadcast: 1, axis_str: 'C' }],
  ['[2,3,4,5] with [4] axis_str=H order=NCHW', [2, 3, 4, 5], [4], { broadcast: 1, axis_str: 'H', order: 'NCHW' }],
  ['[65] with scalar [1]', [65], [1], { broadcast: 1 }],
  ['[2,3] with 0-d', [2, 3], [], { broadcast: 1 }],
  ['[2,3] with [1,1,1] (one element, higher rank)', [2, 3], [1, 1, 1], { broadcast: 1 }],
];

describe.each(OPS)('%s forward (float32, relative error < 1e-5)', (op) => {
  it.each([...SAME, ...NUMPY, ...LEGACY])('%s', async (_, a, b, args) => {
    const inputs = pair(op, a, b);
    const [err] = await compareWithReference(op, inputs, args);
    expect(err).toBeLessThan(1e-5);
  });
});

describe('broadcast semantics on known values', () => {
  it('numpy-style: [2,3] + [3] adds B to every row, [3,1] * [2] is an outer product', async () => {
    const [c] = await runOp('Add', [
      { shape: [2, 3], data: Float64Array.from([1, 2, 3, 4, 5, 6]) },
      { shape: [3], data: Float64Array.from([10, 20, 30]) },
    ]);
    expect([...c!.shape]).toEqual([2, 3]);
    expect(Array.from(c!.data)).toEqual([11, 22, 33, 14, 25, 36]);
    const [d] = await runOp('Mul', [
      { shape: [3, 1], data: Float64Array.from([1, 2, 3]) },
      { shape: [2], data: Float64Array.from([10, 100]) },
    ]);
    expect([...d!.shape]).toEqual([3, 2]);
    expect(Array.from(d!.data)).toEqual([10, 100, 20, 200, 30, 300]);
  });

  it('legacy: B [2] at axis=0 of A [2,3] subtracts per row; output keeps A\'s shape', async () => {
    const [c] = await runOp(
      'Sub',
      [
        { shape: [2, 3], data: Float64Array.from([1, 2, 3, 4, 5, 6]) },
        { shape: [2, 1], data: Float64Array.from([1, 4]) },
      ],
      { broadcast: 1, axis: 0 },
    );
    expect([...c!.shape]).toEqual([2, 3]);
    expect(Array.from(c!.data)).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('a 0-d pair gives a 0-d result', async () => {
    const [c] = await runOp('Div', [
      { shape: [], data: Float64Array.from([3]) },
      { shape: [], data: Float64Array.from([4]) },
    ]);
    expect([...c!.shape]).toEqual([]);
    expect(Array.from(c!.data)).toEqual([0.75]);
  });
});

describe('int32', () => {
  const int = (shape: number[], values: number[]): HostTensor => ({ shape, data: Float64Array.from(values), dtype: 'int32' });

  it.each(OPS)('%s matches the reference with numpy and legacy broadcasting', async (op) => {
    const lo = op === 'Div' ? 1 : -1000;
    const b1 = randomIntTensor(rng, [4], lo, 1000);
    const b2 = randomIntTensor(rng, [3, 1], lo, 1000);
    const a = randomIntTensor(rng, [2, 3, 4], -100000, 100000);
    for (const [b, args] of [[b1, {}], [b2, { broadcast: 1, axis: 1 }]] as const) {
      const [c] = await runOp(op, [a, b], args);
      const [ref] = referenceOf(op, [a, b], args);
      expect(c!.dtype).toBe('int32');
      expect(Array.from(c!.data)).toEqual(Array.from(ref!.data));
    }
  });

  it('Div truncates toward zero; x / 0 is 0; INT_MIN / -1 wraps to INT_MIN', async () => {
    const a = int([9], [7, -7, 7, -7, 1, -1, 5, 0, -2147483648]);
    const b = int([9], [2, 2, -2, -2, 3, 3, 0, 0, -1]);
    const [c] = await runOp('Div', [a, b]);
    expect(Array.from(c!.data)).toEqual([3, -3, -3, 3, 0, 0, 0, 0, -2147483648]);
    expect(Array.from(referenceOf('Div', [a, b])[0]!.data)).toEqual(Array.from(c!.data));
  });

  it('Add and Mul wrap around like C++ int32', async () => {
    const a = int([2], [2147483647, 65536]);
    const b = int([2], [1, 65536]);
    expect(Array.from((await runOp('Add', [a, b]))[0]!.data)).toEqual([-2147483648, 131072]);
    expect(Array.from((await runOp('Mul', [a, b]))[0]!.data)).toEqual([2147483647, 0]);
  });

  it('Add on a size-65 tensor with a scalar', async () => {
    const a = randomIntTensor(rng, [65], -50, 50);
    const b = int([1], [7]);
    const [c] = await runOp('Add', [a, b]);
    expect(Array.from(c!.data)).toEqual(Array.from(a.data, (x) => x + 7));
  });
});

describe('in place', () => {
  it.each([
    ['Add', 0],
    ['Sub', 1],
    ['Mul', 1],
    ['Div', 0],
  ] as const)('%s writing over input %i gives the out-of-place result', async (op, k) => {
    const [a, b] = pair(op, [3, 4], [3, 4]);
    const ref = referenceOf(op, [a!, b!])[0]!;
    await workspace.FeedBlob('ip_a', a!.data, { shape: a!.shape });
    await workspace.FeedBlob('ip_b', b!.data, { shape: b!.shape });
    const target = k === 0 ? 'ip_a' : 'ip_b';
    await workspace.RunOperatorOnce(core.CreateOperator(op, ['ip_a', 'ip_b'], [target]));
    const got = await workspace.FetchBlob(target);
    got.data.forEach((v, i) => expect(v).toBeCloseTo(ref.data[i]!, 5));
  });

  it('legacy broadcast overwriting A', async () => {
    const a = randomTensor(rng, [2, 3, 4]);
    const b = randomTensor(rng, [3]);
    const ref = referenceOf('Mul', [a, b], { broadcast: 1, axis: 1 })[0]!;
    await workspace.FeedBlob('ipl_a', a.data, { shape: a.shape });
    await workspace.FeedBlob('ipl_b', b.data, { shape: b.shape });
    await workspace.RunOperatorOnce(core.CreateOperator('Mul', ['ipl_a', 'ipl_b'], ['ipl_a'], { broadcast: 1, axis: 1 }));
    const got = await workspace.FetchBlob('ipl_a');
    got.data.forEach((v, i) => expect(v).toBeCloseTo(ref.data[i]!, 5));
  });
});

describe('contiguous fast paths (vec4 pass plus scalar tail; relative error < 1e-5)', () => {
  // Below 1024 elements a count that is not a multiple of 4 runs scalar only; 4 and 1024+ use vec4s.
  const SIZES = [1, 3, 4, 5, 65, 1027];
  const int = (shape: number[], values: number[]): HostTensor => ({ shape, data: Float64Array.from(values), dtype: 'int32' });

  async function dispatchesOf(run: () => Promise<unknown>): Promise<number> {
    const before = (await workspace.Stats()).dispatches;
    await run();
    return (await workspace.Stats()).dispatches - before;
  }

  it.each(OPS.flatMap((op) => SIZES.map((n) => [op, n] as const)))('%s, same shape, n = %i', async (op, n) => {
    const [err] = await compareWithReference(op, pair(op, [n], [n]));
    expect(err).toBeLessThan(1e-5);
  });

  it.each(OPS.flatMap((op) => [3, 5, 1027].map((n) => [op, n] as const)))('%s, scalar broadcast on either side, n = %i', async (op, n) => {
    for (const [a, b, args] of [
      [[n], [1], {}],
      [[1], [n], {}],
      [[n], [], { broadcast: 1 }],
      [[], [2, n], {}],
    ] as const) {
      const inputs = op === 'Div' ? [randomTensor(rng, [...a], 0.5, 2), randomTensor(rng, [...b], 0.5, 2)] : pair(op, [...a], [...b]);
      const [err] = await compareWithReference(op, inputs, args);
      expect(err).toBeLessThan(1e-5);
    }
  });

  it.each(OPS.flatMap((op) => [8, 5].map((inner) => [op, inner] as const)))('%s, bias-like row of %i on either side', async (op, inner) => {
    for (const [a, b, args] of [
      [[33, inner], [inner], {}],
      [[inner], [33, inner], {}],
      [[2, 3, 4, inner], [4, inner], { broadcast: 1 }],
    ] as const) {
      const [err] = await compareWithReference(op, pair(op, [...a], [...b]), args);
      expect(err).toBeLessThan(1e-5);
    }
  });

  it.each(OPS)('%s, bias-like rows where each invocation of the row kernel covers several rows a stride apart', async (op) => {
    // Rows x row length: n / 4 vec4s not a multiple of the four per invocation, one-vec4 rows, long rows.
    for (const [rows, inner] of [[1027, 12], [2, 4], [5, 260], [3, 1024]] as const) {
      for (const [a, b] of [[[rows, inner], [inner]], [[inner], [rows, inner]]] as const) {
        const [err] = await compareWithReference(op, pair(op, [...a], [...b]));
        expect(err).toBeLessThan(1e-5);
      }
    }
  });

  it.each(OPS)('%s, a value per channel (NCHW bias or scale) on either side, and a row times a channel', async (op) => {
    for (const [a, b, args] of [
      [[3, 5, 4, 3], [5], { broadcast: 1, axis: 1 }],
      [[2, 7, 8], [7, 1], {}],
      [[7, 1], [2, 7, 8], {}],
      [[6, 12], [6, 1], {}],
      [[1027, 4], [1027, 1], {}],
      [[2, 3, 2, 2], [3, 1, 1], {}],
      [[6, 1], [8], {}],
      [[5, 3, 6], [3, 1], {}],
    ] as const) {
      const inputs = op === 'Div' ? [randomTensor(rng, [...a], 0.5, 2), randomTensor(rng, [...b], 0.5, 2)] : pair(op, [...a], [...b]);
      const [err] = await compareWithReference(op, inputs, args);
      expect(err, `${fmt(a)} ${op} ${fmt(b)}`).toBeLessThan(1e-5);
    }
  });

  it('in place over A with a channel B (NCHW bias, broadcast=1 axis=1): one dispatch, no temporary', async () => {
    const [a, b] = pair('Add', [2, 3, 4, 4], [3]);
    await workspace.FeedBlob('fc_a', a!.data, { shape: a!.shape });
    await workspace.FeedBlob('fc_b', b!.data, { shape: b!.shape });
    const count = await dispatchesOf(() => workspace.RunOperatorOnce(core.CreateOperator('Add', ['fc_a', 'fc_b'], ['fc_a'], { broadcast: 1, axis: 1 })));
    expect(count).toBe(1);
    expect(maxRelError(await workspace.FetchBlob('fc_a'), referenceOf('Add', [a!, b!], { broadcast: 1, axis: 1 })[0]!)).toBeLessThan(1e-5);
  });

  it('in place over A with a bias-like row B: one dispatch, no temporary', async () => {
    const [a, b] = pair('Sub', [257, 8], [8]);
    await workspace.FeedBlob('fr_a', a!.data, { shape: a!.shape });
    await workspace.FeedBlob('fr_b', b!.data, { shape: b!.shape });
    const count = await dispatchesOf(() => workspace.RunOperatorOnce(core.CreateOperator('Sub', ['fr_a', 'fr_b'], ['fr_a'])));
    expect(count).toBe(1);
    expect(maxRelError(await workspace.FetchBlob('fr_a'), referenceOf('Sub', [a!, b!])[0]!)).toBeLessThan(1e-5);
  });

  it('one dispatch when n is a multiple of 4 or small; vec4 pass plus scalar tail from 1024 on', async () => {
    const counts: number[] = [];
    for (const n of [4, 65, 1024, 1027]) {
      counts.push(await dispatchesOf(() => runOp('Add', [randomTensor(rng, [n]), randomTensor(rng, [n])])));
    }
    expect(counts).toEqual([1, 1, 1, 2]);
  });

  it.each(OPS)('int32 %s at every size matches the reference exactly', async (op) => {
    for (const n of SIZES) {
      const a = randomIntTensor(rng, [n], -100000, 100000);
      const b = randomIntTensor(rng, [n], -3, 3);
      const [c] = await runOp(op, [a, b]);
      expect(c!.dtype).toBe('int32');
      expect(Array.from(c!.data)).toEqual(Array.from(referenceOf(op, [a, b])[0]!.data));
    }
  });

  it('int32 Div keeps x / 0 = 0, truncation and INT_MIN / -1 in vec4 lanes, in the tail and with a scalar', async () => {
    const n = 1027;
    const special = [7, -7, 7, -7, 5, -2147483648, 0];
    const divisors = [2, 2, -2, -2, 0, -1, 0];
    const a = int([n], Array.from({ length: n }, (_, i) => special[i % 7]!));
    const b = int([n], Array.from({ length: n }, (_, i) => divisors[i % 7]!));
    const expected = [3, -3, -3, 3, 0, -2147483648, 0];
    expect(Array.from((await runOp('Div', [a, b]))[0]!.data)).toEqual(Array.from({ length: n }, (_, i) => expected[i % 7]!));
    expect(Array.from((await runOp('Div', [a, int([1], [0])]))[0]!.data)).toEqual(new Array<number>(n).fill(0));
    expect(Array.from((await runOp('Div', [int([], [-9]), b]))[0]!.data)).toEqual(
      Array.from({ length: n }, (_, i) => [-4, -4, 4, 4, 0, 9, 0][i % 7]!),
    );
  });

  it.each([
    ['Add over A', 'Add', 0, 1027],
    ['Sub over B', 'Sub', 1, 1027],
    ['Div over A', 'Div', 0, 65],
    ['Mul over B', 'Mul', 1, 4],
  ] as const)('in place (%s, n = %i) binds the blob once: no temporary copy', async (_, op, k, n) => {
    const [a, b] = pair(op, [n], [n]);
    const ref = referenceOf(op, [a!, b!])[0]!;
    await workspace.FeedBlob('fp_a', a!.data, { shape: a!.shape });
    await workspace.FeedBlob('fp_b', b!.data, { shape: b!.shape });
    const target = k === 0 ? 'fp_a' : 'fp_b';
    const count = await dispatchesOf(() => workspace.RunOperatorOnce(core.CreateOperator(op, ['fp_a', 'fp_b'], [target])));
    expect(count).toBe(n === 1027 ? 2 : 1);
    expect(maxRelError(await workspace.FetchBlob(target), ref)).toBeLessThan(1e-5);
  });

  it('in place with a scalar (X *= s) and with both inputs the output (X = X * X)', async () => {
    for (const n of [5, 1027]) {
      const x = randomTensor(rng, [n]);
      const s = randomTensor(rng, [1]);
      await workspace.FeedBlob('fs_x', x.data, { shape: x.shape });
      await workspace.FeedBlob('fs_s', s.data, { shape: s.shape });
      const count = await dispatchesOf(() => workspace.RunOperatorOnce(core.CreateOperator('Mul', ['fs_x', 'fs_s'], ['fs_x'])));
      expect(count).toBe(n === 1027 ? 2 : 1);
      const scaled = referenceOf('Mul', [x, s])[0]!;
      expect(maxRelError(await workspace.FetchBlob('fs_x'), scaled)).toBeLessThan(1e-5);
      const y = { shape: [n], data: Float64Array.from(scaled.data, Math.fround) };
      await workspace.RunOperatorOnce(core.CreateOperator('Mul', ['fs_x', 'fs_x'], ['fs_x']));
      expect(maxRelError(await workspace.FetchBlob('fs_x'), referenceOf('Mul', [y, y])[0]!)).toBeLessThan(1e-5);
    }
  });

  it('in place over A with a B only the strided kernel walks ([2,3,5] - [3,1]): one dispatch', async () => {
    const [a, b] = pair('Sub', [2, 3, 5], [3, 1]);
    await workspace.FeedBlob('fst_a', a!.data, { shape: a!.shape });
    await workspace.FeedBlob('fst_b', b!.data, { shape: b!.shape });
    const count = await dispatchesOf(() => workspace.RunOperatorOnce(core.CreateOperator('Sub', ['fst_a', 'fst_b'], ['fst_a'])));
    expect(count).toBe(1);
    expect(maxRelError(await workspace.FetchBlob('fst_a'), referenceOf('Sub', [a!, b!])[0]!)).toBeLessThan(1e-5);
  });

  it('int32 in place over A with a scalar B', async () => {
    const a = randomIntTensor(rng, [1027], -1000, 1000);
    await workspace.FeedBlob('fi_a', a.data, { shape: a.shape, dtype: 'int32' });
    await workspace.FeedBlob('fi_b', [3], { shape: [1], dtype: 'int32' });
    await workspace.RunOperatorOnce(core.CreateOperator('Sub', ['fi_a', 'fi_b'], ['fi_a']));
    expect(Array.from((await workspace.FetchBlob('fi_a')).data)).toEqual(Array.from(a.data, (v) => v - 3));
  });
});

// Finite differences of the fp32 forward: relative tolerance 1e-2.
const FD_TOL = 1e-2;

describe.each(OPS)('%s gradient (finite differences, tolerance 1e-2)', (op) => {
  const cases: Case[] = [
    ['same shape [2,3]', [2, 3], [2, 3], {}],
    ['numpy [2,1,4] with [3,1]', [2, 1, 4], [3, 1], {}],
    ['numpy [3] with [2,3] (A broadcast)', [3], [2, 3], {}],
    ['numpy scalar [1]', [2, 3], [1], {}],
    ['numpy 0-d B', [4], [], {}],
    ['legacy [2,3,4] with [3] axis=1', [2, 3, 4], [3], { broadcast: 1, axis: 1 }],
    ['legacy [2,3,4] with [1,3,1] (stripped, suffix)', [2, 3, 4], [1, 3, 1], { broadcast: 1 }],
    ['legacy scalar [1]', [3, 2], [1], { broadcast: 1 }],
  ];
  it.each(cases)('%s', async (_, a, b, args) => {
    const inputs = op === 'Div' ? [randomTensor(rng, a), randomTensor(rng, b, 1, 2)] : pair(op, a, b);
    const errs = await checkGradient(op, inputs, args);
    expect(errs).toHaveLength(2);
    for (const e of errs) expect(e).toBeLessThan(FD_TOL);
  });
});

describe('gradient ops against their references (relative error < 1e-5)', () => {
  const grad = { Add: 'AddGradient', Sub: 'SubGradient', Mul: 'MulGradient', Div: 'DivGradient' } as const;

  /** Gradient-op inputs for forward inputs a, b: [dC, A, B] (+ C for Div). */
  function gradInputs(op: (typeof OPS)[number], a: HostTensor, b: HostTensor, args: Record<string, unknown>): HostTensor[] {
    const c = referenceOf(op, [a, b], args)[0]!;
    const dc = randomTensor(rng, c.shape);
    const cf = { shape: c.shape, data: Float64Array.from(c.data, Math.fround) };
    return op === 'Div' ? [dc, a, b, cf] : [dc, a, b];
  }

  // Large reductions exercise the cooperative lanes of reduce_to_shape.wgsl (up to 256 per output).
  const cases: Case[] = [
    ['size 65 same shape', [65], [65], {}],
    ['[300,5] with [5]: 300 summed per dB', [300, 5], [5], {}],
    ['[65,65] with [1]: 4225 summed into one', [65, 65], [1], {}],
    ['[3,1,70] with [1,40,1] both ways', [3, 1, 70], [1, 40, 1], {}],
    ['legacy [4,6,5,3] with [6,5] axis=1', [4, 6, 5, 3], [6, 5], { broadcast: 1, axis: 1 }],
    ['[20000] with 0-d', [20000], [], {}],
    ['rank 8 with nothing to merge', [2, 1, 2, 1, 2, 1, 2, 1], [1, 3, 1, 3, 1, 3, 1, 3], {}],
  ];
  it.each(OPS.flatMap((op) => cases.map((c) => [op, ...c] as const)))('%s: %s', async (op, _, a, b, args) => {
    const inputs = gradInputs(op, randomTensor(rng, a), randomTensor(rng, b, 0.5, 2), args);
    const errs = await compareWithReference(grad[op], inputs, args, 2);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
  });

  it('AddGradient writing dA over dC in place still computes dB from the original dC', async () => {
    const dc = randomTensor(rng, [4, 3]);
    const a = randomTensor(rng, [4, 3]);
    const b = randomTensor(rng, [3]);
    const [refA, refB] = referenceOf('AddGradient', [dc, a, b]);
    await workspace.FeedBlob('ig_dc', dc.data, { shape: dc.shape });
    await workspace.FeedBlob('ig_a', a.data, { shape: a.shape });
    await workspace.FeedBlob('ig_b', b.data, { shape: b.shape });
    await workspace.RunOperatorOnce(core.CreateOperator('AddGradient', ['ig_dc', 'ig_a', 'ig_b'], ['ig_dc', 'ig_db']));
    const da = await workspace.FetchBlob('ig_dc');
    const db = await workspace.FetchBlob('ig_db');
    da.data.forEach((v, i) => expect(v).toBeCloseTo(refA!.data[i]!, 5));
    db.data.forEach((v, i) => expect(v).toBeCloseTo(refB!.data[i]!, 5));
  });
});

describe('autodiff wiring', () => {
  it('emits one gradient op per forward op with the broadcast arguments copied', () => {
    const net = core.Net('ew_grad');
    net.Mul(['X', 'S'], 'Y', { broadcast: 1, axis: 1 });
    net.Div(['Y', 'D'], 'Z');
    net.AddGradientOperators({ Z: 'Z_seed' });
    const ops = net.Proto().op.slice(2);
    expect(ops.map((o) => o.type)).toEqual(['DivGradient', 'MulGradient']);
    expect(ops[0]!.input).toEqual(['Z_seed', 'Y', 'D', 'Z']);
    expect(ops[0]!.output).toEqual(['Y_grad', 'D_grad']);
    expect(ops[1]!.input).toEqual(['Y_grad', 'X', 'S']);
    expect(ops[1]!.output).toEqual(['X_grad', 'S_grad']);
    expect(ops[1]!.arg).toEqual([
      { name: 'broadcast', i: 1 },
      { name: 'axis', i: 1 },
    ]);
  });

  it('Mul [X, X] -> Y: both gradient contributions are summed into X_grad = 2·X·dY', async () => {
    const x = randomTensor(rng, [5]);
    const dy = randomTensor(rng, [5]);
    await workspace.FeedBlob('sq_x', x.data, { shape: x.shape });
    await workspace.FeedBlob('sq_dy', dy.data, { shape: dy.shape });
    const net = core.Net('square');
    net.Mul(['sq_x', 'sq_x'], 'sq_y');
    const grads = net.AddGradientOperators({ sq_y: 'sq_dy' });
    await workspace.RunNetOnce(net);
    const g = await workspace.FetchBlob(grads.get('sq_x')!.name);
    g.data.forEach((v, i) => expect(v).toBeCloseTo(2 * x.data[i]! * dy.data[i]!, 5));
  });
});

describe('errors', () => {
  async function feed(name: string, shape: number[], dtype: 'float32' | 'int32' = 'float32'): Promise<void> {
    await workspace.FeedBlob(name, new Float64Array(shape.reduce((x, y) => x * y, 1)).fill(1), { shape, dtype });
  }

  async function planError(build: (net: ReturnType<typeof core.Net>) => void): Promise<{ message: string; net: string }> {
    const net = core.Net('train');
    build(net);
    try {
      await workspace.CreateNet(net);
    } catch (e) {
      return { message: (e as Error).message, net: net.Name() };
    }
    throw new Error('CreateNet did not fail');
  }

  it('numpy mismatch names the op, both inputs and their shapes', async () => {
    await feed('eA', [2, 3]);
    await feed('eB', [4]);
    const { message, net } = await planError((n) => {
      n.Copy(['eA'], 'eA2');
      n.Copy(['eA2'], 'eA3');
      n.Copy(['eA3'], 'eA4');
      n.Add(['eA4', 'eB'], 'eC');
    });
    expect(message).toBe(`Add (op #3 in net "${net}"): inputs eA4 [2,3] and eB [4] cannot be broadcast (dims 3 and 4 differ at axis -1)`);
  });

  it('numpy mismatch that broadcast=1 would accept suggests it', async () => {
    await feed('eA5', [2, 3, 4]);
    await feed('eB3', [3]);
    const { message } = await planError((n) => n.Mul(['eA5', 'eB3'], 'eC'));
    expect(message).toMatch(/inputs eA5 \[2,3,4\] and eB3 \[3\] cannot be broadcast \(dims 4 and 3 differ at axis -1\); did you forget broadcast=1, axis=1\?/);
  });

  it('legacy mismatch names the dims and suggests the axis that fits', async () => {
    await feed('eA5', [2, 3, 4]);
    await feed('eB3', [3]);
    const { message } = await planError((n) => n.Sub(['eA5', 'eB3'], 'eC', { broadcast: 1 }));
    expect(message).toMatch(
      /^Sub \(op #0 in net "train(_\d+)?"\): inputs eA5 \[2,3,4\] and eB3 \[3\] cannot be broadcast with broadcast=1 \(B's dims \[3\] must equal A's dims \[4\] from axis 2, but 3 != 4 at axis 2\); axis=1 would match$/,
    );
  });

  it('legacy refuses to broadcast A and points at numpy-style broadcasting', async () => {
    await feed('eR', [3]);
    await feed('eS', [2, 3]);
    const { message } = await planError((n) => n.Add(['eR', 'eS'], 'eC', { broadcast: 1 }));
    expect(message).toMatch(/B has more dims than A \(2 > 1\)\); without broadcast=1, numpy-style broadcasting would accept them \(output \[2,3\]\)/);
  });

  it('legacy axis out of range', async () => {
    await feed('eA5', [2, 3, 4]);
    await feed('eB3', [3]);
    const { message } = await planError((n) => n.Add(['eA5', 'eB3'], 'eC', { broadcast: 1, axis: 3 }));
    expect(message).toMatch(/axis=3 is out of range: it must lie in \[0, 2\]/);
  });

  it('axis without broadcast=1 is an ArgumentError with a hint', async () => {
    await feed('eA5', [2, 3, 4]);
    await feed('eB3', [3]);
    const err = workspace.RunOperatorOnce(core.CreateOperator('Add', ['eA5', 'eB3'], ['eC'], { axis: 1 }));
    await expect(err).rejects.toThrow(/Add \(op #0 .*\): axis=1 is only used with broadcast=1 .*did you forget broadcast=1\?/);
    await expect(err).rejects.toHaveProperty('name', 'ArgumentError');
  });

  it('axis together with axis_str, and axis_str outside order', async () => {
    await feed('eA5', [2, 3, 4]);
    await feed('eB3', [3]);
    await expect(
      workspace.RunOperatorOnce(core.CreateOperator('Add', ['eA5', 'eB3'], ['eC'], { broadcast: 1, axis: 1, axis_str: 'C' })),
    ).rejects.toThrow(/arguments axis=1 and axis_str="C" cannot be used together/);
    await expect(
      workspace.RunOperatorOnce(core.CreateOperator('Add', ['eA5', 'eB3'], ['eC'], { broadcast: 1, axis_str: 'W', order: 'NCH' })),
    ).rejects.toThrow(/axis_str "W" is not a letter of order "NCH"/);
  });

  it('dtypes must match', async () => {
    await feed('eF', [3]);
    await feed('eI', [3], 'int32');
    await expect(workspace.RunOperatorOnce(core.CreateOperator('Add', ['eF', 'eI'], ['eC']))).rejects.toThrow(
      /Add \(op #0 .*\): inputs eF \(float32\) and eI \(int32\) must have the same dtype/,
    );
  });

  it('in-place rules: Div only over A; broadcast=1 never over B; no shape change', async () => {
    await feed('eP', [2, 3]);
    await feed('eQ', [2, 3]);
    expect(() => core.CreateOperator('Div', ['eP', 'eQ'], ['eQ'])).toThrow(/Div .*output #0 "eQ" is the same blob as input #1/);
    await feed('eV', [3]);
    await expect(
      workspace.RunOperatorOnce(core.CreateOperator('Add', ['eP', 'eV'], ['eV'], { broadcast: 1 })),
    ).rejects.toThrow(/with broadcast=1 the output cannot be input B \("eV"\) in place/);
    await expect(workspace.RunOperatorOnce(core.CreateOperator('Add', ['eP', 'eV'], ['eV']))).rejects.toThrow(
      /output eV is input eV in place, but broadcasting gives \[2,3\], not eV's \[3\]/,
    );
  });

  it('more than 8 dims that cannot be merged are refused on the host', async () => {
    await feed('eH', [2, 2, 2, 2, 2, 2, 2, 2, 2]);
    await feed('eK', [2, 1, 2, 1, 2, 1, 2, 1, 2]);
    await expect(workspace.RunOperatorOnce(core.CreateOperator('Add', ['eH', 'eK'], ['eC']))).rejects.toThrow(
      /inputs eH \[2,2,2,2,2,2,2,2,2\] and eK \[2,1,2,1,2,1,2,1,2\] broadcast over 9 separate dims after merging, more than the 8 the kernel supports/,
    );
  });

  it('gradient ops are float32 only and check dC against the broadcast shape', async () => {
    await feed('gI', [2, 3], 'int32');
    await feed('gA', [2, 3]);
    await feed('gB', [3]);
    await feed('gD', [3, 3]);
    await expect(workspace.RunOperatorOnce(core.CreateOperator('AddGradient', ['gI', 'gA', 'gB'], ['x', 'y']))).rejects.toThrow(
      /input gI has dtype int32, expected float32/,
    );
    await expect(workspace.RunOperatorOnce(core.CreateOperator('MulGradient', ['gD', 'gA', 'gB'], ['x', 'y']))).rejects.toThrow(
      /MulGradient .*input gD \(dC\) has shape \[3,3\], expected \[2,3\], the shape Mul gives for \[2,3\] and \[3\]/,
    );
  });
});

describe('SumReduceLike', () => {
  it.each([
    ['suffix block', [3, 5, 7], [5, 7], {}],
    ['axis 1', [3, 5, 7], [5], { axis: 1 }],
    ['axis_str C', [2, 3, 4, 5], [3], { axis_str: 'C' }],
    ['a single value', [3, 5, 7], [1], {}],
    ['same shape', [3, 5], [3, 5], {}],
  ])('matches the float64 reference: %s', async (_, a, b, args) => {
    const [err] = await compareWithReference('SumReduceLike', [randomTensor(rng, a as number[]), randomTensor(rng, b as number[])], args);
    expect(err).toBeLessThan(1e-5);
  });

  it('rejects a B that does not fit A', async () => {
    await workspace.FeedBlob('srl_a', new Float32Array(6), { shape: [2, 3] });
    await workspace.FeedBlob('srl_b', new Float32Array(2));
    await expect(workspace.RunOperatorOnce(core.CreateOperator('SumReduceLike', ['srl_a', 'srl_b'], ['srl_c']))).rejects.toThrow(
      /SumReduceLike \(op #0.*cannot be broadcast with broadcast=1.*axis=0 would match/,
    );
  });
});
