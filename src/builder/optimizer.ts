/**
 * Caffe2's optimizer module: build_sgd, build_adam, build_adagrad and add_weight_decay add, after a
 * model's gradient operators, one shared iteration counter (optimizer_iteration, bumped by
 * AtomicIter), one LearningRate blob per optimizer (LR = −base_learning_rate · policy(iter)), and
 * an update per parameter: WeightedSum (SGD), MomentumSGDUpdate, Adam or Adagrad, with their state
 * (`<param>_momentum`, `_first_moment`, `_second_moment`, `_squared_sum`) zero-filled in
 * param_init_net. Sparse gradients, LARS, gradient clipping and lr injection are not supported.
 */
import { DataType } from '../core/dtype.js';
import { ArgumentError } from '../core/errors.js';
import { BlobReference, blobName, describeValue, type BlobLike } from './blob_reference.js';
import type { ParameterInfo } from './initializers.js';
import type { ModelHelper } from './model_helper.js';
import type { BlobRef, Net, OpOptions } from './net.js';
import { CurrentDeviceScope, DeviceOption, DeviceScope, DeviceType } from './scope.js';

/** Caffe2's utils.OPTIMIZER_ITERATION_NAME and ITERATION_MUTEX_NAME. */
export const OPTIMIZER_ITERATION_NAME = 'optimizer_iteration';
export const ITERATION_MUTEX_NAME = 'iteration_mutex';

/** LearningRate's policy arguments (stepsize, gamma, …; composite sub-policies as sub_policy_<k>_<arg>). */
export type LrOptions = Omit<OpOptions<'LearningRate'>, 'base_lr'> & { [K in `sub_policy_${number}_${string}`]?: number | string };

const instanceCount = new Map<string, number>();

/** Arguments Caffe2's optimizers take that need machinery this runtime does not have. */
const UNSUPPORTED = ['sparse_dedup_aggregator', 'lars', 'rowWise', 'use_lr_adaption', 'max_gradient_norm', 'allow_lr_injection', 'output_effective_lr', 'output_effective_lr_and_update'];

function refuseUnsupported(where: string, kwargs: object): void {
  for (const k of UNSUPPORTED) if ((kwargs as Record<string, unknown>)[k] !== undefined) throw new ArgumentError(`${where}: ${k} is not supported by this runtime (dense gradients on one device only)`);
}

/**
 * The shared counter: `optimizer_iteration` (INT64, value iter_val) and `iteration_mutex` in init_net
 * on the CPU device, `AtomicIter` in net; reused when init_net already defines it (Caffe2's
 * utils.BuildUniqueMutexIter).
 */
export function BuildUniqueMutexIter(init_net: Net, net: Net, iter: string = OPTIMIZER_ITERATION_NAME, iter_mutex: string = ITERATION_MUTEX_NAME, iter_val = 0): BlobRef {
  if (init_net.BlobIsDefined(iter)) return init_net.GetBlobRef(iter);
  return DeviceScope(DeviceOption(DeviceType.CPU), () => {
    const iteration = init_net.ConstantFill([], iter, { shape: [1], value: iter_val, dtype: DataType.INT64 });
    const mutex = init_net.CreateMutex([], [iter_mutex]);
    net.AtomicIter([mutex, iteration], [iteration]);
    return iteration;
  });
}

/** A [1] ConstantFill in init_net, added once (Caffe2 re-adds it for every parameter, to the same effect). */
function constantOnce(init_net: Net, name: string, value: number): BlobRef {
  return init_net.BlobIsDefined(name) ? init_net.GetBlobRef(name) : init_net.ConstantFill([], name, { shape: [1], value });
}

/** The device a blob name is made for: the current DeviceScope, or the CPU (Caffe2's default). */
function currentDevice(): { device_type: number; device_id: number; node_name: string } {
  const d = CurrentDeviceScope();
  return { device_type: d?.device_type ?? DeviceType.CPU, device_id: d?.device_id ?? 0, node_name: d?.node_name ?? '' };
}

/** Auxiliary state: per-parameter blobs (moments) and blobs shared by all parameters (ONE, the counter). */
export interface AuxOptimizerParams {
  local: BlobReference[];
  shared: BlobReference[];
}

