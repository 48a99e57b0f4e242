/**
 * caffe2-webgpu: Caffe2's Python API over WebGPU. `core` builds nets (pure data), `workspace` plans
 * and runs them on the GPU.
 */
import './ops/all.js';
import { DataType } from './core/dtype.js';
import { BlobReference } from './builder/blob_reference.js';
import { Net, isNet } from './builder/net.js';
import { CreateOperator } from './builder/operator.js';
import { CurrentDeviceScope, CurrentNameScope, DeviceOption, DeviceScope, DeviceType, NameScope, ScopedBlobReference, ScopedName } from './builder/scope.js';
import { registeredOps } from './ops/registry.js';
import { ModelHelper, ParameterTags } from './builder/model_helper.js';
import { ExternalInitializer, Initializer, update_initializer } from './builder/initializers.js';

export * as workspace from './workspace.js';
/** Caffe2 protobuf (NetDef/TensorProtos) codecs, checkpoints and ONNX export. */
export * as proto from './proto/index.js';
/** Net drawings (DOT/SVG via Graphviz) and SVG line charts. */
export * as netDrawer from './viz/index.js';
/** The same module under Caffe2's name: `net_drawer.GetPydotGraph(net, 'train', 'LR')`. */
export * as net_drawer from './viz/index.js';

/** Caffe2's `core` module. */
export const core = {
  Net,
  BlobReference,
  DataType,
  CreateOperator,
  DeviceOption,
  DeviceScope,
  NameScope,
  ScopedName,
  ScopedBlobReference,
  CurrentNameScope,
  CurrentDeviceScope,
  isNet,
  registeredOps,
};

/** Caffe2's `model_helper` module: `model_helper.ModelHelper({ name, arg_scope, init_params })`. */
export const model_helper = { ModelHelper, ParameterTags };
/** Caffe2's `brew` helpers: `brew.fc(model, blob_in, blob_out, dim_in, dim_out)`, `brew.arg_scope`, … */
export { brew } from './builder/brew.js';
/** Caffe2's `optimizer` module: build_sgd, build_adam, build_adagrad, add_weight_decay. */
export * as optimizer from './builder/optimizer.js';
/** Caffe2's `modeling.initializers`: what brew's `WeightInitializer` options take. */
export const initializers = { Initializer, ExternalInitializer, update_initializer };

/** The parts of Caffe2's generated `caffe2_pb2` module that tutorials touch: device types. */
export const caffe2_pb2 = { ...DeviceType };

export { DataType, BlobReference, Net, CreateOperator, registeredOps, DeviceOption, DeviceScope, NameScope };
export type { Net as NetType, OpType, OpOptions, BlobInputs, CommonOptions, BlobRef } from './builder/net.js';
export type { BlobLike } from './builder/blob_reference.js';
export type { NetDef, OperatorDef, Argument, DeviceOption as DeviceOptionDef } from './core/netdef.js';
export type { DType } from './core/dtype.js';
export { Tensor, formatFloat32 } from './runtime/tensor.js';
export { GradientMap } from './builder/gradient_map.js';
export type { ModelHelper as ModelHelperType, ModelHelperOptions, ParameterTag, ArgScopeValue } from './builder/model_helper.js';
export type { InitSpec, ParameterInfo } from './builder/initializers.js';
export type { FcOptions, ConvOptions, PoolOptions, SpatialBnOptions } from './builder/brew.js';
export { buildToyRegression } from './models/toy_regression.js';
export type { ToyRegressionOptions, ToyRegressionNets } from './models/toy_regression.js';
export type { AdapterDescription, DeviceOptions } from './runtime/device.js';
export type { RuntimeStats } from './runtime/gpu_context.js';
export type { FeedData, FeedOptions } from './runtime/host_data.js';
export type { BlobName, WorkspaceLimits } from './runtime/workspace.js';
export { setKernelSources } from './runtime/gpu_context.js';
export { staticSources } from './runtime/kernel_source.js';
export {
  Caffe2Error,
  ShapeError,
  DTypeError,
  MissingBlobError,
  MissingNetError,
  MissingWorkspaceError,
  LimitError,
  UnknownOperatorError,
  ArgumentError,
  KernelCompileError,
  DeviceError,
} from './core/errors.js';
