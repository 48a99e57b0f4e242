import { describe, expect, it } from 'vitest';
import { ArgumentError, DTypeError, ShapeError, core } from '../../src/index.js';
import { getOpSpec } from '../../src/ops/registry.js';
import { makeOpContext } from '../../src/ops/op_context.js';
import { checkGradient, compareWithReference, makeRng, opError, randomIntTensor, randomTensor, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(59);

/** A [M,K] (or [K,M] with trans_a) and B [K,N] (or [N,K] with trans_b). */
function operands(M: number, K: number, N: number, ta: number, tb: number) {
  return [randomTensor(rng, ta ? [K, M] : [M, K]), randomTensor(rng, tb ? [N, K] : [K, N])];
}

describe('MatMul', () => {
  it.each([
    [1, 1, 1],
    [3, 5, 7],
    [65, 17, 3],
    [5, 70, 66],
    [2, 0, 3],
  ])('matches the reference for M=%i K=%i N=%i with every transpose combination', async (M, K, N) => {
    for (const [ta, tb] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
      const [err] = await compareWithReference('MatMul', operands(M, K, N, ta, tb), { trans_a: ta, trans_b: tb });
      expect(err, `trans_a=${ta} trans_b=${tb}`).toBeLessThan(1e-5);
    }
  });

  it('multiplies a small product written out by hand', async () => {
    const a = { shape: [2, 3], data: Float64Array.from([1, 2, 3, 4, 5, 6]) };
    const b = { shape: [3, 2], data: Float64Array.from([7, 8, 9, 10, 11, 12]) };
    const [y] = await runOp('MatMul', [a, b]);
    expect(y!.toArray()).toEqual([[58, 64], [139, 154]]);
  });

  it('flattens at axis_a / axis_b (negative counts from the end) into a 2-d Y', async () => {
    const inputs = [randomTensor(rng, [2, 3, 4]), randomTensor(rng, [4, 5, 1])];
    const [y] = await runOp('MatMul', inputs, { axis_a: 2 });
    expect(y!.shape).toEqual([6, 5]);
    const [err0] = await compareWithReference('MatMul', inputs, { axis_a: 2 });
    expect(err0).toBeLessThan(1e-5);
    const [err] = await compareWithReference('MatMul', inputs, { axis_a: -1, axis_b: 1 });
    expect(err).toBeLessThan(1e-5);
    const [err2] = await compareWithReference('MatMul', [randomTensor(rng, [12, 2]), randomTensor(rng, [3, 4, 5])], { axis_b: 2, trans_a: 1 });
    expect(err2).toBeLessThan(1e-5);
  });

  it('takes the dims of a third input', async () => {
    const inputs = [randomTensor(rng, [3, 4]), randomTensor(rng, [4, 6]), randomTensor(rng, [3, 2, 3])];
    const [y] = await runOp('MatMul', inputs);
    expect(y!.shape).toEqual([3, 2, 3]);
    const [err] = await compareWithReference('MatMul', inputs);
    expect(err).toBeLessThan(1e-5);
  });

  it.each([
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ])('passes finite differences with trans_a=%i trans_b=%i', async (ta, tb) => {
    const errs = await checkGradient('MatMul', operands(3, 4, 2, ta, tb), { trans_a: ta, trans_b: tb });
    expect(errs).toHaveLength(2);
    for (const e of errs) expect(e).toBeLessThan(1e-3);
  });

  it('passes finite differences with axis_a=2 and axis_b=2', async () => {
    const inputs = [randomTensor(rng, [2, 1, 3]), randomTensor(rng, [4, 1, 3])];
    for (const e of await checkGradient('MatMul', inputs, { axis_a: 2, axis_b: 2, trans_b: 1 })) expect(e).toBeLessThan(1e-3);
    const inputs2 = [randomTensor(rng, [2, 3, 2]), randomTensor(rng, [2, 3, 5])];
    for (const e of await checkGradient('MatMul', inputs2, { axis_a: 2, axis_b: 2, trans_a: 1 })) expect(e).toBeLessThan(1e-3);
  });

  it('builds its gradient from two MatMuls as Caffe2 does', () => {
    const net = core.Net('matmul_grad');
    net.Proto().op.push(core.CreateOperator('MatMul', ['A', 'B'], ['Y']));
    net.AddGradientOperators({ Y: 'Y_grad' });
    const g = net.Proto().op.filter((o) => o.is_gradient_op);
    expect(g.map((o) => [o.type, o.input, o.output, o.arg])).toEqual([
      ['MatMul', ['Y_grad', 'B', 'A'], ['A_grad'], [{ name: 'trans_b', i: 1 }, { name: 'axis_b', i: 1 }]],
      ['MatMul', ['A', 'Y_grad', 'B'], ['B_grad'], [{ name: 'trans_a', i: 1 }, { name: 'axis_a', i: 1 }]],
    ]);
  });

  it('rejects mismatched sizes, int inputs, bad axes and a wrong-sized third input', async () => {
    const e1 = await opError('MatMul', [randomTensor(rng, [3, 4]), randomTensor(rng, [5, 2])]);
    expect(e1).toBeInstanceOf(ShapeError);
    expect(e1.message).toMatch(/MatMul \(op #0.*dimension mismatch: A is 3x4 \(input in0_\d+ \[3,4\] at axis_a=1\) and B is 5x2/);
    const e2 = await opError('MatMul', [randomTensor(rng, [3, 4]), randomTensor(rng, [3, 2])], { trans_b: 1 });
    expect(e2.message).toMatch(/A is 3x4 .* and trans\(B\) is 2x3/);
    expect(await opError('MatMul', [randomIntTensor(rng, [2, 2], 0, 3), randomTensor(rng, [2, 2])])).toBeInstanceOf(DTypeError);
    expect(await opError('MatMul', [randomTensor(rng, [2, 2]), randomTensor(rng, [2, 2])], { axis_a: 2 })).toBeInstanceOf(ArgumentError);
    const e5 = await opError('MatMul', [randomTensor(rng, [2, 2]), randomTensor(rng, [2, 2]), randomTensor(rng, [5])]);
    expect(e5.message).toMatch(/the product is 2x2, but input in2_\d+ \[5\]/);
  });
});

describe('MatMul on the 128x128 tile', () => {
  /** The kernel MatMul would dispatch for A and B of these shapes (no GPU involved). */
  function shader(a: number[], b: number[], args: Record<string, unknown>): string {
    const spec = getOpSpec('MatMul');
    const op = core.CreateOperator('MatMul', ['A', 'B'], ['Y'], args);
    const ctx = makeOpContext(spec, op, 0, 'n', [a, b].map((shape) => ({ shape, dtype: 'float32' as const })));
    return spec.kernels(ctx, spec.inferShape(ctx))[0]!.shader;
  }

  it('is chosen for large products, with vec4 loads when the layout is aligned', () => {
    expect(shader([64, 64], [64, 64], {})).toBe('matmul.wgsl');
    // One or two 128x128 tiles would leave cores idle: 64x64 tiles.
    expect(shader([129, 64], [64, 128], {})).toBe('matmul.wgsl');
    expect(shader([257, 67], [67, 131], {})).toBe('matmul_big.wgsl');
    expect(shader([256, 68], [68, 132], {})).toBe('matmul_big_v4.wgsl');
    // trans_a: A is stored [K,M], contiguous along M.
    expect(shader([68, 257], [68, 132], { trans_a: 1 })).toBe('matmul_big.wgsl');
    expect(shader([67, 256], [132, 67], { trans_a: 1, trans_b: 1 })).toBe('matmul_big.wgsl');
    expect(shader([68, 256], [132, 68], { trans_a: 1, trans_b: 1 })).toBe('matmul_big_v4.wgsl');
    expect(shader([300, 16], [16, 300], {})).toBe('matmul.wgsl');
  });

  // Sizes with partial edge tiles (M, N not multiples of 128), a partial last depth step (K not a
  // multiple of 8) and both the scalar and the vec4 kernels, under every transpose combination.
  it.each([
    [257, 67, 131],
    [132, 68, 260],
    [129, 36, 260],
  ])('matches the reference for M=%i K=%i N=%i with every transpose combination', async (M, K, N) => {
    for (const [ta, tb] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
      const [err] = await compareWithReference('MatMul', operands(M, K, N, ta, tb), { trans_a: ta, trans_b: tb });
      expect(err, `trans_a=${ta} trans_b=${tb}`).toBeLessThan(1e-5);
    }
  });
});
