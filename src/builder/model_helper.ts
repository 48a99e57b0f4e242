/**
 * Caffe2's model_helper.ModelHelper: a training net, the param_init_net that creates its
 * parameters, and the bookkeeping brew and the optimizers share (params, weights, biases, computed
 * params, param_to_grad). Every registered operator is also a method that adds to `net`
 * (`model.LabelCrossEntropy([...], 'xent')`), as Caffe2's `__getattr__` does.
 */
import { ArgumentError, ShapeError, UnknownOperatorError, didYouMean, fmtShape } from '../core/errors.js';
import { hasOp, registeredOps } from '../ops/registry.js';
import { BlobReference, blobName, describeValue, type BlobLike } from './blob_reference.js';
import { GradientMap, type GradientSeeds } from './gradient_map.js';
import type { ParamInitializer, ParameterInfo } from './initializers.js';
import { Net, type NetOps } from './net.js';
import { CurrentNameScope, NAMESCOPE_SEPARATOR, ScopedName } from './scope.js';

/** Caffe2's ParameterTags: how brew's helpers classify the parameters they create. */
export const ParameterTags = { BIAS: 'BIAS', WEIGHT: 'WEIGHT', COMPUTED_PARAM: 'COMPUTED_PARAM' } as const;
export type ParameterTag = (typeof ParameterTags)[keyof typeof ParameterTags];

/** A value an arg_scope may hold (what a Caffe2 argument can be). */
export type ArgScopeValue = string | number | boolean | readonly number[] | readonly string[];

/** ModelHelper's keyword arguments. */
export interface ModelHelperOptions {
  /** The net's name (param_init_net gets `<name>_init`); default "model". */
  name?: string;
  /** false: the helpers create no fills; parameters must already be in the workspace (a test model). */
  init_params?: boolean;
  /** Defaults for brew's helpers, on top of { order: 'NCHW', use_cudnn: true, cudnn_exhaustive_search: false }. */
  arg_scope?: Readonly<Record<string, ArgScopeValue>>;
  /** Share param_init_net and the parameter lists of another model. */
  param_model?: ModelHelper;
}

const OP_LIKE = /^[A-Z][A-Za-z0-9]*$/;

function normalizeTags(tags: ParameterTag | readonly ParameterTag[] | null | undefined): Set<ParameterTag> {
  if (tags === null || tags === undefined) return new Set();
  return new Set(typeof tags === 'string' ? [tags] : tags);
}

/** The parameter lists one model may share with another (Caffe2's param_model). */
interface ParamStore {
  param_init_net: Net;
  params: BlobReference[];
  computed: BlobReference[];
  info: Map<string, ParameterInfo>;
}

class ModelHelperImpl {
  readonly name: string;
  readonly net: Net;
  readonly param_init_net: Net;
  /** Parameters trained by gradient descent, in creation order. */
  readonly params: BlobReference[];
  readonly weights: BlobReference[] = [];
  readonly biases: BlobReference[] = [];
  readonly init_params: boolean;
  /** Parameter → gradient blob, filled by AddGradientOperators; look up by name or BlobReference. */
  param_to_grad = new GradientMap();
  /** The full forward blob → gradient map, once AddGradientOperators has run. */
  grad_map: GradientMap | null = null;
  gradient_ops_added = false;
  private readonly store: ParamStore;
  private readonly scope: Record<string, ArgScopeValue>;

  constructor(options: ModelHelperOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError(`ModelHelper takes an options object ({ name, arg_scope, init_params }), got ${describeValue(options)}`);
    this.name = options.name || 'model';
    this.net = Net(this.name);
    const shared = options.param_model;
    if (shared !== undefined && !isModelHelper(shared)) throw new TypeError(`ModelHelper: param_model must be a ModelHelper, got ${describeValue(shared)}`);
    this.store = shared
      ? (shared as unknown as ModelHelperImpl).store
      : { param_init_net: Net(this.name + '_init'), params: [], computed: [], info: new Map() };
    if (shared) this.param_to_grad = shared.param_to_grad;
    this.param_init_net = this.store.param_init_net;
    this.params = this.store.params;
    this.init_params = options.init_params ?? true;
    this.scope = { order: 'NCHW', use_cudnn: true, cudnn_exhaustive_search: false, ...(options.arg_scope ?? {}) };
    return new Proxy(this, {
      get(target, prop, receiver) {
        if (typeof prop !== 'string' || prop in target) return Reflect.get(target, prop, receiver);
        if (hasOp(prop)) return (inputs?: unknown, outputs?: unknown, opts?: unknown) => target.net.callOp(prop, inputs ?? [], outputs, opts);
        if (OP_LIKE.test(prop)) {
          throw new UnknownOperatorError(`ModelHelper "${target.name}": method ${prop} is not a registered operator.${didYouMean(prop, registeredOps())}`);
        }
        return undefined;
      },
    });
  }

  /** The helpers' default arguments (a copy). */
  get arg_scope(): Record<string, ArgScopeValue> {
    return { ...this.scope };
  }

  /** Computed parameters (e.g. SpatialBN's running moments): kept in the model, never given gradients. */
  get computed_params(): BlobReference[] {
    return this.store.computed;
  }

  get_name(): string {
    return this.name;
  }

  /**
   * Creates a parameter in param_init_net with `initializer`, under the current NameScope when
   * `param_name` is a string; the same name twice returns the first blob (shapes must agree).
   */
  create_param(param_name: BlobLike, shape: readonly number[], initializer: ParamInitializer, tags?: ParameterTag | readonly ParameterTag[]): BlobReference {
    const name = typeof param_name === 'string' ? ScopedName(param_name) : blobName(param_name);
    const known = this.store.info.get(name);
    if (known) {
      if (known.shape && fmtShape(known.shape) !== fmtShape(shape)) {
        throw new ShapeError(`ModelHelper "${this.name}": parameter ${name} exists with shape ${fmtShape(known.shape)}, asked again with ${fmtShape(shape)}`);
      }
      return known.blob;
    }
    const info = initializer.create_param(new BlobReference(name), this.param_init_net, shape);
    this.store.info.set(name, info);
    this.AddParameter(info.blob, tags);
    return info.blob;
  }

