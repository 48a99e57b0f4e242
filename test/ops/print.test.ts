import { afterEach, describe, expect, it } from 'vitest';
import { ArgumentError, DTypeError, ShapeError, core, workspace } from '../../src/index.js';
import { compareWithReference, makeRng, opError, randomIntTensor, randomTensor, runOp, useGpu } from '../helpers/gpu.js';

useGpu();
const rng = makeRng(71);

/** Collects the log sink's lines while `run` runs. */
async function linesOf(run: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  workspace.SetLogSink((l) => lines.push(l));
  await run();
  return lines;
}

afterEach(() => workspace.SetLogSink(null));

describe('Print', () => {
  it('writes each run\'s values once the RunNet call completes, with one readback for all iterations', async () => {
    await workspace.FeedBlob('pr_x', [[1.5, -2], [0.25, 3]]);
    const net = core.Net('print_net');
    net.Proto().op.push(core.CreateOperator('Scale', ['pr_x'], ['pr_x'], { scale: 2 }));
    net.Proto().op.push(core.CreateOperator('Print', ['pr_x'], []));
    await workspace.CreateNet(net);
    const before = (await workspace.Stats()).mapAsyncs;
    const lines = await linesOf(() => workspace.RunNet(net.Name(), 3));
    expect((await workspace.Stats()).mapAsyncs - before).toBe(1);
    expect(lines).toEqual([
      'pr_x (float32 [2,2]): 3.0 -4.0 0.5 6.0',
      'pr_x (float32 [2,2]): 6.0 -8.0 1.0 12.0',
      'pr_x (float32 [2,2]): 12.0 -16.0 2.0 24.0',
    ]);
  });

  it('counts every_n across RunNet calls', async () => {
    await workspace.FeedBlob('pe_x', new Int32Array([7]));
    const net = core.Net('print_every');
    net.Proto().op.push(core.CreateOperator('Print', ['pe_x'], [], { every_n: 3 }));
    await workspace.CreateNet(net);
    const lines = await linesOf(async () => {
      for (let i = 0; i < 7; i++) await workspace.RunNet(net.Name());
    });
    expect(lines).toEqual(['pe_x (int32 [1]): 7', 'pe_x (int32 [1]): 7', 'pe_x (int32 [1]): 7']);
  });

  it('prints at most limit values, int32 and packed uint8 tensors by value', async () => {
    const x = randomTensor(rng, [3, 5]);
    const lines = await linesOf(() => runOp('Print', [x], { limit: 4 }, 0));
    expect(lines).toHaveLength(1);
    const values = lines[0]!.replace(/^in0_\d+ \(float32 \[3,5\]\): /, '').replace(/ \.\.\. \(11 more\)$/, '').split(' ').map((s) => Math.fround(Number(s)));
    expect(values).toEqual(Array.from(x.data.subarray(0, 4)));
    const ints = randomIntTensor(rng, [5], -1000, 1000);
    expect((await linesOf(() => runOp('Print', [ints], {}, 0)))[0]).toMatch(new RegExp(`\\(int32 \\[5\\]\\): ${Array.from(ints.data).join(' ')}$`));
    const bytes = { ...randomIntTensor(rng, [7], 0, 255), dtype: 'uint8' as const };
    expect((await linesOf(() => runOp('Print', [bytes], {}, 0)))[0]).toMatch(new RegExp(`\\(uint8 \\[7\\]\\): ${Array.from(bytes.data).join(' ')}$`));
  });

  it('keeps 100 records per RunNet call and says how many it dropped', async () => {
    await workspace.FeedBlob('pd_x', [1]);
    const net = core.Net('print_many');
    net.Proto().op.push(core.CreateOperator('Print', ['pd_x'], []));
    await workspace.CreateNet(net);
    const lines = await linesOf(() => workspace.RunNet(net.Name(), 130));
    expect(lines).toHaveLength(101);
    expect(lines[100]).toBe('pd_x: 30 more records in this run were not kept (the log holds 100 per RunNet call)');
  });

  it('rejects bad limit and every_n', async () => {
    const x = randomTensor(rng, [2]);
    const e1 = await opError('Print', [x], { limit: -1 }, 0);
    expect(e1).toBeInstanceOf(ArgumentError);
    expect(e1.message).toMatch(/^Print \(op #0.*limit must be >= 0/);
    expect((await opError('Print', [x], { every_n: 0 }, 0)).message).toMatch(/every_n must be at least 1, got 0/);
  });
});

describe('Summarize', () => {
  it.each([[[1]], [[7]], [[3, 5]], [[1001]]])('gives [min, max, mean, std] of shape %j like the reference', async (shape) => {
    const [err] = await compareWithReference('Summarize', [randomTensor(rng, shape, -3, 5)]);
    expect(err).toBeLessThan(1e-5);
  });

  it('with to_file writes "<input>.summary: min max mean std" to the log sink each run', async () => {
    await workspace.FeedBlob('su_x', [1, 2, 3, 6]);
    const net = core.Net('summarize_log');
    net.Proto().op.push(core.CreateOperator('Summarize', ['su_x'], [], { to_file: 1 }));
    await workspace.CreateNet(net);
    const lines = await linesOf(() => workspace.RunNet(net.Name(), 2));
    expect(lines).toEqual(['su_x.summary: 1.0 6.0 3.0 2.1602468', 'su_x.summary: 1.0 6.0 3.0 2.1602468']);
    expect(await linesOf(() => runOp('Summarize', [randomTensor(rng, [3])], {}, 1))).toEqual([]);
  });

  it('rejects int and empty inputs, and a gradient reaching it', async () => {
    expect(await opError('Summarize', [randomIntTensor(rng, [3], 0, 5)])).toBeInstanceOf(DTypeError);
    const e = await opError('Summarize', [randomTensor(rng, [0, 3])]);
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/is empty; there is nothing to summarize/);
    const net = core.Net('summarize_grad');
    net.Proto().op.push(core.CreateOperator('Summarize', ['X'], ['S']));
    expect(() => net.AddGradientOperators({ S: 'S_grad' })).toThrow(/must not be differentiated/);
  });
});
