import { describe, expect, it } from 'vitest';
import { ArgumentError, brew, core, initializers, model_helper, type NetDef, type OperatorDef } from '../../src/index.js';

const { ModelHelper } = model_helper;

/** An op's arguments as a plain name → value object. */
function args(op: OperatorDef): Record<string, unknown> {
  return Object.fromEntries(op.arg.map((a) => [a.name, a.s ?? a.f ?? a.i ?? a.ints ?? a.floats ?? a.strings]));
}

function summary(net: NetDef): Array<[string, string[], string[], Record<string, unknown>]> {
  return net.op.map((o) => [o.type, o.input, o.output, args(o)]);
}

describe('brew', () => {
  it('builds the MNIST tutorial\'s LeNet as Caffe2 does: op types, parameter names, shapes and fills', () => {
    const model = ModelHelper({ name: 'brew_lenet', arg_scope: { order: 'NCHW' } });
    const conv1 = brew.conv(model, 'data', 'conv1', 1, 20, 5);
    const pool1 = brew.max_pool(model, conv1, 'pool1', { kernel: 2, stride: 2 });
    const conv2 = brew.conv(model, pool1, 'conv2', { dim_in: 20, dim_out: 100, kernel: 5 });
    const pool2 = brew.max_pool(model, conv2, 'pool2', { kernel: 2, stride: 2 });
    const fc3 = brew.fc(model, pool2, 'fc3', 100 * 4 * 4, 500);
    const relu = brew.relu(model, fc3, fc3);
    const pred = brew.fc(model, relu, 'pred', 500, 10);
    const softmax = brew.softmax(model, pred, 'softmax');
    expect(softmax.name).toBe('softmax');
    expect(summary(model.net.Proto())).toEqual([
      ['Conv', ['data', 'conv1_w', 'conv1_b'], ['conv1'], { kernel: 5, order: 'NCHW' }],
      ['MaxPool', ['conv1'], ['pool1'], { order: 'NCHW', kernel: 2, stride: 2 }],
      ['Conv', ['pool1', 'conv2_w', 'conv2_b'], ['conv2'], { kernel: 5, order: 'NCHW' }],
      ['MaxPool', ['conv2'], ['pool2'], { order: 'NCHW', kernel: 2, stride: 2 }],
      ['FC', ['pool2', 'fc3_w', 'fc3_b'], ['fc3'], {}],
      ['Relu', ['fc3'], ['fc3'], {}],
      ['FC', ['fc3', 'pred_w', 'pred_b'], ['pred'], {}],
      ['Softmax', ['pred'], ['softmax'], {}],
    ]);
    expect(summary(model.param_init_net.Proto())).toEqual([
      ['XavierFill', [], ['conv1_w'], { shape: [20, 1, 5, 5] }],
      ['ConstantFill', [], ['conv1_b'], { shape: [20] }],
      ['XavierFill', [], ['conv2_w'], { shape: [100, 20, 5, 5] }],
      ['ConstantFill', [], ['conv2_b'], { shape: [100] }],
      ['XavierFill', [], ['fc3_w'], { shape: [500, 1600] }],
      ['ConstantFill', [], ['fc3_b'], { shape: [500] }],
      ['XavierFill', [], ['pred_w'], { shape: [10, 500] }],
      ['ConstantFill', [], ['pred_b'], { shape: [10] }],
    ]);
    expect(model.GetParams().map(String)).toEqual(['conv1_w', 'conv1_b', 'conv2_w', 'conv2_b', 'fc3_w', 'fc3_b', 'pred_w', 'pred_b']);
    expect(model.weights.map(String)).toEqual(['conv1_w', 'conv2_w', 'fc3_w', 'pred_w']);
  });

  it('positional and options forms build the same op; a value given both ways, too many or a missing one are errors', () => {
    const build = (f: (m: ReturnType<typeof ModelHelper>) => unknown): NetDef[] => {
      const m = ModelHelper({ name: 'brew_forms' });
      f(m);
      return [m.net.Proto(), m.param_init_net.Proto()].map((n) => ({ ...n, name: '' }));
    };
    const a = build((m) => brew.fc(m, 'x', 'y', 3, 4, { weight_init: ['GaussianFill', { std: 0.1 }], axis: 1 }));
    const b = build((m) => brew.fc(m, 'x', 'y', { dim_in: 3, dim_out: 4, weight_init: ['GaussianFill', { std: 0.1 }], axis: 1 }));
    const c = build((m) => brew.fc(m, { blob_in: 'x', blob_out: 'y', dim_in: 3, dim_out: 4, weight_init: ['GaussianFill', { std: 0.1 }], axis: 1 }));
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(summary(a[1]!)[0]).toEqual(['GaussianFill', [], ['y_w'], { shape: [4, 3], std: expect.closeTo(0.1, 6) }]);
    const m = ModelHelper({ name: 'brew_bad' });
    expect(() => brew.fc(m, 'x', 'y', 3, { dim_in: 3, dim_out: 4 } as never)).toThrow(/multiple values for argument 'dim_in'/);
    expect(() => (brew.fc as (...a: unknown[]) => unknown)(m, 'x', 'y', 3, 4, 5)).toThrow(/takes 4 positional arguments/);
    expect(() => (brew.fc as (...a: unknown[]) => unknown)(m, 'x', 'y', 3)).toThrow(/missing its argument 'dim_out'/);
    expect(() => (brew.fc as (...a: unknown[]) => unknown)('x', 'y', 3, 4)).toThrow(/first input of helper function should be model/);
    expect(() => brew.fc(m, 'x', 'y', 3, 0)).toThrow(ArgumentError);
    expect(() => brew.fc(m, 'x', 'y', 3, 4, { weight_init: 'XavierFill' as never })).toThrow(/\[operator, args\]/);
    expect(() => brew.fc(m, 'x', 'z', 3, 4, { bogus: 1 } as never)).toThrow(/bogus/);
  });

  it('model arg_scope order NHWC: conv weights [M, k, k, C], pools and conv carry order; fc gets no order', () => {
    const model = ModelHelper({ name: 'brew_nhwc', arg_scope: { order: 'NHWC' } });
    const c = brew.conv(model, 'data', 'c', 6, 8, 3, { group: 2, pad: 1 });
    brew.average_pool(model, c, 'p', { kernel: 2 });
    brew.fc(model, 'p', 'f', 8, 2);
    expect(summary(model.param_init_net.Proto())[0]).toEqual(['XavierFill', [], ['c_w'], { shape: [8, 3, 3, 3] }]);
    const ops = summary(model.net.Proto());
    expect(ops[0]![3]).toEqual({ kernel: 3, order: 'NHWC', group: 2, pad: 1 });
    expect(ops[1]![3]).toEqual({ order: 'NHWC', kernel: 2 });
    expect(ops[2]![3]).toEqual({});
    expect(() => brew.conv(model, 'data', 'c2', 5, 8, 3, { group: 2 })).toThrow(/dim_in 5 is not divisible by group 2/);
  });

  it('brew.arg_scope gives helpers defaults inside the callback only; explicit options win; scopes nest', () => {
    const model = ModelHelper({ name: 'brew_argscope' });
    const result = brew.arg_scope([brew.conv, brew.max_pool], { order: 'NHWC' }, () => {
      brew.conv(model, 'data', 'c1', 3, 4, 3);
      brew.conv(model, 'data', 'c2', 3, 4, 3, { order: 'NCHW' });
      brew.arg_scope(brew.conv, { pad: 1 }, () => brew.conv(model, 'data', 'c3', 3, 4, 3));
      expect(brew.get_current_scope()).toEqual({ conv: { order: 'NHWC' }, max_pool: { order: 'NHWC' } });
      return 'done';
    });
    expect(result).toBe('done');
    brew.conv(model, 'data', 'c4', 3, 4, 3);
    expect(model.net.Proto().op.map((o) => args(o))).toEqual([
      { kernel: 3, order: 'NHWC' },
      { kernel: 3, order: 'NCHW' },
      { kernel: 3, order: 'NHWC', pad: 1 },
      { kernel: 3, order: 'NCHW' },
    ]);
    expect(brew.get_current_scope()).toEqual({});
    // A scoped default the op does not declare stays out (Caffe2's FC would ignore it); passed explicitly it is an error.
    brew.arg_scope([brew.conv, brew.fc], { order: 'NHWC', use_cudnn: true }, () => brew.fc(model, 'data', 'f', 3, 4));
    expect(args(model.net.Proto().op[4]!)).toEqual({});
    expect(() => brew.fc(model, 'data', 'f2', 3, 4, { order: 'NHWC' } as never)).toThrow(/order/);
    brew.group_conv(model, 'data', 'g', 4, 4, 3, { group: 2 });
    expect(args(model.net.Proto().op[5]!)).toEqual({ kernel: 3, order: 'NCHW', group: 2 });
    expect(() => brew.arg_scope([() => 0], {}, () => 0)).toThrow(/brew helper functions/);
    expect(() =>
      brew.arg_scope(brew.relu, { order: 'NHWC' }, () => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(brew.get_current_scope()).toEqual({});
  });

  it('spatial_bn: scale/bias parameters, running moments computed and updated in place, saved moments; is_test: one output', () => {
    const model = ModelHelper({ name: 'brew_bn' });
    const y = brew.spatial_bn(model, 'x', 'bn', 3, { epsilon: 1e-3 });
    expect(y.name).toBe('bn');
    expect(summary(model.net.Proto())).toEqual([
      ['SpatialBN', ['x', 'bn_s', 'bn_b', 'bn_rm', 'bn_riv'], ['bn', 'bn_rm', 'bn_riv', 'bn_sm', 'bn_siv'], { order: 'NCHW', epsilon: expect.closeTo(1e-3, 6) }],
    ]);
    expect(summary(model.param_init_net.Proto()).map((o) => [o[2][0], o[3]])).toEqual([
      ['bn_s', { shape: [3], value: 1 }],
      ['bn_b', { shape: [3], value: 0 }],
      ['bn_rm', { shape: [3], value: 0 }],
      ['bn_riv', { shape: [3], value: 1 }],
    ]);
    const test = ModelHelper({ name: 'brew_bn_test', init_params: false });
    brew.spatial_bn(test, 'x', 'bn', 3, { is_test: 1 });
    expect(summary(test.net.Proto())[0]!.slice(1, 3)).toEqual([['x', 'bn_s', 'bn_b', 'bn_rm', 'bn_riv'], ['bn']]);
  });

  it('dropout, concat, transpose, accuracy, leaky_relu, sigmoid, tanh, sum and iter name their outputs as Caffe2 does', () => {
    const model = ModelHelper({ name: 'brew_misc' });
    expect(brew.dropout(model, 'a', 'd', { ratio: 0.25 }).name).toBe('d');
    expect(brew.concat(model, ['a', 'b'], 'cat').name).toBe('cat');
    brew.concat(model, ['a', 'b'], 'cat0', { axis: 0 });
    brew.transpose(model, 'a', 't', { axes: [1, 0] });
    brew.accuracy(model, ['softmax', 'label'], 'accuracy');
    brew.leaky_relu(model, 'a', 'lr', { alpha: 0.2 });
    brew.sigmoid(model, 'a', 's');
    brew.tanh(model, 'a', 'th');
    brew.sum(model, ['a', 'b'], 'sum');
    const auto = brew.softmax(model, 'a');
    expect(auto.name).toMatch(/Softmax/);
    const it_ = brew.iter(model, 'ITER');
    expect(it_.name).toBe('ITER');
    expect(summary(model.net.Proto())).toEqual([
      ['Dropout', ['a'], ['d', '_d_mask'], { ratio: 0.25 }],
      ['Concat', ['a', 'b'], ['cat', '_cat_concat_dims'], { order: 'NCHW' }],
      ['Concat', ['a', 'b'], ['cat0', '_cat0_concat_dims'], { axis: 0 }],
      ['Transpose', ['a'], ['t'], { axes: [1, 0] }],
      ['Accuracy', ['softmax', 'label'], ['accuracy'], {}],
      ['LeakyRelu', ['a'], ['lr'], { alpha: expect.closeTo(0.2, 6) }],
      ['Sigmoid', ['a'], ['s'], {}],
      ['Tanh', ['a'], ['th'], {}],
      ['Sum', ['a', 'b'], ['sum'], {}],
      ['Softmax', ['a'], [auto.name], {}],
      ['Iter', ['ITER'], ['ITER'], {}],
    ]);
    const fill = model.param_init_net.Proto().op[0]!;
    expect(summary(model.param_init_net.Proto())).toEqual([['ConstantFill', [], ['ITER'], { shape: [1], value: 0, dtype: core.DataType.INT64 }]]);
    expect(fill.device_option).toEqual({ device_type: 0, device_id: 0 });
  });

  it('WeightInitializer / BiasInitializer objects, and a name scope on parameters and outputs', () => {
    const model = ModelHelper({ name: 'brew_inits' });
    core.NameScope('block', () =>
      brew.fc(model, 'x', 'fc', 2, 3, { WeightInitializer: new initializers.Initializer('MSRAFill'), BiasInitializer: new initializers.Initializer(null), bias_init: ['ConstantFill', { value: 0.5 }] }),
    );
    expect(summary(model.param_init_net.Proto())).toEqual([
      ['MSRAFill', [], ['block/fc_w'], { shape: [3, 2] }],
      ['ConstantFill', [], ['block/fc_b'], { shape: [3], value: 0.5 }],
    ]);
    expect(summary(model.net.Proto())[0]!.slice(1, 3)).toEqual([['block/x', 'block/fc_w', 'block/fc_b'], ['block/fc']]);
    expect(() => brew.fc(model, 'x', 'g', 2, 3, { WeightInitializer: new initializers.Initializer('MSRAFill'), weight_init: ['XavierFill', {}] })).toThrow(/already has operator_name/);
    expect(brew.has_helper('fc')).toBe(true);
    expect(brew.has_helper(brew.conv)).toBe(true);
    expect(brew.has_helper('lrn')).toBe(false);
  });
});
