import { describe, expect, it } from 'vitest';
import { core, workspace } from '../../src/index.js';
import { referenceOf, useGpu } from '../helpers/gpu.js';

useGpu();

let netId = 0;

/** The GPU learning rate at each iteration value (fed into ITER), with one created net per schedule. */
async function gpuRates(args: Record<string, unknown>, iters: readonly number[]): Promise<number[]> {
  const id = netId++;
  const iterBlob = `lr_iter_${id}`;
  await workspace.FeedBlob(iterBlob, new Int32Array([iters[0]!]));
  const net = core.Net(`lr_${id}`);
  net.LearningRate([iterBlob], `lr_${id}`, args);
  await workspace.CreateNet(net);
  const out: number[] = [];
  for (const it of iters) {
    await workspace.FeedBlob(iterBlob, new Int32Array([it]));
    await workspace.RunNet(net.Name());
    const t = await workspace.FetchBlob(`lr_${id}`);
    expect(t.shape).toEqual([]);
    expect(t.dtype).toBe('float32');
    out.push(t.data[0]!);
  }
  return out;
}

const refRate = (args: Record<string, unknown>, it: number): number =>
  referenceOf('LearningRate', [{ shape: [1], data: Float64Array.of(it), dtype: 'int32' }], args)[0]!.data[0]!;

/** Relative error of the GPU value against the float64 formula (exact zeros must stay zero). */
async function expectMatches(args: Record<string, unknown>, iters: readonly number[], tol = 1e-5): Promise<void> {
  const gpu = await gpuRates(args, iters);
  iters.forEach((it, j) => {
    const ref = refRate(args, it);
    const err = Math.abs(gpu[j]! - ref) / Math.max(Math.abs(ref), 1e-30);
    expect(err, `${String(args.policy)} at iteration ${it}: gpu ${gpu[j]} vs ${ref}`).toBeLessThan(tol);
  });
}

// Every policy of the spec's table, with iterations straddling each of its breakpoints.
const cases: Array<[string, Record<string, unknown>, number[]]> = [
  ['fixed', { base_lr: -0.1, policy: 'fixed' }, [0, 1, 100]],
  ['fixed with lr_scale', { base_lr: -0.1, policy: 'fixed', lr_scale: 2.5 }, [1, 7]],
  ['step', { base_lr: -0.1, policy: 'step', stepsize: 20, gamma: 0.9 }, [0, 1, 19, 20, 21, 39, 40, 99, 100, 1000]],
  ['exp', { base_lr: 0.5, policy: 'exp', gamma: 0.99 }, [0, 1, 2, 50, 100, 500]],
  ['inv', { base_lr: 0.3, policy: 'inv', gamma: 0.01, power: 0.75 }, [0, 1, 10, 100, 10000]],
  ['poly', { base_lr: 0.2, policy: 'poly', power: 2, max_iter: 100 }, [0, 1, 50, 99, 100]],
  ['poly with the default max_iter', { base_lr: 0.2, policy: 'poly', power: 0.5 }, [1, 100000]],
  ['linearWarmup', { base_lr: 1, policy: 'linearWarmup', start_multiplier: 0.2, num_iter: 10 }, [0, 1, 9, 10, 11]],
  ['constantWarmup', { base_lr: 1, policy: 'constantWarmup', multiplier: 0.3, num_iter: 5 }, [0, 4, 5, 6]],
  ['constantWarmup defaults', { base_lr: 1, policy: 'constantWarmup', num_iter: 2 }, [1, 2]],
  ['pieceWarmup', { base_lr: 1, policy: 'pieceWarmup', m1: 0.1, n1: 3, m2: 0.4, n2: 7, m3: 0.9 }, [0, 2, 3, 6, 7, 100]],
  ['alter active first', { base_lr: 1, policy: 'alter', active_period: 3, inactive_period: 2 }, [0, 1, 2, 3, 4, 5, 8, 9]],
  ['alter inactive first', { base_lr: 1, policy: 'alter', active_first: 0, active_period: 3, inactive_period: 2 }, [0, 1, 2, 3, 4, 5, 7]],
  ['hill', { base_lr: 0.5, policy: 'hill', num_iter: 10, start_multiplier: 0.1, gamma: 0.5, power: 0.5, end_multiplier: 0.2 }, [0, 5, 9, 10, 11, 20, 24, 100]],
  ['gate', { base_lr: 1, policy: 'gate', multiplier_1: 0.3, multiplier_2: 0.7, num_iter: 5 }, [0, 4, 5, 6]],
  ['slope', { base_lr: 1, policy: 'slope', num_iter_1: 5, multiplier_1: 1, num_iter_2: 15, multiplier_2: 0.1 }, [0, 4, 5, 6, 10, 15, 16, 100]],
  ['cyclical', { base_lr: 0.01, policy: 'cyclical', max_lr: 0.05, stepsize: 4, decay: 0.9 }, [0, 1, 2, 4, 6, 7, 8, 9, 12, 16, 17, 41]],
  ['cosine', { base_lr: 1, policy: 'cosine', max_lr: 0.5, min_lr: 0.1, period: 10, lr_shrink: 0.9 }, [0, 1, 5, 9, 10, 11, 25, 99]],
  ['cosine with t_mult 2', { base_lr: 1, policy: 'cosine', period: 10, t_mult: 2 }, [0, 9, 10, 11, 29, 30, 31, 69, 70, 71, 150]],
  ['cosine with t_mult 0.5', { base_lr: 2, policy: 'cosine', period: 16, t_mult: 0.5, lr_shrink: 1 }, [0, 15, 16, 23, 24, 27, 28]],
  ['constantThenLinearWarmup', { base_lr: 1, policy: 'constantThenLinearWarmup', start_warmup_multiplier: 0.1, constant_warmup_num_iter: 5, linear_warmup_num_iter: 10 }, [0, 4, 5, 6, 14, 15, 16]],
  ['constantThenLinearWarmup defaults', { base_lr: 1, policy: 'constantThenLinearWarmup' }, [0, 10000000, 15000000]],
  ['compositeCosine', { base_lr: 1, policy: 'compositeCosine', start_warmup_multiplier: 0.2, constant_warmup_num_iter: 3, linear_warmup_num_iter: 4, cosine_max_lr: 0.6, cosine_min_lr: 0.05, cosine_period: 5, cosine_t_mult: 1.5, cosine_lr_shrink: 0.8 }, [0, 2, 3, 6, 7, 8, 11, 12, 13, 40]],
  ['compositeCyclical', { base_lr: 0.01, policy: 'compositeCyclical', start_warmup_multiplier: 0.5, constant_warmup_num_iter: 2, linear_warmup_num_iter: 4, cyclical_max_lr: 0.04, cyclical_step_size: 3, cyclical_decay: 0.8 }, [0, 1, 2, 5, 6, 7, 9, 12, 13, 30]],
];