/** Base of the optimizers: call it on (net, param_init_net, param, grad) to add one parameter's update. */
export abstract class Optimizer {
  protected readonly _aux_params: AuxOptimizerParams = { local: [], shared: [] };
  /** Which instance of its class this is (its blob names carry it: SgdOptimizer_0_lr_cpu). */
  readonly _instance_num: number;

  constructor() {
    const cls = this.constructor.name;
    this._instance_num = instanceCount.get(cls) ?? 0;
    instanceCount.set(cls, this._instance_num + 1);
  }

  /** Adds the update of `param` (a ParameterInfo with its grad, or a blob plus `grad`). */
  __call__(net: Net, param_init_net: Net, param: ParameterInfo | BlobLike, grad?: BlobLike): void {
    let info: ParameterInfo;
    if (grad === undefined) {
      if (typeof param !== 'object' || param instanceof BlobReference || !param.grad) {
        throw new ArgumentError(`${this.constructor.name}: give a ParameterInfo with its grad, or the parameter and its gradient blob, got ${describeValue(param)}`);
      }
      info = param;
    } else {
      const blob = typeof param === 'string' ? new BlobReference(param) : param instanceof BlobReference ? param : param.blob;
      info = { name: blob.name, blob, grad: typeof grad === 'string' ? new BlobReference(grad) : grad };
    }
    this._run(net, param_init_net, info);
  }

  protected abstract _run(net: Net, param_init_net: Net, info: ParameterInfo): void;

  /** Multiplies the base learning rate (transfer learning); must come before the update is built. */
  abstract scale_learning_rate(scale: number): void;

  /** `<Class>_<n>_<base>_cpu`, or `…_gpu<id>` under a GPU DeviceScope. */
  make_unique_blob_name(base_str: string): string {
    const d = currentDevice();
    const prefix = `${this.constructor.name}_${this._instance_num}_${base_str}${d.node_name}`;
    return d.device_type === DeviceType.CUDA || d.device_type === DeviceType.HIP ? `${prefix}_gpu${d.device_id}` : `${prefix}_cpu`;
  }

  /** The learning rate blob (made once per optimizer and device) and the iteration counter. */
  build_lr(
    net: Net,
    param_init_net: Net,
    options: { base_learning_rate: number; learning_rate_blob?: string; policy?: string; iter_val?: number } & Omit<LrOptions, 'policy'>,
  ): [BlobRef, BlobRef] {
    const { base_learning_rate, learning_rate_blob, policy = 'fixed', iter_val = 0, ...kwargs } = options;
    const name = learning_rate_blob ?? this.make_unique_blob_name('lr');
    const iteration = BuildUniqueMutexIter(param_init_net, net, OPTIMIZER_ITERATION_NAME, ITERATION_MUTEX_NAME, iter_val);
    // Descent: the rate is negative, so WeightedSum([param, ONE, grad, lr]) subtracts.
    const lr = net.BlobIsDefined(name) ? net.GetBlobRef(name) : net.LearningRate([iteration], name, { base_lr: -base_learning_rate, policy, ...kwargs });
    return [lr, iteration];
  }

  /** The auxiliary state blobs this optimizer created. */
  get_auxiliary_parameters(): AuxOptimizerParams {
    return this._aux_params;
  }
}

export interface SgdOptions extends LrOptions {
  policy?: string;
  momentum?: number;
  /** With momentum: Nesterov's form (Caffe2's default 1). */
  nesterov?: boolean | number;
}

/** Plain SGD (WeightedSum with a negative rate) or momentum SGD (MomentumSGDUpdate with a positive one). */
export class SgdOptimizer extends Optimizer {
  base_learning_rate: number;
  readonly policy: string;
  readonly momentum: number;
  readonly nesterov: number;
  private readonly init_kwargs: LrOptions;

  constructor(base_learning_rate = 0.01, options: SgdOptions = {}) {
    super();
    refuseUnsupported('SgdOptimizer', options);
    const { policy = 'fixed', momentum = 0, nesterov = 1, ...kwargs } = options;
    this.base_learning_rate = base_learning_rate;
    this.policy = policy;
    this.momentum = momentum;
    this.nesterov = Number(nesterov);
    this.init_kwargs = kwargs;
  }

