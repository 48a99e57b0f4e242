import { describe, expect, it } from 'vitest';
import { ArgumentError, DTypeError, DataType, core, workspace } from '../../src/index.js';
import type { HostTensor } from '../../src/ops/registry.js';
import { checkGradient, compareWithReference, makeRng, opError, randomIntTensor, randomTensor, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(67);

const bytes = (shape: number[]): HostTensor => ({ ...randomIntTensor(rng, shape, 0, 255), dtype: 'uint8' });
const TARGETS = ['FLOAT', 'DOUBLE', 'INT32', 'INT64', 'BOOL', 'UINT8', 'INT8', 'INT16', 'UINT16'];

describe('Cast', () => {
  it.each([[1], [5], [65], [1001]])('converts float32, int32 and uint8 inputs of %i elements to every target like the reference', async (n) => {
    const sources = [randomTensor(rng, [n], -300, 300), randomIntTensor(rng, [n], -70000, 70000), bytes([n])];
    for (const x of sources) {
      for (const to of TARGETS) {
        const [err] = await compareWithReference('Cast', [x], { to });
        expect(err, `${x.dtype ?? 'float32'} -> ${to}`).toBe(0);
      }
    }
  });

  it('truncates toward zero, wraps narrow integers and packs uint8 (values written out by hand)', async () => {
    const x = { shape: [2, 3], data: Float64Array.from([-1.5, 2.7, 255.9, 256, -129, 0]) };
    const [i] = await runOp('Cast', [x], { to: DataType.INT32 });
    expect(i!.dtype).toBe('int32');
    expect(Array.from(i!.data)).toEqual([-1, 2, 255, 256, -129, 0]);
    const [u] = await runOp('Cast', [x], { to: 'uint8' });
    expect(u!.dtype).toBe('uint8');
    expect(u!.data).toBeInstanceOf(Int32Array);
    expect(u!.shape).toEqual([2, 3]);
    expect(Array.from(u!.data)).toEqual([255, 2, 255, 0, 127, 0]);
    const [s] = await runOp('Cast', [x], { to: 'INT8' });
    expect(Array.from(s!.data)).toEqual([-1, 2, -1, 0, 127, 0]);
    const [b] = await runOp('Cast', [x], { to: 'bool' });
    expect(Array.from(b!.data)).toEqual([1, 1, 1, 1, 1, 0]);
  });

  it('turns fed uint8 image data into floats', async () => {
    const pixels = Uint8Array.from([0, 17, 128, 255, 3, 9, 200]);
    await workspace.FeedBlob('img_u8', pixels, [7]);
    const fed = await workspace.FetchBlob('img_u8');
    expect(fed.dtype).toBe('uint8');
    expect(Array.from(fed.data)).toEqual(Array.from(pixels));
    await workspace.RunOperatorOnce(core.CreateOperator('Cast', ['img_u8'], ['img_f'], { to: 'FLOAT' }));
    const f = await workspace.FetchBlob('img_f');
    expect(f.dtype).toBe('float32');
    expect(Array.from(f.data)).toEqual([0, 17, 128, 255, 3, 9, 200]);
  });

  it('passes finite differences float to float; the gradient casts back with to and from_type swapped', async () => {
    const [e] = await checkGradient('Cast', [randomTensor(rng, [3, 5])], { to: 'FLOAT', from_type: 'FLOAT' });
    expect(e).toBeLessThan(1e-3);
    const net = core.Net('cast_grad');
    net.Proto().op.push(core.CreateOperator('Cast', ['X'], ['Y'], { to: DataType.DOUBLE, from_type: 'FLOAT' }));
    net.AddGradientOperators({ Y: 'Y_grad' });
    const g = net.Proto().op.filter((o) => o.is_gradient_op);
    expect(g.map((o) => [o.type, o.input, o.output, o.arg])).toEqual([
      ['Cast', ['Y_grad'], ['X_grad'], [{ name: 'to', s: 'FLOAT' }, { name: 'from_type', i: DataType.DOUBLE }]],
    ]);
  });

  it('needs from_type for its gradient, and rejects unknown or unsupported targets', async () => {
    const net = core.Net('cast_no_from');
    net.Proto().op.push(core.CreateOperator('Cast', ['X'], ['Y'], { to: 'FLOAT' }));
    expect(() => net.AddGradientOperators({ Y: 'Y_grad' })).toThrow(/argument from_type is required to get the gradient of Cast/);
    expect(() => core.CreateOperator('Cast', ['X'], ['Y'], { to: 'FLAOT' })).toThrow(ArgumentError);
    const e = await opError('Cast', [randomTensor(rng, [2])], { to: DataType.STRING });
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toMatch(/Cast \(op #0.*cannot cast to STRING/);
  });
});

describe('uint8 blobs', () => {
  it('keep their bytes through FeedBlob, Reshape, Copy and FetchBlob (odd sizes, packed four to a word)', async () => {
    const x = bytes([3, 7]);
    const [y] = await runOp('Reshape', [x], { shape: [7, 3] }, 2);
    expect(y!.dtype).toBe('uint8');
    expect(Array.from(y!.data)).toEqual(Array.from(x.data));
    const [c] = await runOp('Copy', [bytes([5])]);
    expect(c!.data).toHaveLength(5);
  });

  it('are refused by kernels that index words, with a hint to Cast', async () => {
    const e = await opError('Transpose', [bytes([2, 3])]);
    expect(e).toBeInstanceOf(DTypeError);
    expect(e.message).toMatch(/input in0_\d+ is uint8, which Transpose does not take \(Cast it to INT32 or FLOAT first\)/);
    expect(await opError('Add', [bytes([2]), bytes([2])])).toBeInstanceOf(DTypeError);
    expect(await opError('Concat', [bytes([2]), bytes([2])], { axis: 0 }, 2)).toBeInstanceOf(DTypeError);
  });

  it('reject fed values outside 0..255', async () => {
    await expect(workspace.FeedBlob('bad_u8', [1, 256], { dtype: 'uint8' })).rejects.toThrow(/value 256 at index 1 does not fit uint8/);
    await expect(workspace.FeedBlob('bad_u8', [1, 2], { dtype: DataType.UINT8 })).resolves.toBe(true);
    expect((await workspace.FetchBlob('bad_u8')).dtype).toBe('uint8');
  });
});