describe('LearningRate', () => {
  it.each(cases)('%s matches the float64 formula at chosen iterations', async (_name, args, iters) => {
    await expectMatches(args, iters);
  });

  it('follows the tutorial schedule (base_lr -0.1, step, stepsize 20, gamma 0.9) with Iter in the net', async () => {
    await workspace.RunOperatorOnce(core.CreateOperator('ConstantFill', [], 'T_ITER', { shape: [1], value: 0, dtype: core.DataType.INT32 }));
    const net = core.Net('lr_tutorial');
    net.Iter('T_ITER', 'T_ITER');
    net.LearningRate('T_ITER', 'T_LR', { base_lr: -0.1, policy: 'step', stepsize: 20, gamma: 0.9 });
    await workspace.CreateNet(net);
    const expected = (it: number): number => -0.1 * 0.9 ** Math.floor(it / 20);
    let done = 0;
    for (const target of [1, 19, 20, 21, 39, 40, 59, 60, 79, 80, 99, 100]) {
      await workspace.RunNet(net.Name(), target - done);
      done = target;
      const [iter, lr] = await workspace.FetchBlobs(['T_ITER', 'T_LR']);
      expect(iter!.data[0]).toBe(target);
      expect(Math.abs(lr!.data[0]! - expected(target)) / Math.abs(expected(target))).toBeLessThan(1e-6);
    }
    expect((await workspace.FetchBlob('T_LR')).data[0]).toBeCloseTo(-0.059049, 7);
  });

  it('composite runs each sub-policy from its start iteration (s_0 = 1), at the global iteration, times its lr_scale', async () => {
    const args = {
      base_lr: 0.5,
      policy: 'composite',
      sub_policy_num_iters: [5, 10, 3],
      sub_policy_0_policy: 'linearWarmup',
      sub_policy_0_start_multiplier: 0.1,
      sub_policy_0_num_iter: 5,
      sub_policy_1_policy: 'step',
      sub_policy_1_stepsize: 4,
      sub_policy_1_gamma: 0.5,
      sub_policy_1_lr_scale: 2,
      sub_policy_2_policy: 'cosine',
      sub_policy_2_period: 4,
      sub_policy_2_max_lr: 1,
      sub_policy_2_min_lr: 0.5,
    };
    const iters = [0, 1, 4, 5, 6, 15, 16, 18, 19, 25];
    await expectMatches(args, iters);
    const gpu = await gpuRates(args, iters);
    // Spot values straight from the definition: it 5 is sub-policy 0 (linear warmup done: f = 1),
    // it 6 is sub-policy 1 (0.5^(6/4) · 2), it 16 is sub-policy 2 (cosine at t = 0 of period 4).
    expect(gpu[3]).toBeCloseTo(0.5 * 1, 6);
    expect(gpu[4]).toBeCloseTo(0.5 * 0.5 * 2, 6);
    expect(gpu[6]).toBeCloseTo(0.5 * 0.99 ** 4 * 1, 5);
  });

  it('composite with two sub-policies', async () => {
    await expectMatches(
      { base_lr: -0.2, policy: 'composite', sub_policy_num_iters: [3, 1], sub_policy_0_policy: 'fixed', sub_policy_1_policy: 'exp', sub_policy_1_gamma: 0.9 },
      [1, 3, 4, 5, 50],
    );
  });

  it('composite with the most sub-policies (8) fills every slot of the uniform', async () => {
    const args: Record<string, unknown> = { base_lr: 0.1, policy: 'composite', sub_policy_num_iters: [1, 2, 1, 3, 1, 1, 2, 1] };
    for (let k = 0; k < 8; k++) {
      args[`sub_policy_${k}_policy`] = k % 2 ? 'exp' : 'gate';
      args[`sub_policy_${k}_lr_scale`] = k + 1;
      args[`sub_policy_${k}_gamma`] = 0.9 - 0.05 * k;
      args[`sub_policy_${k}_multiplier_1`] = 0.5 + 0.1 * k;
      args[`sub_policy_${k}_num_iter`] = 2 * k + 2;
    }
    await expectMatches(args, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 20]);
  });

  const rejects = async (args: Record<string, unknown>, message: RegExp, input: Int32Array | Float32Array = new Int32Array([1])): Promise<void> => {
    await workspace.FeedBlob('bad_iter', input);
    await expect(workspace.RunOperatorOnce(core.CreateOperator('LearningRate', ['bad_iter'], ['bad_lr'], args))).rejects.toThrow(message);
  };

  it('rejects the BVLC-Caffe multistep policy with Caffe2\'s message', async () => {
    await rejects({ base_lr: 0.1, policy: 'multistep' }, /LearningRate \(op #0.*Unknown learning rate policy: multistep/);
  });

  it('requires base_lr and policy', async () => {
    await rejects({ policy: 'fixed' }, /base_lr is required/);
    await rejects({ base_lr: 0.1 }, /policy is required/);
  });

  it('rejects bad composite definitions on the host', async () => {
    await rejects({ base_lr: 1, policy: 'composite' }, /needs sub_policy_num_iters/);
    await rejects({ base_lr: 1, policy: 'composite', sub_policy_num_iters: [2, 0], sub_policy_0_policy: 'fixed', sub_policy_1_policy: 'fixed' }, /sub_policy_num_iters\[1\] = 0/);
    await rejects({ base_lr: 1, policy: 'composite', sub_policy_num_iters: [2], sub_policy_0_policy: 'composite' }, /subpolicy of composite LR policy is not allowed/);
    await rejects({ base_lr: 1, policy: 'composite', sub_policy_num_iters: [2] }, /sub_policy_0_policy is missing/);
    await rejects({ base_lr: 1, policy: 'composite', sub_policy_num_iters: [2], sub_policy_0_policy: 'multistep' }, /Unknown learning rate policy: multistep \(sub_policy_0_policy\)/);
    await rejects({ base_lr: 1, policy: 'composite', sub_policy_num_iters: Array(9).fill(1), sub_policy_0_policy: 'fixed' }, /at most 8 sub-policies, got 9/);
    await rejects({ base_lr: 1, policy: 'composite', sub_policy_num_iters: [2], sub_policy_0_policy: 'fixed', sub_policy_3_gamma: 0.5 }, /sub_policy_3_gamma names sub-policy 3, but sub_policy_num_iters lists 1/);
    await rejects({ base_lr: 1, policy: 'step', stepsize: 2, gamma: 0.5, sub_policy_0_policy: 'fixed' }, /applies only to policy "composite"/);
    await rejects({ base_lr: 1, policy: 'composite', lr_scale: 2, sub_policy_num_iters: [2], sub_policy_0_policy: 'fixed' }, /give sub_policy_<k>_lr_scale instead/);
  });

  it('rejects arguments the kernel would divide by zero with', async () => {
    await rejects({ base_lr: 1, policy: 'step', gamma: 0.5 }, /policy step: stepsize must be positive, got 0/);
    await rejects({ base_lr: 1, policy: 'slope', num_iter_1: 5, num_iter_2: 5 }, /num_iter_2 \(5\) must be greater than num_iter_1 \(5\)/);
    await rejects({ base_lr: 1, policy: 'alter' }, /active_period \(-1\) and inactive_period \(-1\)/);
    await rejects({ base_lr: 1, policy: 'composite', sub_policy_num_iters: [2], sub_policy_0_policy: 'cosine', sub_policy_0_period: 0 }, /sub-policy 0 \(cosine\): period must be positive, got 0/);
    await rejects({ base_lr: 1, policy: 'step', stepsize: 2 ** 31, gamma: 0.5 }, /argument stepsize=2147483648 does not fit int32/);
  });

  it('reads the iteration as a one-element int32 blob', async () => {
    await rejects({ base_lr: 1, policy: 'fixed' }, /input bad_iter has dtype float32, expected the int32 iteration counter/, new Float32Array([1]));
    await rejects({ base_lr: 1, policy: 'fixed' }, /input bad_iter has shape \[2\], expected the one-element iteration counter/, new Int32Array([1, 2]));
  });
});