  protected _run(net: Net, param_init_net: Net, info: ParameterInfo): void {
    if (this.base_learning_rate === 0) return;
    if (!(this.base_learning_rate > 0)) throw new ArgumentError(`SgdOptimizer: Expect positive base learning rate, got ${this.base_learning_rate}`);
    // MomentumSGDUpdate subtracts lr·g itself, so with momentum the rate is built positive.
    const sign = this.momentum ? -1 : 1;
    const [lr] = this.build_lr(net, param_init_net, { ...this.init_kwargs, base_learning_rate: this.base_learning_rate * sign, policy: this.policy });
    const d = currentDevice();
    const ONE = constantOnce(param_init_net, `ONE_${d.device_type}_${d.device_id}${d.node_name}`, 1.0);
    this._aux_params.shared.push(ONE);
    if (this.momentum > 0) {
      const moment = param_init_net.ConstantFill(info.blob, `${info.name}_momentum`, { value: 0 });
      this._aux_params.local.push(moment);
      net.MomentumSGDUpdate([info.grad!, moment, lr, info.blob], [info.grad!, moment, info.blob], { momentum: this.momentum, nesterov: this.nesterov });
    } else {
      net.WeightedSum([info.blob, ONE, info.grad!, lr], info.blob);
    }
  }

  scale_learning_rate(scale: number): void {
    this.base_learning_rate *= scale;
  }
}

export interface AdamOptions extends LrOptions {
  policy?: string;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** Adam: per-parameter first and second moments; the shared iteration counter gives the bias correction. */
export class AdamOptimizer extends Optimizer {
  alpha: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly policy: string;
  private readonly init_kwargs: LrOptions;

  constructor(options: AdamOptions & { alpha?: number } = {}) {
    super();
    refuseUnsupported('AdamOptimizer', options);
    const { alpha = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, policy = 'fixed', ...kwargs } = options;
    this.alpha = alpha;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.policy = policy;
    this.init_kwargs = kwargs;
  }

  protected _run(net: Net, param_init_net: Net, info: ParameterInfo): void {
    if (this.alpha <= 0) return;
    const [lr, iteration] = this.build_lr(net, param_init_net, { ...this.init_kwargs, base_learning_rate: this.alpha, policy: this.policy });
    const m1 = param_init_net.ConstantFill(info.blob, `${info.name}_first_moment`, { value: 0 });
    const m2 = param_init_net.ConstantFill(info.blob, `${info.name}_second_moment`, { value: 0 });
    this._aux_params.shared.push(iteration);
    this._aux_params.local.push(m1, m2);
    net.Adam([info.blob, m1, m2, info.grad!, lr, iteration], [info.blob, m1, m2], { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon });
  }

  scale_learning_rate(scale: number): void {
    this.alpha *= scale;
  }
}

export interface AdagradOptions extends LrOptions {
  policy?: string;
  epsilon?: number;
  decay?: number;
}

/** Adagrad: a per-element rate from the running sum of squared gradients. */
export class AdagradOptimizer extends Optimizer {
  alpha: number;
  readonly epsilon: number;
  readonly decay: number;
  readonly policy: string;
  private readonly init_kwargs: LrOptions;

  constructor(options: AdagradOptions & { alpha?: number } = {}) {
    super();
    refuseUnsupported('AdagradOptimizer', options);
    const { alpha = 0.01, epsilon = 1e-4, decay = 1, policy = 'fixed', ...kwargs } = options;
    this.alpha = alpha;
    this.epsilon = epsilon;
    this.decay = decay;
    this.policy = policy;
    this.init_kwargs = kwargs;
  }

  protected _run(net: Net, param_init_net: Net, info: ParameterInfo): void {
    if (this.alpha <= 0) return;
    const [lr] = this.build_lr(net, param_init_net, { ...this.init_kwargs, base_learning_rate: this.alpha, policy: this.policy });
    const sum = param_init_net.ConstantFill([info.blob], `${info.name}_squared_sum`, { value: 0 });
    this._aux_params.local.push(sum);
    net.Adagrad([info.blob, sum, info.grad!, lr], [info.blob, sum], { epsilon: this.epsilon, decay: this.decay });
  }

  scale_learning_rate(scale: number): void {
    this.alpha *= scale;
  }
}

/** L2 regularisation: grad += weight_decay · param, before the update (Caffe2's WeightDecayBuilder). */
export class WeightDecayBuilder extends Optimizer {
  constructor(readonly weight_decay: number) {
    super();
  }

