import { describe, expect, it } from 'vitest';
import { ArgumentError, BlobReference, ShapeError, UnknownOperatorError, brew, core, initializers, model_helper } from '../../src/index.js';

const { ModelHelper, ParameterTags } = model_helper;

describe('model_helper.ModelHelper', () => {
  it('has a net, a <name>_init param_init_net and Caffe2\'s default arg_scope', () => {
    const model = ModelHelper({ name: 'mh_names', arg_scope: { order: 'NHWC' } });
    expect(model.net.Name()).toMatch(/^mh_names/);
    expect(model.param_init_net.Name()).toMatch(/^mh_names_init/);
    expect(model.arg_scope).toEqual({ order: 'NHWC', use_cudnn: true, cudnn_exhaustive_search: false });
    expect(new ModelHelper().name).toBe('model');
    expect(model.init_params).toBe(true);
    expect(model.params).toEqual([]);
  });

  it('forwards every registered operator to net, as Caffe2\'s __getattr__ does', () => {
    const model = ModelHelper({ name: 'mh_forward' });
    const data = model.Cast('data_uint8', 'data', { to: core.DataType.FLOAT });
    const scaled = model.Scale(data, data, { scale: 1 / 256 });
    const xent = model.LabelCrossEntropy(['softmax', 'label'], 'xent');
    model.AveragedLoss(xent, 'loss');
    expect(scaled.name).toBe('data');
    expect(model.net.Proto().op.map((o) => o.type)).toEqual(['Cast', 'Scale', 'LabelCrossEntropy', 'AveragedLoss']);
    expect(model.Proto()).toBe(model.net.Proto());
    expect(() => (model as unknown as { Softmaks: unknown }).Softmaks).toThrow(UnknownOperatorError);
    expect(() => (model as unknown as { Softmaks: unknown }).Softmaks).toThrow(/Softmax/);
    expect((model as unknown as { lowercase: unknown }).lowercase).toBeUndefined();
  });

  it('param_to_grad after AddGradientOperators: look-up by name or BlobReference; twice is an error', () => {
    const model = ModelHelper({ name: 'mh_grads' });
    const fc = brew.fc(model, 'data', 'fc1', 3, 2);
    const loss = model.AveragedLoss(model.SquaredL2Distance([fc, 'target'], 'dist'), 'loss');
    expect(model.param_to_grad.size).toBe(0);
    const grads = model.AddGradientOperators([loss]);
    const [w, b] = model.params as [BlobReference, BlobReference];
    expect(model.param_to_grad.get(w)!.name).toBe('fc1_w_grad');
    expect(model.param_to_grad.get('fc1_b')!.name).toBe('fc1_b_grad');
    expect((model.param_to_grad as unknown as Record<string, BlobReference>)['fc1_w']!.name).toBe('fc1_w_grad');
    expect(grads.get('data')!.name).toBe('data_grad');
    expect(model.param_to_grad.has('data')).toBe(false);
    expect([...model.param_to_grad.keys()]).toEqual(['fc1_w', 'fc1_b']);
    expect(model.GetOptimizationParamInfo().map((i) => [i.name, i.grad!.name])).toEqual([
      ['fc1_w', 'fc1_w_grad'],
      ['fc1_b', 'fc1_b_grad'],
    ]);
    expect(model.get_param_info(b)!.shape).toEqual([2]);
    expect(() => model.AddGradientOperators([loss])).toThrow(/cannot run AddGradientOperators twice/);
  });

  it('GetOptimizationParamInfo before AddGradientOperators is an error', () => {
    const model = ModelHelper({ name: 'mh_early' });
    expect(() => model.GetOptimizationParamInfo()).toThrow(ArgumentError);
  });

  it('GetParams by name scope; weights, biases and computed params as tagged', () => {
    const model = ModelHelper({ name: 'mh_scopes' });
    core.NameScope('a', () => brew.fc(model, 'x', 'fc', 2, 2));
    core.NameScope('b', () => brew.spatial_bn(model, 'y', 'bn', 4));
    expect(model.GetParams().map(String)).toEqual(['a/fc_w', 'a/fc_b', 'b/bn_s', 'b/bn_b']);
    expect(model.GetParams('a').map(String)).toEqual(['a/fc_w', 'a/fc_b']);
    expect(core.NameScope('b', () => model.GetParams()).map(String)).toEqual(['b/bn_s', 'b/bn_b']);
    expect(model.GetComputedParams().map(String)).toEqual(['b/bn_rm', 'b/bn_riv']);
    expect(model.GetAllParams('b/').map(String)).toEqual(['b/bn_s', 'b/bn_b', 'b/bn_rm', 'b/bn_riv']);
    expect(model.weights.map(String)).toEqual(['a/fc_w', 'b/bn_s']);
    expect(model.biases.map(String)).toEqual(['a/fc_b', 'b/bn_b']);
  });

  it('create_param: a name asked twice is the same parameter; a different shape is a ShapeError; AddParameter tags', () => {
    const model = ModelHelper({ name: 'mh_create' });
    const init = new initializers.Initializer('GaussianFill', { std: 0.01 });
    const w = model.create_param('shared_w', [3, 2], init, ParameterTags.WEIGHT);
    expect(model.create_param('shared_w', [3, 2], init)).toBe(w);
    expect(() => model.create_param('shared_w', [2, 3], init)).toThrow(ShapeError);
    expect(model.param_init_net.Proto().op).toHaveLength(1);
    expect(model.param_init_net.Proto().op[0]).toMatchObject({ type: 'GaussianFill', output: ['shared_w'] });
    model.AddParameter(new BlobReference('extra'), ParameterTags.COMPUTED_PARAM);
    expect(model.GetComputedParams().map(String)).toEqual(['extra']);
    expect(() => model.AddParameter('extra' as unknown as BlobReference)).toThrow(TypeError);
    model.AddParameter(w);
    expect(() => model.Validate()).toThrow(/Duplicate params: shared_w/);
  });

  it('init_params false: the same parameters are registered, param_init_net stays empty', () => {
    const model = ModelHelper({ name: 'mh_test', init_params: false });
    const conv = brew.conv(model, 'data', 'conv1', 1, 4, 3);
    brew.fc(model, conv, 'fc', 4, 2);
    expect(model.param_init_net.Proto().op).toEqual([]);
    expect(model.GetParams().map(String)).toEqual(['conv1_w', 'conv1_b', 'fc_w', 'fc_b']);
    expect(model.net.Proto().op.map((o) => [o.type, o.input])).toEqual([
      ['Conv', ['data', 'conv1_w', 'conv1_b']],
      ['FC', ['conv1', 'fc_w', 'fc_b']],
    ]);
  });

  it('param_model shares param_init_net and the parameter list', () => {
    const train = ModelHelper({ name: 'mh_share_train' });
    brew.fc(train, 'x', 'fc', 2, 3);
    const test = ModelHelper({ name: 'mh_share_test', param_model: train });
    expect(test.param_init_net).toBe(train.param_init_net);
    expect(test.params).toBe(train.params);
    expect(test.net).not.toBe(train.net);
  });
});
