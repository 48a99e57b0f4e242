/**
 * Caffe2's brew: helpers that add a layer to a ModelHelper (its parameters in param_init_net, its
 * operator in net), called as `brew.fc(model, 'data', 'fc1', 784, 100)` or with the arguments by
 * name in a trailing options object. Helpers whose operators this runtime lacks (lrn, prelu,
 * instance_norm, conv_transpose, image_input, …) are left out rather than stubbed.
 */
import { DataType } from '../core/dtype.js';
import type { OpOptions, BlobRef } from './net.js';
import type { BlobInputs } from './operator.js';
import type { BlobLike } from './blob_reference.js';
import { arg_scope, get_current_scope, makeHelper, type Helper, type HelperSpec } from './brew_helper.js';
import { affixed, convSpec, fcSpec, outputOf, spatialBnSpec, type TransformInputs } from './brew_layers.js';
import type { InitSpec, ParamInitializer } from './initializers.js';
import type { ModelHelper } from './model_helper.js';
import { DeviceOption, DeviceType } from './scope.js';

type Out = BlobLike | null;
type In = readonly ['blob_in', BlobInputs];
type InOut = readonly [In, readonly ['blob_out', Out]];

interface InitOptions {
  weight_init?: InitSpec | null;
  bias_init?: InitSpec | null;
  WeightInitializer?: ParamInitializer | null;
  BiasInitializer?: ParamInitializer | null;
}
/** cuDNN switches Caffe2's helpers take; read and ignored here. */
interface CudnnOptions {
  use_cudnn?: boolean;
  cudnn_exhaustive_search?: boolean;
}
type Layout = 'NCHW' | 'NHWC';

export type FcOptions = InitOptions & { freeze_bias?: boolean } & OpOptions<'FC'>;
export type ConvOptions = InitOptions &
  CudnnOptions & { group?: number; transform_inputs?: TransformInputs; order?: Layout; ws_nbytes_limit?: number; no_bias?: boolean | number } & Omit<
    OpOptions<'Conv'>,
    'kernel' | 'group' | 'order' | 'no_bias'
  >;
export type PoolOptions = CudnnOptions & Omit<OpOptions<'MaxPool'>, 'order'> & { order?: Layout; count_include_pad?: boolean | number };
export type SpatialBnOptions = {
  init_scale?: number;
  init_bias?: number;
  ScaleInitializer?: ParamInitializer | null;
  BiasInitializer?: ParamInitializer | null;
  RunningMeanInitializer?: ParamInitializer | null;
  RunningVarianceInitializer?: ParamInitializer | null;
  order?: Layout;
} & Omit<OpOptions<'SpatialBN'>, 'order'>;
/** Elementwise activations: Caffe2's take `order` too (unused by the op). */
type ActOptions<K extends 'Relu' | 'Sigmoid' | 'Tanh' | 'LeakyRelu'> = CudnnOptions & { order?: Layout } & OpOptions<K>;

type ConvHelper = Helper<readonly [...InOut, readonly ['dim_in', number], readonly ['dim_out', number], readonly ['kernel', number]], ConvOptions, BlobRef>;

/** A helper that only adds its operator, with `fixed` arguments first and the caller's options after. */
function opHelper(op: string, keywords: readonly string[] = [], fixed: (a: Readonly<Record<string, unknown>>) => Record<string, unknown> = () => ({})): HelperSpec {
  return {
    positional: ['blob_in', 'blob_out'],
    keywords,
    op,
    build: (model, a, opArgs) => model.net.callOp(op, a.blob_in, a.blob_out, { ...fixed(a), ...opArgs }),
  };
}

/** Caffe2's relu/tanh pass `order` to ops that ignore it; ours refuse unknown arguments, so it stops here. */
const activation = (op: string): HelperSpec => opHelper(op, ['use_cudnn', 'order']);
const pool = (op: string): HelperSpec => opHelper(op, ['use_cudnn', 'order'], (a) => ({ order: a.order ?? 'NCHW' }));

const softmaxSpec: HelperSpec = {
  positional: ['blob_in', 'blob_out?'],
  keywords: ['use_cudnn'],
  op: 'Softmax',
  build: (model, a, opArgs) => model.net.callOp('Softmax', a.blob_in, a.blob_out ?? undefined, opArgs),
};

const dropoutSpec: HelperSpec = {
  positional: ['blob_in', 'blob_out'],
  keywords: [],
  op: 'Dropout',
  build(model, a, opArgs) {
    const out = a.blob_out as BlobLike;
    return (model.net.callOp('Dropout', a.blob_in, [out, affixed(out, '_mask', '_')], opArgs) as BlobRef[])[0];
  },
};

