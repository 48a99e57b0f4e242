import { describe, expect, it } from 'vitest';
import { core, workspace, type Tensor } from '../../src/index.js';
import { getOpSpec, type HostTensor } from '../../src/ops/registry.js';
import { makeOpContext } from '../../src/ops/op_context.js';
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

/** Largest |gpu - ref| / max(1, scale) elementwise, for results whose rounding follows `scale`. */
function maxErrorOverScale(gpu: Tensor, ref: HostTensor, scale: HostTensor): number {
  expect([...gpu.shape]).toEqual(ref.shape);
  let worst = 0;
  ref.data.forEach((r, i) => {
    const e = Math.abs(gpu.data[i]! - r) / Math.max(1, scale.data[i]!);
    if (!(e <= worst)) worst = e;
  });
  return worst;
}

/** Random FC inputs for X [M,K], W [N,K], b [N]. */
function fcInputs(M: number, N: number, K: number) {
  return [randomTensor(rng, [M, K]), randomTensor(rng, [N, K]), randomTensor(rng, [N])];
}

describe('FC forward', () => {
  // [M, N, K]: the tutorial's FC, sizes of 1 and 65 on each axis, sizes that are not multiples of
  // the 64x64 tile or the depth step of 16, and several tiles in every direction.
  it.each([
    [64, 1, 2],
    [1, 1, 1],
    [1, 7, 5],
    [6, 1, 5],
    [6, 5, 1],
    [65, 3, 4],
    [3, 65, 4],
    [3, 4, 65],
    [70, 33, 17],
    [65, 130, 40],
    // Either side of the one-thread-per-row kernel's limits (N <= 4, K <= 64) and the tiled kernel.
    [65, 4, 64],
    [65, 5, 64],
    [65, 4, 65],
  ])('matches the reference for M=%i N=%i K=%i', async (M, N, K) => {
    const [err] = await compareWithReference('FC', fcInputs(M, N, K));
    expect(err).toBeLessThan(1e-5);
  });

  it('matches the reference for the tutorial at batch 65536 (X [65536,2], W [1,2])', async () => {
    const [err] = await compareWithReference('FC', fcInputs(65536, 1, 2));
    expect(err).toBeLessThan(1e-5);
  });

  it('keeps X.dims[:axis] with axis=2', async () => {
    const inputs = [randomTensor(rng, [2, 2, 3]), randomTensor(rng, [4, 3]), randomTensor(rng, [4])];
    const [y] = await runOp('FC', inputs, { axis: 2 });
    expect(y!.shape).toEqual([2, 2, 4]);
    expect(maxRelError(y!, referenceOf('FC', inputs, { axis: 2 })[0]!)).toBeLessThan(1e-5);
  });

  it('flattens W at axis_w=2 (W [N,a,b] holds N*a rows of b)', async () => {
    const inputs = [randomTensor(rng, [5, 4]), randomTensor(rng, [2, 3, 4]), randomTensor(rng, [6])];
    const [y] = await runOp('FC', inputs, { axis_w: 2 });
    expect(y!.shape).toEqual([5, 6]);
    expect(maxRelError(y!, referenceOf('FC', inputs, { axis_w: 2 })[0]!)).toBeLessThan(1e-5);
  });

  it('flattens W [N,a,b] to [N,a*b] with the default axis_w', async () => {
    const inputs = [randomTensor(rng, [3, 2, 5]), randomTensor(rng, [4, 2, 5]), randomTensor(rng, [4])];
    const [err] = await compareWithReference('FC', inputs);
    expect(err).toBeLessThan(1e-5);
  });

  it('counts negative axes from the end', async () => {
    const inputs = [randomTensor(rng, [2, 3, 4]), randomTensor(rng, [2, 3, 4]), randomTensor(rng, [6])];
    const args = { axis: -1, axis_w: -1 };
    const [y] = await runOp('FC', inputs, args);
    expect(y!.shape).toEqual([2, 3, 6]);
    expect(maxRelError(y!, referenceOf('FC', inputs, args)[0]!)).toBeLessThan(1e-5);
  });

  it('gives an empty Y of the right shape for an empty X', async () => {
    const [y] = await runOp('FC', [randomTensor(rng, [0, 3]), randomTensor(rng, [2, 3]), randomTensor(rng, [2])]);
    expect(y!.shape).toEqual([0, 2]);
    expect(y!.data.length).toBe(0);
  });

  it('gives Y = b when X has no columns after axis', async () => {
    const b = randomTensor(rng, [3]);
    const [y] = await runOp('FC', [randomTensor(rng, [2, 0]), randomTensor(rng, [3, 0]), b]);
    expect(y!.shape).toEqual([2, 3]);
    expect(Array.from(y!.data)).toEqual([...b.data, ...b.data]);
  });
});

