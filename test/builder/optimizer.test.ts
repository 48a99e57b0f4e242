import { describe, expect, it } from 'vitest';
import { ArgumentError, brew, core, model_helper, optimizer, type OperatorDef } from '../../src/index.js';

/** A two-layer MLP with its gradients, as a tutorial builds it. */
function mlp(name: string): ReturnType<typeof model_helper.ModelHelper> {
  const model = model_helper.ModelHelper({ name });
  const h = brew.relu(model, brew.fc(model, 'data', 'fc1', 4, 8), 'h');
  const pred = brew.fc(model, h, 'pred', 8, 3);
  const softmax = brew.softmax(model, pred, 'softmax');
  const xent = model.LabelCrossEntropy([softmax, 'label'], 'xent');
  const loss = model.AveragedLoss(xent, 'loss');
  model.AddGradientOperators([loss]);
  return model;
}

function argsOf(op: OperatorDef): Record<string, unknown> {
  return Object.fromEntries(op.arg.map((a) => [a.name, a.s ?? a.f ?? a.i ?? a.ints ?? a.floats]));
}

/** The ops after the gradient ops. */
function updates(model: ReturnType<typeof mlp>, from: number): OperatorDef[] {
  return model.net.Proto().op.slice(from);
}

describe('optimizer', () => {
  it('build_sgd without momentum: one AtomicIter and LearningRate (base_lr = −rate), WeightedSum per parameter', () => {
    const model = mlp('opt_sgd');
    const n = model.net.Proto().op.length;
    const sgd = optimizer.build_sgd(model, 0.1, { policy: 'step', stepsize: 1, gamma: 0.999 });
    const ops = updates(model, n);
    const lr = `SgdOptimizer_${sgd._instance_num}_lr_cpu`;
    expect(ops.map((o) => [o.type, o.input, o.output])).toEqual([
      ['AtomicIter', ['iteration_mutex', 'optimizer_iteration'], ['optimizer_iteration']],
      ['LearningRate', ['optimizer_iteration'], [lr]],
      ['WeightedSum', ['fc1_w', 'ONE_0_0', 'fc1_w_grad', lr], ['fc1_w']],
      ['WeightedSum', ['fc1_b', 'ONE_0_0', 'fc1_b_grad', lr], ['fc1_b']],
      ['WeightedSum', ['pred_w', 'ONE_0_0', 'pred_w_grad', lr], ['pred_w']],
      ['WeightedSum', ['pred_b', 'ONE_0_0', 'pred_b_grad', lr], ['pred_b']],
    ]);
    expect(argsOf(ops[1]!)).toEqual({ base_lr: expect.closeTo(-0.1, 6), policy: 'step', stepsize: 1, gamma: expect.closeTo(0.999, 6) });
    expect(ops[0]!.device_option).toEqual({ device_type: 0, device_id: 0 });
    const init = model.param_init_net.Proto().op.slice(4);
    expect(init.map((o) => [o.type, o.output[0], argsOf(o)])).toEqual([
      ['ConstantFill', 'optimizer_iteration', { shape: [1], value: 0, dtype: core.DataType.INT64 }],
      ['CreateMutex', 'iteration_mutex', {}],
      ['ConstantFill', 'ONE_0_0', { shape: [1], value: 1 }],
    ]);
    expect(sgd.get_auxiliary_parameters().shared.map(String)).toContain('ONE_0_0');
    // Python's keyword form: build_sgd(model, base_learning_rate=0.1, policy="step", …)
    const kw = mlp('opt_sgd_kw');
    optimizer.build_sgd(kw, { base_learning_rate: 0.1, policy: 'step', stepsize: 1, gamma: 0.999 });
    expect(argsOf(kw.net.Proto().op.find((o) => o.type === 'LearningRate')!)).toEqual(argsOf(ops[1]!));
    expect(() => optimizer.build_sgd(mlp('opt_sgd_kw2'), { base_learning_rate: 0.1 }, {})).toThrow(/not both/);
  });

  it('build_sgd with momentum: a positive rate and MomentumSGDUpdate with <param>_momentum (nesterov by default)', () => {
    const model = mlp('opt_momentum');
    const n = model.net.Proto().op.length;
    optimizer.build_sgd(model, 0.05, { momentum: 0.9 });
    const ops = updates(model, n);
    expect(argsOf(ops[1]!)).toEqual({ base_lr: expect.closeTo(0.05, 6), policy: 'fixed' });
    expect(ops[2]!.type).toBe('MomentumSGDUpdate');
    expect(ops[2]!.input).toEqual(['fc1_w_grad', 'fc1_w_momentum', ops[1]!.output[0], 'fc1_w']);
    expect(ops[2]!.output).toEqual(['fc1_w_grad', 'fc1_w_momentum', 'fc1_w']);
    expect(argsOf(ops[2]!)).toEqual({ momentum: expect.closeTo(0.9, 6), nesterov: 1 });
    const moment = model.param_init_net.Proto().op.find((o) => o.output[0] === 'pred_b_momentum')!;
    expect([moment.type, moment.input, argsOf(moment)]).toEqual(['ConstantFill', ['pred_b'], { value: 0 }]);
    const plain = mlp('opt_momentum_plain');
    optimizer.build_sgd(plain, 0.05, { momentum: 0.9, nesterov: false });
    expect(argsOf(plain.net.Proto().op.find((o) => o.type === 'MomentumSGDUpdate')!).nesterov).toBe(0);
  });

  it('build_adam and build_adagrad: moments zero-filled like the parameter; the shared counter feeds Adam', () => {
    const model = mlp('opt_adam');
    const n = model.net.Proto().op.length;
    optimizer.build_adam(model, 0.01, { beta1: 0.8 });
    const adam = updates(model, n).filter((o) => o.type === 'Adam');
    expect(adam).toHaveLength(4);
    expect(adam[0]!.input).toEqual(['fc1_w', 'fc1_w_first_moment', 'fc1_w_second_moment', 'fc1_w_grad', adam[0]!.input[4], 'optimizer_iteration']);
    expect(adam[0]!.input[4]).toMatch(/^AdamOptimizer_\d+_lr_cpu$/);
    expect(argsOf(adam[0]!)).toEqual({ beta1: expect.closeTo(0.8, 6), beta2: expect.closeTo(0.999, 6), epsilon: expect.closeTo(1e-8, 12) });

    const model2 = mlp('opt_adagrad');
    const m = model2.net.Proto().op.length;
    optimizer.build_adagrad(model2, 0.1, { parameters: ['pred_w'] });
    const ops = updates(model2, m);
    expect(ops.map((o) => o.type)).toEqual(['AtomicIter', 'LearningRate', 'Adagrad']);
    expect(ops[2]!.input).toEqual(['pred_w', 'pred_w_squared_sum', 'pred_w_grad', ops[1]!.output[0]]);
    expect(argsOf(ops[2]!)).toEqual({ epsilon: expect.closeTo(1e-4, 9), decay: 1 });
  });

  it('add_weight_decay: grad += wd · W for weights only, before the update', () => {
    const model = mlp('opt_wd');
    const n = model.net.Proto().op.length;
    optimizer.add_weight_decay(model, 1e-3);
    optimizer.build_sgd(model, 0.1);
    const ops = updates(model, n);
    expect(ops.slice(0, 2).map((o) => [o.type, o.input, o.output])).toEqual([
      ['WeightedSum', ['fc1_w_grad', 'ONE_0_0', 'fc1_w', 'wd_0_0'], ['fc1_w_grad']],
      ['WeightedSum', ['pred_w_grad', 'ONE_0_0', 'pred_w', 'wd_0_0'], ['pred_w_grad']],
    ]);
    expect(model.param_init_net.Proto().op.filter((o) => o.output[0] === 'ONE_0_0')).toHaveLength(1);
  });

  it('two optimizers on one model share the iteration counter but not the learning rate blob', () => {
    const model = mlp('opt_two');
    const a = new optimizer.SgdOptimizer(0.1);
    const b = new optimizer.SgdOptimizer(0.2);
    a.__call__(model.net, model.param_init_net, 'fc1_w', 'fc1_w_grad');
    b.__call__(model.net, model.param_init_net, model.get_param_info('pred_w')!);
    const types = model.net.Proto().op.map((o) => o.type);
    expect(types.filter((t) => t === 'AtomicIter')).toHaveLength(1);
    expect(types.filter((t) => t === 'LearningRate')).toHaveLength(2);
    expect(b._instance_num).toBe(a._instance_num + 1);
  });

  it('errors: negative SGD rate, unsupported options, a learning-rate policy argument LearningRate lacks', () => {
    expect(() => optimizer.build_sgd(mlp('opt_e1'), -0.1)).toThrow(/Expect positive base learning rate/);
    expect(() => optimizer.build_adam(mlp('opt_e2'), 0.1, { rowWise: true } as never)).toThrow(/rowWise is not supported/);
    expect(() => optimizer.build_sgd(mlp('opt_e3'), 0.1, { policy: 'step', stepsiz: 3 } as never)).toThrow(/stepsiz/);
    expect(() => optimizer.build_sgd(model_helper.ModelHelper({ name: 'opt_e4' }), 0.1)).toThrow(ArgumentError);
    expect(() => new optimizer.SgdOptimizer(0.1).__call__(core.Net('x'), core.Net('y'), 'w')).toThrow(/ParameterInfo/);
  });
});