  protected _run(net: Net, param_init_net: Net, info: ParameterInfo): void {
    const d = currentDevice();
    const ONE = constantOnce(param_init_net, `ONE_${d.device_type}_${d.device_id}`, 1.0);
    const WD = constantOnce(param_init_net, `wd_${d.device_type}_${d.device_id}`, this.weight_decay);
    net.WeightedSum([info.grad!, ONE, info.blob, WD], info.grad!);
  }

  scale_learning_rate(): void {
    throw new ArgumentError('WeightDecayBuilder has no learning rate to scale');
  }
}

/** Runs `optimizer` over the model's parameters that have gradients (only its weights when `weights_only`). */
function build<T extends Optimizer>(model: ModelHelper, optimizer: T, weights_only = false): T {
  model.Validate();
  const weights = new Set(model.weights.map((w) => w.name));
  for (const info of model.GetOptimizationParamInfo()) {
    if (weights_only && !weights.has(info.name)) continue;
    optimizer.__call__(model.net, model.param_init_net, info);
  }
  return optimizer;
}

/** The rate and options of a build_* call: `(model, 0.1, { … })` or `(model, { base_learning_rate: 0.1, … })` as Python's keywords allow. */
function rateAndOptions<O extends object>(where: string, rate: number | (O & { base_learning_rate: number }), options: O | undefined): [number, O] {
  let r: unknown = rate;
  let o = options ?? ({} as O);
  if (typeof rate === 'object' && rate !== null) {
    if (options !== undefined) throw new ArgumentError(`${where}: give base_learning_rate either as the second argument or in the options, not both`);
    const { base_learning_rate, ...rest } = rate;
    [r, o] = [base_learning_rate, rest as unknown as O];
  }
  if (typeof r !== 'number' || !Number.isFinite(r)) throw new ArgumentError(`${where}: base_learning_rate must be a finite number, got ${describeValue(r)}`);
  return [r, o];
}

/** SGD over every parameter with a gradient: `build_sgd(model, 0.1, { policy: 'step', stepsize: 1, gamma: 0.999, momentum: 0.9 })`. */
export function build_sgd(model: ModelHelper, base_learning_rate: number | (SgdOptions & { base_learning_rate: number }), options?: SgdOptions): SgdOptimizer {
  const [rate, rest] = rateAndOptions('build_sgd', base_learning_rate, options);
  return build(model, new SgdOptimizer(rate, rest));
}

/** Adam over every parameter with a gradient (alpha = base_learning_rate). */
export function build_adam(model: ModelHelper, base_learning_rate: number | (AdamOptions & { base_learning_rate: number }), options?: AdamOptions): AdamOptimizer {
  const [rate, rest] = rateAndOptions('build_adam', base_learning_rate, options);
  return build(model, new AdamOptimizer({ ...rest, alpha: rate }));
}

type AdagradBuildOptions = AdagradOptions & { parameters?: readonly BlobLike[] };

/** Adagrad over every parameter with a gradient (alpha = base_learning_rate), or over `parameters` only. */
export function build_adagrad(model: ModelHelper, base_learning_rate: number | (AdagradBuildOptions & { base_learning_rate: number }), options?: AdagradBuildOptions): AdagradOptimizer {
  const [rate, { parameters, ...rest }] = rateAndOptions('build_adagrad', base_learning_rate, options);
  const opt = new AdagradOptimizer({ ...rest, alpha: rate });
  if (!parameters) return build(model, opt);
  model.Validate();
  for (const info of model.GetOptimizationParamInfo(parameters.map(blobName))) opt.__call__(model.net, model.param_init_net, info);
  return opt;
}

/** Adds weight_decay · W to the gradient of every weight (not biases); call it before build_sgd & co. */
export function add_weight_decay(model: ModelHelper, weight_decay: number): WeightDecayBuilder {
  if (typeof weight_decay !== 'number' || !Number.isFinite(weight_decay)) throw new ArgumentError(`add_weight_decay: weight_decay must be a finite number, got ${describeValue(weight_decay)}`);
  return build(model, new WeightDecayBuilder(weight_decay), true);
}