describe('FC gradient', () => {
  // FC is linear in each input, so central differences are exact up to fp32 rounding of the loss.
  const TOL = 1e-3;

  it('passes finite differences for X, W and b', async () => {
    const errs = await checkGradient('FC', fcInputs(3, 2, 4));
    expect(errs).toHaveLength(3);
    for (const e of errs) expect(e).toBeLessThan(TOL);
  });

  it('passes finite differences with axis=2', async () => {
    const inputs = [randomTensor(rng, [2, 2, 3]), randomTensor(rng, [2, 3]), randomTensor(rng, [2])];
    for (const e of await checkGradient('FC', inputs, { axis: 2 })) expect(e).toBeLessThan(TOL);
  });

  it('passes finite differences with axis_w=2', async () => {
    const inputs = [randomTensor(rng, [2, 3]), randomTensor(rng, [2, 2, 3]), randomTensor(rng, [4])];
    for (const e of await checkGradient('FC', inputs, { axis_w: 2 })) expect(e).toBeLessThan(TOL);
  });

  it('emits one FCGradient with outputs [W_grad, b_grad, X_grad]', () => {
    const net = core.Net('fc_grad_shape');
    net.FC(['X', 'W', 'b'], 'Y', { axis: 1 });
    const grads = net.AddGradientOperators({ Y: 'Y_grad' });
    const ops = net.Proto().op.filter((o) => o.is_gradient_op);
    expect(ops.map((o) => [o.type, o.input, o.output])).toEqual([['FCGradient', ['X', 'W', 'Y_grad'], ['W_grad', 'b_grad', 'X_grad']]]);
    expect(['X', 'W', 'b'].map((n) => grads.get(n)?.name)).toEqual(['X_grad', 'W_grad', 'b_grad']);
  });
});

/** Runs FCGradient with all three outputs and checks each against the float64 reference. */
async function expectLongSumsMatch(inputs: HostTensor[]): Promise<void> {
  const out = await runOp('FCGradient', inputs, {}, 3);
  const ref = referenceOf('FCGradient', inputs);
  // fp32 rounding of an M-term sum grows with the sum of the terms' magnitudes (~M/4 for dW),
  // not with the result (~sqrt(M)/3): judge each element against the reference on |inputs|.
  const scale = referenceOf('FCGradient', inputs.map((t) => ({ ...t, data: t.data.map(Math.abs) })));
  out.forEach((t, i) => expect(maxErrorOverScale(t, ref[i]!, scale[i]!)).toBeLessThan(1e-5));
}

