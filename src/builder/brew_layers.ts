/**
 * brew's helpers that create parameters (caffe2/python/helpers/fc.py, conv.py, normalization.py):
 * blob names `<blob_out>_w`, `_b` (`_s`, `_b`, `_rm`, `_riv` for SpatialBN), XavierFill weights and
 * ConstantFill biases unless told otherwise, registered with the model as weights, biases or
 * computed parameters.
 */
import { ArgumentError } from '../core/errors.js';
import { BlobReference, type BlobLike } from './blob_reference.js';
import type { HelperSpec } from './brew_helper.js';
import { ExternalInitializer, update_initializer, type InitSpec, type ParamInitializer } from './initializers.js';
import { ParameterTags, type ModelHelper } from './model_helper.js';

/** `blob_out` with `prefix`/`suffix` added: a string stays a string (the NameScope applies later), a reference stays exact. */
export function affixed(out: BlobLike, suffix: string, prefix = ''): BlobLike {
  return typeof out === 'string' ? prefix + out + suffix : new BlobReference(prefix + out.name + suffix);
}

/** The output name, or the net's next automatic one when none is given (Caffe2's `blob_out or model.net.NextName()`). */
export function outputOf(model: ModelHelper, blob_out: unknown): BlobLike {
  return blob_out === null || blob_out === undefined ? model.net.NextName() : (blob_out as BlobLike);
}

function dim(helper: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ArgumentError(`brew.${helper}: ${name} must be a positive whole number, got ${String(v)}`);
  return v;
}

/** An initializer from `<X>Initializer` and `<x>_init`, or an external one when the model does not initialise. */
function initializerOf(model: ModelHelper, given: unknown, spec: unknown, fallback: InitSpec): ParamInitializer {
  const init = update_initializer(given as ParamInitializer | undefined, spec as InitSpec | undefined, fallback);
  return model.init_params ? init : new ExternalInitializer();
}

export const fcSpec: HelperSpec = {
  positional: ['blob_in', 'blob_out', 'dim_in', 'dim_out'],
  keywords: ['weight_init', 'bias_init', 'WeightInitializer', 'BiasInitializer', 'freeze_bias'],
  op: 'FC',
  build(model, a, opArgs) {
    const out = outputOf(model, a.blob_out);
    const [dimIn, dimOut] = [dim('fc', 'dim_in', a.dim_in), dim('fc', 'dim_out', a.dim_out)];
    const w = model.create_param(affixed(out, '_w'), [dimOut, dimIn], initializerOf(model, a.WeightInitializer, a.weight_init, ['XavierFill', {}]), ParameterTags.WEIGHT);
    // A frozen bias is kept out of the optimised parameters, as Caffe2 tags it COMPUTED_PARAM.
    const biasTags = a.freeze_bias ? [ParameterTags.BIAS, ParameterTags.COMPUTED_PARAM] : ParameterTags.BIAS;
    const b = model.create_param(affixed(out, '_b'), [dimOut], initializerOf(model, a.BiasInitializer, a.bias_init, ['ConstantFill', {}]), biasTags);
    return model.net.callOp('FC', [a.blob_in as BlobLike, w, b], out, opArgs);
  },
};

/** transform_inputs: may rewrite the Conv's input list (e.g. to quantise the weight) before the op is added. */
export type TransformInputs = (model: ModelHelper, blob_out: BlobLike, inputs: BlobLike[]) => void;

export const convSpec: HelperSpec = {
  positional: ['blob_in', 'blob_out', 'dim_in', 'dim_out', 'kernel'],
  // use_cudnn, cudnn_exhaustive_search and ws_nbytes_limit choose cuDNN in Caffe2; here they are read and have no effect.
  keywords: ['weight_init', 'bias_init', 'WeightInitializer', 'BiasInitializer', 'group', 'transform_inputs', 'use_cudnn', 'order', 'cudnn_exhaustive_search', 'ws_nbytes_limit', 'no_bias'],
  op: 'Conv',
  build(model, a, opArgs) {
    const out = outputOf(model, a.blob_out);
    const [dimIn, dimOut, kernel] = [dim('conv', 'dim_in', a.dim_in), dim('conv', 'dim_out', a.dim_out), dim('conv', 'kernel', a.kernel)];
    const group = a.group === undefined ? 1 : dim('conv', 'group', a.group);
    const order = a.order ?? 'NCHW';
    if (order !== 'NCHW' && order !== 'NHWC') throw new ArgumentError(`brew.conv: order must be "NCHW" or "NHWC", got ${String(order)}`);
    if (dimIn % group !== 0) throw new ArgumentError(`brew.conv: dim_in ${dimIn} is not divisible by group ${group}`);
    const cg = dimIn / group;
    const shape = order === 'NCHW' ? [dimOut, cg, kernel, kernel] : [dimOut, kernel, kernel, cg];
    const w = model.create_param(affixed(out, '_w'), shape, initializerOf(model, a.WeightInitializer, a.weight_init, ['XavierFill', {}]), ParameterTags.WEIGHT);
    const inputs: BlobLike[] = [a.blob_in as BlobLike, w];
    if (!a.no_bias) {
      inputs.push(model.create_param(affixed(out, '_b'), [dimOut], initializerOf(model, a.BiasInitializer, a.bias_init, ['ConstantFill', {}]), ParameterTags.BIAS));
    }
    if (a.transform_inputs !== undefined && a.transform_inputs !== null) {
      if (typeof a.transform_inputs !== 'function') throw new TypeError('brew.conv: transform_inputs must be a function (model, blob_out, inputs) => void');
      (a.transform_inputs as TransformInputs)(model, out, inputs);
    }
    // The op tells a bias from none by its input count, so no_bias is not passed on (as in Caffe2).
    return model.net.callOp('Conv', inputs, out, { kernel, order, ...(group !== 1 ? { group } : {}), ...opArgs });
  },
};

export const spatialBnSpec: HelperSpec = {
  positional: ['blob_in', 'blob_out', 'dim_in'],
  keywords: ['init_scale', 'init_bias', 'ScaleInitializer', 'BiasInitializer', 'RunningMeanInitializer', 'RunningVarianceInitializer', 'order'],
  op: 'SpatialBN',
  build(model, a, opArgs) {
    const out = outputOf(model, a.blob_out);
    const c = dim('spatial_bn', 'dim_in', a.dim_in);
    const param = (suffix: string, given: unknown, value: number, tag: (typeof ParameterTags)[keyof typeof ParameterTags]): BlobReference =>
      model.create_param(affixed(out, suffix), [c], initializerOf(model, given, ['ConstantFill', { value }], ['ConstantFill', {}]), tag);
    const scale = param('_s', a.ScaleInitializer, (a.init_scale as number | undefined) ?? 1, ParameterTags.WEIGHT);
    const bias = param('_b', a.BiasInitializer, (a.init_bias as number | undefined) ?? 0, ParameterTags.BIAS);
    const rm = param('_rm', a.RunningMeanInitializer, 0, ParameterTags.COMPUTED_PARAM);
    const riv = param('_riv', a.RunningVarianceInitializer, 1, ParameterTags.COMPUTED_PARAM);
    const inputs = [a.blob_in as BlobLike, scale, bias, rm, riv];
    const options = { order: a.order ?? 'NCHW', ...opArgs };
    if (opArgs.is_test) return model.net.callOp('SpatialBN', inputs, [out], options);
    const outs = model.net.callOp('SpatialBN', inputs, [out, rm, riv, affixed(out, '_sm'), affixed(out, '_siv')], options) as BlobReference[];
    return outs[0];
  },
};
