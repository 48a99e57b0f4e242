/**
 * Caffe2's modeling.initializers: how a parameter is created in param_init_net. An Initializer
 * names a fill operator and its arguments; an ExternalInitializer creates nothing (the blob must
 * already be in the workspace, as with `ModelHelper({ init_params: false })`).
 */
import { ArgumentError } from '../core/errors.js';
import type { OpSink } from './blob_reference.js';
import { BlobReference, describeValue } from './blob_reference.js';

/** A fill operator and its arguments, as Caffe2's helpers take them: `['GaussianFill', { std: 0.01 }]`. */
export type InitSpec = readonly [operator: string, args?: Readonly<Record<string, unknown>>];

/** What an initializer hands back: the parameter blob and the shape it was made with. */
export interface ParameterInfo {
  /** The parameter's blob name. */
  readonly name: string;
  readonly blob: BlobReference;
  readonly shape?: readonly number[];
  /** Its gradient blob, once AddGradientOperators has run. */
  grad?: BlobReference;
}

/** Creates a parameter with a fill operator in param_init_net (Caffe2's `Initializer`). */
export class Initializer {
  operator_name: string | null;
  operator_kwargs: Readonly<Record<string, unknown>>;

  constructor(operator_name: string | null = null, operator_kwargs: Readonly<Record<string, unknown>> = {}) {
    this.operator_name = operator_name;
    this.operator_kwargs = operator_kwargs;
  }

  /** Sets the operator of an initializer made without one; a second operator is an error, as in Caffe2. */
  update(operator_name: string, kwargs: Readonly<Record<string, unknown>> = {}): void {
    if (this.operator_name !== null) throw new ArgumentError(`Initializer: operator name overwrites are not allowed (it already uses ${this.operator_name})`);
    this.operator_name = operator_name;
    this.operator_kwargs = kwargs;
  }

  /** Adds `<operator>([], param_name, { shape, ...kwargs })` to init_net. */
  create_param(param_name: BlobReference, init_net: OpSink, shape: readonly number[]): ParameterInfo {
    if (this.operator_name === null) throw new ArgumentError(`Initializer for ${param_name.name} has no operator (give one, e.g. new Initializer('XavierFill'))`);
    const blob = init_net.callOp(this.operator_name, [], param_name, { shape, ...this.operator_kwargs }) as BlobReference;
    return { name: blob.name, blob, shape: [...shape] };
  }
}

/** A parameter that is not initialised: it must already be in the workspace when the nets run. */
export class ExternalInitializer {
  /** A reference to the blob in init_net, adding no operator. */
  create_param(param_name: BlobReference, init_net: OpSink, shape: readonly number[]): ParameterInfo {
    return { name: param_name.name, blob: new BlobReference(param_name.name, init_net), shape: [...shape] };
  }
}

/** Either kind of initializer. */
export type ParamInitializer = Initializer | ExternalInitializer;

function checkInitSpec(spec: unknown, what: string): InitSpec {
  if (!Array.isArray(spec) || typeof spec[0] !== 'string' || spec.length > 2 || (spec.length === 2 && (typeof spec[1] !== 'object' || spec[1] === null))) {
    throw new TypeError(`${what} must be [operator, args] such as ['XavierFill', {}] or ['GaussianFill', { std: 0.01 }], got ${describeValue(spec)}`);
  }
  return spec as unknown as InitSpec;
}

/**
 * Caffe2's update_initializer: an Initializer given by the caller (completed with `spec` if it has
 * no operator yet), else one made from `spec`, else from `fallback`.
 */
export function update_initializer(initializer: ParamInitializer | null | undefined, spec: InitSpec | null | undefined, fallback: InitSpec): ParamInitializer {
  const chosen = spec === null || spec === undefined ? fallback : checkInitSpec(spec, 'weight_init/bias_init');
  if (initializer === null || initializer === undefined) return new Initializer(chosen[0], chosen[1] ?? {});
  if (initializer instanceof ExternalInitializer) return initializer;
  if (!(initializer instanceof Initializer)) throw new TypeError(`an initializer must be an Initializer or ExternalInitializer, got ${describeValue(initializer)}`);
  if (initializer.operator_name !== null) {
    if (spec !== null && spec !== undefined) throw new ArgumentError(`initializer already has operator_name set (${initializer.operator_name}); do not also give ${chosen[0]}`);
  } else {
    initializer.update(chosen[0], chosen[1] ?? {});
  }
  return initializer;
}