describe('FCGradient', () => {
  it('matches the float64 reference for M=3000 (two-pass column sums, several column groups)', async () => {
    await expectLongSumsMatch([randomTensor(rng, [3000, 7]), randomTensor(rng, [40, 7]), randomTensor(rng, [3000, 40])]);
  });

  it('matches the reference for M=5000, N=3, K=5, summing dW over M in parts', async () => {
    await expectLongSumsMatch([randomTensor(rng, [5000, 5]), randomTensor(rng, [3, 5]), randomTensor(rng, [5000, 3])]);
  });

  it('matches the reference for the tutorial at batch 70000 (N=1, K=2, dW over M in parts)', async () => {
    await expectLongSumsMatch([randomTensor(rng, [70000, 2]), randomTensor(rng, [1, 2]), randomTensor(rng, [70000, 1])]);
  });

  it('splits a long M for dW: one more dispatch (the sum of the partial dW) than without', async () => {
    // 10x40 outputs: too many for fc_grad_small.wgsl, so dW takes the tiled path.
    const dispatches = async (M: number): Promise<number> => {
      const inputs = [randomTensor(rng, [M, 40]), randomTensor(rng, [10, 40]), randomTensor(rng, [M, 10])];
      const before = (await workspace.Stats()).dispatches;
      await runOp('FCGradient', inputs, {}, 2);
      return (await workspace.Stats()).dispatches - before;
    };
    // dW in one pass and db in one pass for M < 512; dW in parts plus their sum, db in one pass at 1000.
    expect(await dispatches(500)).toBe(2);
    expect(await dispatches(1000)).toBe(3);
  });

  it('sizes its kernels for the shape: the tutorial\'s dW, db and dX in two dispatches without tiles', async () => {
    for (const M of [1, 63, 64, 65, 4096]) {
      const inputs = [randomTensor(rng, [M, 2]), randomTensor(rng, [1, 2]), randomTensor(rng, [M, 1])];
      const before = (await workspace.Stats()).dispatches;
      const errs = await compareWithReference('FCGradient', inputs, {}, 3);
      expect((await workspace.Stats()).dispatches - before, `M=${M}`).toBe(2);
      for (const e of errs) expect(e, `M=${M}`).toBeLessThan(1e-5);
    }
    // Just past the small path's limits: the tiled and tree kernels again, same values.
    await expectLongSumsMatch([randomTensor(rng, [4097, 3]), randomTensor(rng, [2, 3]), randomTensor(rng, [4097, 2])]);
    const wide = [randomTensor(rng, [9, 60]), randomTensor(rng, [4, 60]), randomTensor(rng, [9, 4])];
    for (const e of await compareWithReference('FCGradient', wide, {}, 3)) expect(e).toBeLessThan(1e-5);
  });

  it('matches the reference with axis=2 and a non-tile-multiple shape', async () => {
    const inputs = [randomTensor(rng, [5, 14, 17]), randomTensor(rng, [33, 17]), randomTensor(rng, [5, 14, 33])];
    const errs = await compareWithReference('FCGradient', inputs, { axis: 2 }, 3);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
  });

  it('computes only dW and db when given two outputs', async () => {
    const inputs = [randomTensor(rng, [6, 3]), randomTensor(rng, [2, 3]), randomTensor(rng, [6, 2])];
    const out = await runOp('FCGradient', inputs, {}, 2);
    const ref = referenceOf('FCGradient', inputs);
    expect(out).toHaveLength(2);
    out.forEach((t, i) => expect(maxRelError(t, ref[i]!)).toBeLessThan(1e-5));
  });

  it('gives dW = 0 and db = 0 for an empty X', async () => {
    const [dW, db, dX] = await runOp('FCGradient', [randomTensor(rng, [0, 3]), randomTensor(rng, [2, 3]), randomTensor(rng, [0, 2])], {}, 3);
    expect(dW!.shape).toEqual([2, 3]);
    expect(Array.from(dW!.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(db!.data)).toEqual([0, 0]);
    expect(dX!.shape).toEqual([0, 3]);
  });
});

describe('FC errors', () => {
  async function feed(blobs: Record<string, number[]>, ints: string[] = []): Promise<void> {
    for (const [name, shape] of Object.entries(blobs)) {
      const t = ints.includes(name) ? randomIntTensor(rng, shape, -3, 3) : randomTensor(rng, shape);
      await workspace.FeedBlob(name, t.data, { shape, dtype: t.dtype ?? 'float32' });
    }
  }

  async function planFails(type: string, inputs: string[], args: Record<string, unknown>, outputs = ['Y']): Promise<unknown> {
    const net = core.Net('train');
    net.Proto().op.push(core.CreateOperator(type, inputs, outputs, args));
    return workspace.CreateNet(net, true);
  }

  it('names W, its shape and the columns X has when W does not match', async () => {
    await feed({ X: [64, 2], W: [1, 3], b: [1] });
    await expect(planFails('FC', ['X', 'W', 'b'], {})).rejects.toThrow(
      /^FC \(op #0 in net "train[^"]*"\): input W has shape \[1,3\], but X has 2 columns after axis=1 \(expected W of shape \[N,2\]\)$/,
    );
  });

  it('rejects a b whose length is not N', async () => {
    await feed({ X: [4, 2], W: [3, 2], b: [2] });
    await expect(planFails('FC', ['X', 'W', 'b'], {})).rejects.toThrow(/input b has shape \[2\], but W gives N=3 outputs \(expected b of shape \[3\]\)/);
  });

  it('rejects an int32 X', async () => {
    await feed({ Xi: [4, 2], W: [3, 2], b: [3] }, ['Xi']);
    await expect(planFails('FC', ['Xi', 'W', 'b'], {})).rejects.toThrow(/FC \(op #0 in net "train[^"]*"\): input Xi has dtype int32, expected float32/);
  });

  it('rejects an axis out of range', async () => {
    await feed({ X: [4, 2], W: [3, 2], b: [3] });
    await expect(planFails('FC', ['X', 'W', 'b'], { axis: 2 })).rejects.toThrow(/FC \(op #0 in net "train[^"]*"\): argument axis=2 is out of range for a 2-d input/);
    await expect(planFails('FC', ['X', 'W', 'b'], { axis: -3 })).rejects.toThrow(/argument axis=-3 is out of range/);
  });

  it('rejects a dY that does not match Y in FCGradient', async () => {
    await feed({ X: [4, 2], W: [3, 2], dY: [4, 2] });
    await expect(planFails('FCGradient', ['X', 'W', 'dY'], {}, ['dW', 'db', 'dX'])).rejects.toThrow(
      /FCGradient \(op #0 in net "train[^"]*"\): input dY has shape \[4,2\], but X and W give Y of shape \[4,3\] \(expected 12 elements\)/,
    );
  });
});

describe('FC and FCGradient on the 128x128 tile and on register blocks', () => {
  /** The kernels an op would dispatch for these input shapes (no GPU involved). */
  function shaders(type: string, shapes: number[][], outputs: number): string[] {
    const spec = getOpSpec(type);
    const op = core.CreateOperator(type, shapes.map((_, i) => `i${i}`), Array.from({ length: outputs }, (_, i) => `o${i}`));
    const ctx = makeOpContext(spec, op, 0, 'n', shapes.map((shape) => ({ shape, dtype: 'float32' as const })));
    return spec.kernels(ctx, spec.inferShape(ctx)).map((k) => k.shader);
  }

  it('takes it for large products, with vec4 loads when K (dX: N and K) is a multiple of 4', () => {
    expect(shaders('FC', [[257, 67], [131, 67], [131]], 1)).toEqual(['fc_big.wgsl']);
    expect(shaders('FC', [[257, 68], [131, 68], [131]], 1)).toEqual(['fc_big_v4.wgsl']);
    expect(shaders('FC', [[129, 68], [100, 68], [100]], 1)).toEqual(['fc.wgsl']);
    expect(shaders('FCGradient', [[257, 131], [67, 131], [257, 67]], 3).at(-1)).toBe('matmul_big.wgsl');
    expect(shaders('FCGradient', [[260, 132], [68, 132], [260, 68]], 3).at(-1)).toBe('matmul_big_v4.wgsl');
    // dW [N,K] from 4 big tiles on (its A is dY [M,N] transposed): N and K multiples of 4 for vec4s;
    // M over 512 is split, the partial products then summed.
    expect(shaders('FCGradient', [[300, 260], [131, 260], [300, 131]], 3)[0]).toBe('matmul_big.wgsl');
    expect(shaders('FCGradient', [[520, 260], [132, 260], [520, 132]], 3).slice(0, 2)).toEqual(['matmul_big_v4.wgsl', 'fc_grad_b.wgsl']);
    expect(shaders('FCGradient', [[300, 260], [120, 260], [300, 120]], 3)[0]).toBe('fc_grad_w.wgsl');
  });

  it('runs batches of up to 128 on register blocks: FC, and FCGradient\'s dW and dX', () => {
    // LeNet's fc3 at batch 64.
    expect(shaders('FC', [[64, 1600], [500, 1600], [500]], 1)).toEqual(['fc_reg.wgsl']);
    expect(shaders('FCGradient', [[64, 1600], [500, 1600], [64, 500]], 3)).toEqual(['matmul_reg.wgsl', 'fc_grad_b.wgsl', 'matmul_reg.wgsl']);
    expect(shaders('FC', [[128, 68], [131, 68], [131]], 1)).toEqual(['fc_reg.wgsl']);
    expect(shaders('FCGradient', [[128, 260], [131, 260], [128, 131]], 3)).toEqual(['matmul_reg.wgsl', 'fc_grad_b.wgsl', 'matmul_reg.wgsl']);
  });

  it('declares fusable forms only for weights of up to 4096 elements (larger keep their own kernels)', () => {
    const fusable = (type: string, shapes: number[][], outputs: number): boolean => {
      const spec = getOpSpec(type);
      const op = core.CreateOperator(type, shapes.map((_, i) => `i${i}`), Array.from({ length: outputs }, (_, i) => `o${i}`));
      const ctx = makeOpContext(spec, op, 0, 'n', shapes.map((shape) => ({ shape, dtype: 'float32' as const })));
      return spec.fusable!(ctx, spec.inferShape(ctx)) !== null;
    };
    expect(fusable('FC', [[64, 2], [1, 2], [1]], 1)).toBe(true);
    expect(fusable('FC', [[64, 64], [64, 64], [64]], 1)).toBe(true);
    expect(fusable('FC', [[64, 65], [64, 65], [64]], 1)).toBe(false);
    expect(fusable('FCGradient', [[64, 2], [1, 2], [64, 1]], 3)).toBe(true);
    expect(fusable('FCGradient', [[64, 1600], [500, 1600], [64, 500]], 3)).toBe(false);
  });

  // Blocks cut at every edge (rows, columns not multiples of 8), one row, the longest batch.
  it.each([
    [65, 37, 29],
    [1, 13, 5],
    [128, 9, 131],
  ])('FC and FCGradient on register blocks match the reference for M=%i N=%i K=%i', async (M, N, K) => {
    const [err] = await compareWithReference('FC', fcInputs(M, N, K));
    expect(err).toBeLessThan(1e-5);
    const errs = await compareWithReference('FCGradient', [randomTensor(rng, [M, K]), randomTensor(rng, [N, K]), randomTensor(rng, [M, N])], {}, 3);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
  });

  // Partial edge tiles, a partial last depth step, scalar and vec4 reads.
  it.each([
    [257, 131, 67],
    [260, 132, 68],
  ])('FC matches the reference for M=%i N=%i K=%i', async (M, N, K) => {
    const [err] = await compareWithReference('FC', fcInputs(M, N, K));
    expect(err).toBeLessThan(1e-5);
  });

  it.each([
    [257, 67, 131],
    [260, 68, 132],
  ])('FCGradient matches the reference for M=%i N=%i K=%i (dX on the big tile)', async (M, N, K) => {
    const errs = await compareWithReference('FCGradient', [randomTensor(rng, [M, K]), randomTensor(rng, [N, K]), randomTensor(rng, [M, N])], {}, 3);
    for (const e of errs) expect(e).toBeLessThan(1e-5);
  });

  // dW (and dX) on the big tile, dW over M in two parts; scalar and vec4 reads.
  it.each([
    [600, 131, 260],
    [520, 132, 260],
  ])('FCGradient matches the reference for M=%i N=%i K=%i (dW in parts on the big tile)', async (M, N, K) => {
    await expectLongSumsMatch([randomTensor(rng, [M, K]), randomTensor(rng, [N, K]), randomTensor(rng, [M, N])]);
  });
});