const concatSpec: HelperSpec = {
  positional: ['blobs_in', 'blob_out'],
  keywords: [],
  op: 'Concat',
  build(model, a, opArgs) {
    const out = outputOf(model, a.blob_out);
    // Concat refuses both: an explicit axis wins over the model's order. (Caffe2 tests `kwargs.get('axis')`, so axis 0 kept both and failed.)
    const { order, ...rest } = opArgs;
    const args = rest.axis !== undefined ? rest : { ...(order !== undefined ? { order } : {}), ...rest };
    return (model.net.callOp('Concat', a.blobs_in, [out, affixed(out, '_concat_dims', '_')], args) as BlobRef[])[0];
  },
};

const iterSpec: HelperSpec = {
  positional: ['blob_out'],
  keywords: ['device_option'],
  op: 'Iter',
  build(model, a, opArgs) {
    // The counter is made on the CPU in Caffe2 (an int64 it reads on the host); the option is recorded, the GPU holds it.
    model.param_init_net.callOp('ConstantFill', [], a.blob_out, { shape: [1], value: 0, dtype: DataType.INT64, device_option: DeviceOption(DeviceType.CPU, 0), ...opArgs });
    return model.net.callOp('Iter', a.blob_out, a.blob_out, opArgs);
  },
};

const registry: Record<string, HelperSpec> = {
  fc: fcSpec,
  conv: convSpec,
  spatial_bn: spatialBnSpec,
  max_pool: pool('MaxPool'),
  average_pool: pool('AveragePool'),
  relu: activation('Relu'),
  leaky_relu: activation('LeakyRelu'),
  sigmoid: activation('Sigmoid'),
  tanh: activation('Tanh'),
  softmax: softmaxSpec,
  accuracy: opHelper('Accuracy'),
  dropout: dropoutSpec,
  concat: concatSpec,
  transpose: opHelper('Transpose', ['use_cudnn']),
  sum: opHelper('Sum'),
  iter: iterSpec,
};

const helpers = {
  fc: makeHelper<Helper<readonly [...InOut, readonly ['dim_in', number], readonly ['dim_out', number]], FcOptions, BlobRef>>('fc', registry.fc!),
  conv: makeHelper<ConvHelper>('conv', registry.conv!),
  /** conv with its `group` option (Caffe2 keeps the name for old code). */
  group_conv: makeHelper<ConvHelper>('group_conv', registry.conv!),
  spatial_bn: makeHelper<Helper<readonly [...InOut, readonly ['dim_in', number]], SpatialBnOptions, BlobRef>>('spatial_bn', registry.spatial_bn!),
  max_pool: makeHelper<Helper<InOut, PoolOptions, BlobRef>>('max_pool', registry.max_pool!),
  average_pool: makeHelper<Helper<InOut, PoolOptions, BlobRef>>('average_pool', registry.average_pool!),
  relu: makeHelper<Helper<InOut, ActOptions<'Relu'>, BlobRef>>('relu', registry.relu!),
  leaky_relu: makeHelper<Helper<InOut, ActOptions<'LeakyRelu'>, BlobRef>>('leaky_relu', registry.leaky_relu!),
  sigmoid: makeHelper<Helper<InOut, ActOptions<'Sigmoid'>, BlobRef>>('sigmoid', registry.sigmoid!),
  tanh: makeHelper<Helper<InOut, ActOptions<'Tanh'>, BlobRef>>('tanh', registry.tanh!),
  /** blob_out may be left out (an automatic name). */
  softmax: makeHelper<
    ((model: ModelHelper, blob_in: BlobInputs, blob_out?: Out, options?: CudnnOptions & OpOptions<'Softmax'>) => BlobRef) &
      ((model: ModelHelper, blob_in: BlobInputs, options: CudnnOptions & OpOptions<'Softmax'>) => BlobRef)
  >('softmax', registry.softmax!),
  accuracy: makeHelper<Helper<InOut, OpOptions<'Accuracy'>, BlobRef>>('accuracy', registry.accuracy!),
  dropout: makeHelper<Helper<readonly [In, readonly ['blob_out', BlobLike]], OpOptions<'Dropout'>, BlobRef>>('dropout', registry.dropout!),
  concat: makeHelper<Helper<readonly [readonly ['blobs_in', BlobInputs], readonly ['blob_out', Out]], OpOptions<'Concat'>, BlobRef>>('concat', registry.concat!),
  transpose: makeHelper<Helper<InOut, CudnnOptions & OpOptions<'Transpose'>, BlobRef>>('transpose', registry.transpose!),
  sum: makeHelper<Helper<InOut, OpOptions<'Sum'>, BlobRef>>('sum', registry.sum!),
  iter: makeHelper<Helper<readonly [readonly ['blob_out', BlobLike]], OpOptions<'Iter'>, BlobRef>>('iter', registry.iter!),
};

/** True for the name of one of brew's helpers. */
function has_helper(helper: string | ((...args: never[]) => unknown)): boolean {
  return (typeof helper === 'string' ? helper : helper.name) in helpers;
}

/** Caffe2's brew module. */
export const brew = { ...helpers, arg_scope, get_current_scope, has_helper };
