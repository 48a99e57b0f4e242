import { describe, expect, it } from 'vitest';
import { core, caffe2_pb2, workspace, ArgumentError } from '../../src/index.js';
import { makeRng, useGpu } from '../helpers/gpu.js';

useGpu();

/** A tiny "pretrained model": init net with W [3,5] and b [3], predict net Y = FC(data, W, b), as .pb bytes. */
function model(rng: () => number): { init: Uint8Array; predict: Uint8Array; W: number[]; b: number[] } {
  const W = Array.from({ length: 15 }, () => rng() * 2 - 1);
  const b = Array.from({ length: 3 }, () => rng() * 2 - 1);
  const init = core.Net('pretrained_init');
  init.GivenTensorFill([], 'W', { shape: [3, 5], values: W });
  init.GivenTensorFill([], 'b', { shape: [3], values: b });
  const predict = core.Net('pretrained_predict');
  const data = predict.AddExternalInput('data');
  predict.AddExternalInputs('W', 'b');
  const Y = data.FC(['W', 'b'], 'Y');
  predict.AddExternalOutput(Y);
  return { init: init.ProtoBytes(), predict: predict.ProtoBytes(), W, b };
}

/** float64 FC: Y = X·Wᵀ + b. */
function fc(x: number[], rows: number, W: number[], b: number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) for (let o = 0; o < 3; o++) out.push(b[o]! + [0, 1, 2, 3, 4].reduce((s, k) => s + x[r * 5 + k]! * W[o * 5 + k]!, 0));
  return out;
}

describe('workspace.Predictor', () => {
  it('runs the init net once, then predicts from a dict or a list, re-planning for a new batch size', async () => {
    workspace.ResetWorkspace();
    const rng = makeRng(7);
    const m = model(rng);
    const p = new workspace.Predictor(m.init, m.predict);
    expect(p.input_names).toEqual(['data', 'W', 'b']);
    expect(p.output_names).toEqual(['Y']);
    for (const rows of [2, 5]) {
      const x = Array.from({ length: rows * 5 }, () => rng() * 4 - 2);
      const rowsOf = Array.from({ length: rows }, (_, r) => x.slice(r * 5, r * 5 + 5));
      const [fromDict] = await p.run({ data: rowsOf });
      const [fromList] = await p.run([rowsOf]);
      const want = fc(x, rows, m.W, m.b);
      expect(fromDict!.shape).toEqual([rows, 3]);
      for (const got of [fromDict!, fromList!]) got.data.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4));
    }
  });

  it('takes core.Nets too, and refuses inputs the predict net does not have', async () => {
    workspace.ResetWorkspace();
    const init = core.Net('p2_init');
    init.ConstantFill([], 'two', { shape: [1], value: 2 });
    const predict = core.Net('p2_predict');
    const y = predict.Mul(['x', 'two'], 'y', { broadcast: 1 });
    predict.AddExternalOutput(y);
    const p = new workspace.Predictor(init, predict);
    const [out] = await p.run({ x: [1.5, -3] });
    expect(Array.from(out!.data)).toEqual([3, -6]);
    await expect(p.run({ data: [1] })).rejects.toThrow(/"data" is not an external input of predict_net \(inputs: x, two\)/);
    await expect(p.run([[1], [2], [3]])).rejects.toThrow(ArgumentError);
  });

  it('reports a bad init net on run, and a predict net without outputs at once', async () => {
    const bad = core.Net('p3_init');
    bad.Copy(['missing'], 'x');
    const predict = core.Net('p3_predict');
    predict.AddExternalOutput(predict.Copy(['x'], 'y'));
    const p = new workspace.Predictor(bad, predict);
    await expect(p.run({ x: [1] })).rejects.toThrow(/missing/);
    expect(() => new workspace.Predictor(bad, core.Net('p3_empty'))).toThrow(/lists no external_output/);
  });

  it('runs nets built under a CUDA DeviceScope (the option is recorded, the op runs on WebGPU)', async () => {
    workspace.ResetWorkspace();
    const init = core.Net('p4_init');
    const predict = core.Net('p4_predict');
    core.DeviceScope(core.DeviceOption(caffe2_pb2.CUDA, 0), () => {
      init.ConstantFill([], 'three', { shape: [1], value: 3 });
      predict.AddExternalOutput(predict.Mul(['x', 'three'], 'y', { broadcast: 1, engine: 'CUDNN' }));
    });
    expect(predict.Proto().op[0]!.device_option).toEqual({ device_type: 1, device_id: 0 });
    const p = new workspace.Predictor(init.ProtoBytes(), predict.ProtoBytes());
    const [y] = await p.run([[2, -1]]);
    expect(Array.from(y!.data)).toEqual([6, -3]);
  });
});
