import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import { referenceOf, useGpu } from '../helpers/gpu.js';

useGpu();

const INT32_MAX = 2147483647;

async function counterNet(name: string, start: number): Promise<string> {
  await workspace.FeedBlob(name, new Int32Array([start]));
  const net = core.Net(`iter_${name}`);
  net.Iter(name, name);
  await workspace.CreateNet(net);
  return net.Name();
}

describe('Iter', () => {
  it('increments once per RunNet and once per iteration of RunNet(n), on the GPU', async () => {
    const net = await counterNet('it_a', 0);
    await workspace.RunNet(net);
    expect(Array.from((await workspace.FetchBlob('it_a')).data)).toEqual([1]);
    const before = await workspace.Stats();
    await workspace.RunNet(net, 41);
    const after = await workspace.Stats();
    expect(Array.from((await workspace.FetchBlob('it_a')).data)).toEqual([42]);
    // One submit and one dispatch per iteration: the counter never goes through the host.
    expect(after.submits - before.submits).toBe(1);
    expect(after.dispatches - before.dispatches).toBe(41);
  });

  it('keeps the counter int32 and its shape, whether made as INT32 or INT64', async () => {
    for (const dtype of [core.DataType.INT32, core.DataType.INT64]) {
      const name = `it_dtype_${dtype}`;
      await workspace.RunOperatorOnce(core.CreateOperator('ConstantFill', [], name, { shape: [1], value: 5, dtype }));
      await workspace.RunOperatorOnce(core.CreateOperator('Iter', [name], [name]));
      const t = await workspace.FetchBlob(name);
      expect(t.dtype).toBe('int32');
      expect(t.shape).toEqual([1]);
      expect(Array.from(t.data)).toEqual([6]);
    }
    await workspace.FeedBlob('it_0d', 7, { dtype: 'int32' });
    await workspace.RunOperatorOnce(core.CreateOperator('Iter', ['it_0d'], ['it_0d']));
    const t = await workspace.FetchBlob('it_0d');
    expect(t.shape).toEqual([]);
    expect(Array.from(t.data)).toEqual([8]);
  });

  it('saturates at 2^31-1 instead of wrapping', async () => {
    const net = await counterNet('it_sat', INT32_MAX - 2);
    await workspace.RunNet(net, 5);
    expect(Array.from((await workspace.FetchBlob('it_sat')).data)).toEqual([INT32_MAX]);
    expect(referenceOf('Iter', [{ shape: [1], data: Float64Array.of(INT32_MAX), dtype: 'int32' }])[0]!.data[0]).toBe(INT32_MAX);
  });

  it('must run in place', async () => {
    await workspace.FeedBlob('it_b', new Int32Array([0]));
    await expect(workspace.RunOperatorOnce(core.CreateOperator('Iter', ['it_b'], ['it_c']))).rejects.toThrow(
      /Iter \(op #0.*must run in place: output "it_c" is not the counter "it_b"/,
    );
    await expect(workspace.RunOperatorOnce(core.CreateOperator('Iter', [], ['it_b']))).rejects.toThrow(/0-input form is deprecated/);
  });

  it('rejects float, multi-element, negative and about-to-overflow counters on the host', async () => {
    const run = (name: string): Promise<boolean> => workspace.RunOperatorOnce(core.CreateOperator('Iter', [name], [name]));
    await workspace.FeedBlob('it_f', [0]);
    await expect(run('it_f')).rejects.toThrow(/input it_f has dtype float32, expected int32/);
    await workspace.FeedBlob('it_2', new Int32Array([0, 0]));
    await expect(run('it_2')).rejects.toThrow(/input it_2 has shape \[2\], expected a counter of one element/);
    await workspace.FeedBlob('it_neg', new Int32Array([-1]));
    await expect(run('it_neg')).rejects.toThrow(/the counter it_neg is negative \(-1\)/);
    await workspace.FeedBlob('it_max', new Int32Array([INT32_MAX]));
    await expect(run('it_max')).rejects.toThrow(/would overflow int32/);
  });
});

describe('AtomicIter and CreateMutex', () => {
  it('increments under a mutex made by CreateMutex', async () => {
    await workspace.RunOperatorOnce(core.CreateOperator('CreateMutex', [], ['mtx']));
    const m = await workspace.FetchBlob('mtx');
    expect(m.dtype).toBe('int32');
    expect(m.shape).toEqual([1]);
    await workspace.RunOperatorOnce(core.CreateOperator('ConstantFill', [], 'opt_iter', { shape: [1], value: 0, dtype: core.DataType.INT64 }));
    const net = core.Net('atomic');
    net.AtomicIter(['mtx', 'opt_iter'], 'opt_iter');
    net.LearningRate('opt_iter', 'opt_lr', { base_lr: -0.1, policy: 'step', stepsize: 2, gamma: 0.5 });
    await workspace.CreateNet(net);
    await workspace.RunNet(net.Name(), 3);
    expect(Array.from((await workspace.FetchBlob('opt_iter')).data)).toEqual([3]);
    expect((await workspace.FetchBlob('opt_lr')).data[0]).toBeCloseTo(-0.05, 7);
  });

  it('must run in place on its counter and takes the mutex first', async () => {
    await workspace.FeedBlob('ai', new Int32Array([0]));
    await workspace.RunOperatorOnce(core.CreateOperator('CreateMutex', [], ['mtx2']));
    await expect(workspace.RunOperatorOnce(core.CreateOperator('AtomicIter', ['mtx2', 'ai'], ['ai2']))).rejects.toThrow(/must run in place/);
    await workspace.FeedBlob('not_mutex', [0, 0]);
    await expect(workspace.RunOperatorOnce(core.CreateOperator('AtomicIter', ['not_mutex', 'ai'], ['ai']))).rejects.toThrow(
      /input not_mutex is float32 \[2\], expected a mutex made by CreateMutex/,
    );
  });
});