  /** What create_param recorded for a parameter (its blob, shape and, after AddGradientOperators, grad). */
  get_param_info(param: BlobLike): ParameterInfo | undefined {
    return this.store.info.get(blobName(param));
  }

  /** Registers a blob as a parameter (COMPUTED_PARAM: a computed one), and as a weight or bias if tagged so. */
  AddParameter(param: BlobReference, tags?: ParameterTag | readonly ParameterTag[]): void {
    if (!(param instanceof BlobReference)) throw new TypeError(`AddParameter: a parameter must be a BlobReference, got ${describeValue(param)}`);
    const t = normalizeTags(tags);
    if (t.has(ParameterTags.COMPUTED_PARAM)) this.store.computed.push(param);
    else this.params.push(param);
    if (t.has(ParameterTags.WEIGHT)) this.weights.push(param);
    if (t.has(ParameterTags.BIAS)) this.biases.push(param);
  }

  /** The parameters under `namescope` (default: the current NameScope; "" = all). */
  GetParams(namescope?: string | null): BlobReference[] {
    return inScope(this.params, namescope);
  }

  /** The computed parameters under `namescope` (default: the current NameScope; "" = all). */
  GetComputedParams(namescope?: string | null): BlobReference[] {
    return inScope(this.store.computed, namescope);
  }

  /** GetParams followed by GetComputedParams. */
  GetAllParams(namescope?: string | null): BlobReference[] {
    return [...this.GetParams(namescope), ...this.GetComputedParams(namescope)];
  }

  /** The training net's NetDef. */
  Proto(): ReturnType<Net['Proto']> {
    return this.net.Proto();
  }

  /** param_init_net's NetDef. */
  InitProto(): ReturnType<Net['Proto']> {
    return this.param_init_net.Proto();
  }

  /** Parameter names registered twice. */
  _Validate(): string[] {
    const seen = new Set<string>();
    const dupes = new Set<string>();
    for (const p of this.params) (seen.has(p.name) ? dupes : seen).add(p.name);
    return [...dupes].sort();
  }

  /** Throws when a parameter was registered twice. */
  Validate(): void {
    const dupes = this._Validate();
    if (dupes.length) throw new ArgumentError(`ModelHelper "${this.name}": Duplicate params: ${dupes.join(', ')}`);
  }

  /** Appends the gradient operators to `net` (once per model) and fills param_to_grad. */
  AddGradientOperators(ys: GradientSeeds, skip = 0): GradientMap {
    if (this.gradient_ops_added) throw new ArgumentError(`ModelHelper "${this.name}": You cannot run AddGradientOperators twice.`);
    this.Validate();
    this.gradient_ops_added = true;
    this.grad_map = this.net.AddGradientOperators(ys, skip);
    this.param_to_grad = this.get_param_to_grad(this.params);
    for (const [p, g] of this.param_to_grad) {
      const info = this.store.info.get(p);
      if (info) info.grad = g;
      else this.store.info.set(p, { name: p, blob: this.params.find((q) => q.name === p)!, grad: g });
    }
    return this.grad_map;
  }

  /** Parameter → gradient for those of `params` that receive one. */
  get_param_to_grad(params: readonly BlobLike[]): GradientMap {
    if (!this.grad_map) throw new ArgumentError(`ModelHelper "${this.name}": You need to run AddGradientOperators first.`);
    const out = new GradientMap();
    for (const p of params) {
      const g = this.grad_map.get(p);
      if (g) out.set(p, g);
    }
    return out;
  }

  /** ParameterInfo (blob and grad) of each parameter with a gradient, or of `params` only; what optimizers walk. */
  GetOptimizationParamInfo(params?: readonly BlobLike[]): ParameterInfo[] {
    if (!this.gradient_ops_added) throw new ArgumentError(`ModelHelper "${this.name}": Need to call AddGradientOperators first`);
    const map = params && params.length ? this.get_param_to_grad(params) : this.param_to_grad;
    return [...map.keys()].map((p) => this.store.info.get(p)!);
  }
}

function normalizeNamescope(namescope: string | null | undefined): string {
  if (namescope === null || namescope === undefined) return CurrentNameScope();
  return namescope === '' || namescope.endsWith(NAMESCOPE_SEPARATOR) ? namescope : namescope + NAMESCOPE_SEPARATOR;
}

function inScope(list: readonly BlobReference[], namescope: string | null | undefined): BlobReference[] {
  const scope = normalizeNamescope(namescope);
  return scope === '' ? [...list] : list.filter((p) => p.GetNameScope().startsWith(scope));
}

/** A model: ModelHelperImpl's members plus one method per registered operator (adding to `net`). */
export type ModelHelper = ModelHelperImpl & NetOps;

/** `model_helper.ModelHelper({ name, arg_scope, init_params })`, with or without `new`. */
export interface ModelHelperConstructor {
  new (options?: ModelHelperOptions): ModelHelper;
  (options?: ModelHelperOptions): ModelHelper;
}

export const ModelHelper = function (this: unknown, options?: ModelHelperOptions): ModelHelper {
  return new ModelHelperImpl(options) as ModelHelper;
} as unknown as ModelHelperConstructor;

/** True for objects made by ModelHelper. */
export function isModelHelper(x: unknown): x is ModelHelper {
  return x instanceof ModelHelperImpl;
}

