/**
 * What makes a brew helper a brew helper (Caffe2's brew.HelperWrapper): the model comes first, the
 * other arguments come positionally or by name in a trailing options object, and each call merges
 * the model's arg_scope, the current brew.arg_scope for that helper, and the caller's options, in
 * that order. Python passes the model-wide arg_scope (order, use_cudnn, …) to any helper with
 * **kwargs and its operators ignore what they do not know; our operators refuse unknown arguments,
 * so a default (the model's arg_scope or brew.arg_scope) reaches a helper only if the helper reads
 * it or its operator declares it, while an option the caller passes always reaches the operator.
 */
import { ArgumentError } from '../core/errors.js';
import { getOpSpec } from '../ops/registry.js';
import { BlobReference, describeValue } from './blob_reference.js';
import { isModelHelper, type ArgScopeValue, type ModelHelper } from './model_helper.js';
import { within } from './scope.js';

/** One named positional parameter: its name and its type. */
export type Field = readonly [name: string, type: unknown];

type ObjOf<T extends readonly Field[]> = { [F in T[number] as F[0]]: F[1] };

/** The call forms of a helper: each trailing run of its positional parameters may move into the options. */
export type HelperArgs<T extends readonly Field[], O> = T extends readonly [infer F extends Field, ...infer R extends readonly Field[]]
  ? [options: O & ObjOf<T>] | [F[1], ...HelperArgs<R, O>]
  : [options?: O];

/** A brew helper: `(model, ...positional, options?) => result`. */
export type Helper<T extends readonly Field[], O, R> = (model: ModelHelper, ...args: HelperArgs<T, O>) => R;

/** How a helper reads its arguments. */
export interface HelperSpec {
  /** Parameters after the model, in Caffe2's order; `?` marks one that may be left out (softmax's blob_out). */
  readonly positional: readonly string[];
  /** Keyword parameters the helper reads itself; every other option goes to its operator. */
  readonly keywords: readonly string[];
  /** The operator whose declared arguments the model-wide arg_scope may fill. */
  readonly op?: string;
  build(model: ModelHelper, args: Readonly<Record<string, unknown>>, opArgs: Record<string, unknown>): unknown;
}

type ScopeMap = Map<string, Record<string, ArgScopeValue>>;
let current: ScopeMap = new Map();

/** Helper function → its registered name (arg_scope keys on it, as Python keys on __name__). */
const helperNames = new WeakMap<object, string>();

/** The name of a brew helper, or a TypeError for anything else. */
export function helperName(fn: unknown, what: string): string {
  const name = typeof fn === 'function' ? helperNames.get(fn) : undefined;
  if (name === undefined) throw new TypeError(`${what}: arg_scope is only supporting single or a list of brew helper functions, got ${describeValue(fn)}`);
  return name;
}

/**
 * `brew.arg_scope([brew.conv, brew.fc], { order: 'NHWC' }, () => …)`: the helpers built inside `fn`
 * get these arguments (the caller's own options still win). Scopes nest; the old one is restored
 * when `fn` returns, throws, or its promise settles.
 */
export function arg_scope<T>(helpers: unknown, kwargs: Readonly<Record<string, ArgScopeValue>>, fn: () => T): T {
  const list = Array.isArray(helpers) ? helpers : [helpers];
  const names = list.map((h, k) => helperName(h, `arg_scope: helper #${k}`));
  if (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs)) throw new TypeError(`arg_scope: the arguments must be an object, got ${describeValue(kwargs)}`);
  if (typeof fn !== 'function') throw new TypeError(`arg_scope: the last argument must be the function to run inside the scope, got ${describeValue(fn)}`);
  const old = current;
  const next: ScopeMap = new Map([...old].map(([k, v]) => [k, { ...v }]));
  for (const n of names) next.set(n, { ...(next.get(n) ?? {}), ...kwargs });
  return within(
    () => {
      current = next;
    },
    () => {
      current = old;
    },
    fn,
  );
}

/** The current arg_scope: helper name → the arguments it gives that helper (a copy). */
export function get_current_scope(): Record<string, Record<string, ArgScopeValue>> {
  return Object.fromEntries([...current].map(([k, v]) => [k, { ...v }]));
}

function isOptions(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof BlobReference);
}

/** Positional values plus the trailing options, as one name → value record (a name given twice is an error). */
function bind(name: string, spec: HelperSpec, args: readonly unknown[]): Record<string, unknown> {
  const last = args[args.length - 1];
  const options = args.length && isOptions(last) ? last : {};
  const positional = args.length && isOptions(last) ? args.slice(0, -1) : args;
  const params = spec.positional.map((p) => p.replace(/\?$/, ''));
  if (positional.length > params.length) {
    throw new ArgumentError(`brew.${name} takes ${params.length} positional arguments after the model (${params.join(', ')}), got ${positional.length}; pass the rest in the options object`);
  }
  const out: Record<string, unknown> = { ...options };
  positional.forEach((v, k) => {
    const p = params[k]!;
    if (p in options) throw new ArgumentError(`brew.${name} got multiple values for argument '${p}' (positionally and in the options)`);
    out[p] = v;
  });
  spec.positional.forEach((p, k) => {
    if (!p.endsWith('?') && out[params[k]!] === undefined) {
      throw new ArgumentError(`brew.${name} is missing its argument '${params[k]}' (its arguments: model, ${params.join(', ')}, options)`);
    }
  });
  return out;
}

/** The defaults this helper takes: the ones it reads or its operator declares. */
function applicable(defaults: Readonly<Record<string, unknown>>, spec: HelperSpec): Record<string, unknown> {
  const declared = spec.op ? getOpSpec(spec.op).args : {};
  return Object.fromEntries(Object.entries(defaults).filter(([k]) => spec.keywords.includes(k) || k in declared));
}

/** Wraps a spec as the helper `brew.<name>`. */
export function makeHelper<F>(name: string, spec: HelperSpec): F {
  const fn = (model: unknown, ...args: unknown[]): unknown => {
    if (!isModelHelper(model)) throw new TypeError(`brew.${name}: the first input of helper function should be model (a ModelHelper), got ${describeValue(model)}`);
    const given = bind(name, spec, args);
    const merged: Record<string, unknown> = { ...applicable(model.arg_scope, spec), ...applicable(current.get(name) ?? {}, spec), ...given };
    const own: Record<string, unknown> = {};
    const opArgs: Record<string, unknown> = {};
    const mine = new Set([...spec.positional.map((p) => p.replace(/\?$/, '')), ...spec.keywords]);
    for (const [k, v] of Object.entries(merged)) (mine.has(k) ? own : opArgs)[k] = v;
    return spec.build(model, own, opArgs);
  };
  Object.defineProperty(fn, 'name', { value: name });
  helperNames.set(fn, name);
  return fn as F;
}
