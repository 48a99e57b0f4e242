/**
 * Operator argument schemas: what each op accepts, with Caffe2's names and defaults. The schema is
 * the validation (unknown names, wrong kinds), the encoding into proto `Argument` fields, and the
 * typed values a shape rule or kernel reads.
 */
import type { ArgValue, Argument } from '../core/netdef.js';
import { DataType, dataTypeFromName } from '../core/dtype.js';
import { ArgumentError, didYouMean } from '../core/errors.js';

/** `dtype`: a Caffe2 DataType given as its number or its name ("FLOAT", "int32"), read as the number (Cast's `to`). */
export type ArgKind = 'float' | 'int' | 'bool' | 'string' | 'floats' | 'ints' | 'strings' | 'dtype';

/** One argument's schema entry. */
export interface ArgSpec<K extends ArgKind = ArgKind> {
  kind: K;
  default?: KindValue<K>;
}

export type KindValue<K extends ArgKind> = K extends 'float' | 'int' | 'bool' | 'dtype'
  ? number
  : K extends 'string'
    ? string
    : K extends 'floats' | 'ints'
      ? readonly number[]
      : readonly string[];

export type ArgSchema = Record<string, ArgSpec>;

/** Values an op's code reads: defaults filled in; args without a default may be undefined. */
export type ArgValues<S extends ArgSchema> = {
  readonly [K in keyof S]: S[K] extends { default: infer D } ? D : KindValue<S[K]['kind']> | undefined;
};

/** What a caller may pass for an argument (booleans and typed arrays are accepted too). */
export type ArgInput<K extends ArgKind> = K extends 'float' | 'int'
  ? number
  : K extends 'bool'
    ? number | boolean
    : K extends 'string'
      ? string
      : K extends 'floats' | 'ints'
        ? readonly number[] | Float32Array | Float64Array | Int32Array
        : K extends 'dtype'
          ? number | string
          : readonly string[];

/** The options object accepted by `net.<Op>(inputs, outputs, options)`. */
export type ArgOptions<S extends ArgSchema> = { [K in keyof S]?: ArgInput<S[K]['kind']> };

function spec<K extends ArgKind>(kind: K) {
  function make(): { kind: K };
  function make(d: KindValue<K>): { kind: K; default: KindValue<K> };
  function make(d?: KindValue<K>) {
    return d === undefined ? { kind } : { kind, default: d };
  }
  return make;
}

/** Schema builders: `{ axis: arg.int(1), shape: arg.ints() }`. */
export const arg = {
  float: spec('float'),
  int: spec('int'),
  bool: spec('bool'),
  string: spec('string'),
  floats: spec('floats'),
  ints: spec('ints'),
  strings: spec('strings'),
  dtype: spec('dtype'),
};

/** Decides the kind of an argument an op accepts beyond its fixed schema (LearningRate's composite). */
export type ExtraArgKind = (name: string) => ArgKind | undefined;

function isNumberList(v: unknown): v is ArrayLike<number> {
  return (
    v instanceof Float32Array ||
    v instanceof Float64Array ||
    v instanceof Int32Array ||
    (Array.isArray(v) && v.every((x) => typeof x === 'number'))
  );
}

/** Encodes one user-given value as a proto Argument, checking it against its kind. */
export function encodeArg(where: string, name: string, kind: ArgKind, value: unknown): Argument {
  const bad = (what: string): never => {
    throw new ArgumentError(`${where}: argument "${name}" must be ${what}, got ${JSON.stringify(value)}`);
  };
  switch (kind) {
    case 'float':
      if (typeof value !== 'number' || Number.isNaN(value)) bad('a number');
      return { name, f: value as number };
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) bad('an integer');
      return { name, i: value as number };
    case 'bool':
      if (typeof value === 'boolean') return { name, i: value ? 1 : 0 };
      if (value !== 0 && value !== 1) bad('a boolean (true/false or 0/1)');
      return { name, i: value as number };
    case 'string':
      if (typeof value !== 'string') bad('a string');
      return { name, s: value as string };
    case 'dtype':
      if (typeof value === 'number' && Number.isInteger(value)) return { name, i: value };
      if (typeof value !== 'string' || dataTypeFromName(value) === undefined) bad(`a DataType number or name (${Object.keys(DataType).join(', ')})`);
      return { name, s: value as string };
    case 'floats':
      if (!isNumberList(value)) bad('a list of numbers');
      return { name, floats: Array.from(value as ArrayLike<number>) };
    case 'ints': {
      if (!isNumberList(value) || !Array.from(value).every(Number.isInteger)) bad('a list of integers');
      return { name, ints: Array.from(value as ArrayLike<number>) };
    }
    case 'strings':
      if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) bad('a list of strings');
      return { name, strings: [...(value as string[])] };
  }
}

/** Encodes an options object into proto Arguments in the schema's terms; unknown names are errors. */
export function encodeArgs(
  where: string,
  schema: ArgSchema,
  extra: ExtraArgKind | undefined,
  options: Record<string, unknown>,
): Argument[] {
  const out: Argument[] = [];
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined || value === null) continue;
    const kind = schema[name]?.kind ?? extra?.(name);
    if (!kind) {
      const known = Object.keys(schema);
      throw new ArgumentError(
        `${where}: unknown argument "${name}".${didYouMean(name, known)} Known arguments: ${known.join(', ') || '(none)'}`,
      );
    }
    out.push(encodeArg(where, name, kind, value));
  }
  return out;
}

function decodeOne(where: string, arg: Argument, kind: ArgKind): ArgValue {
  const fail = (): never => {
    throw new ArgumentError(`${where}: argument "${arg.name}" should hold ${kind}, found ${JSON.stringify(arg)}`);
  };
  switch (kind) {
    case 'float':
    case 'int':
    case 'bool': {
      const v = arg.f ?? arg.i;
      if (v === undefined) fail();
      if (kind !== 'float' && !Number.isInteger(v)) fail();
      return v as number;
    }
    case 'string':
      return arg.s ?? fail();
    case 'dtype': {
      if (arg.i !== undefined) return arg.i;
      return (arg.s !== undefined ? dataTypeFromName(arg.s) : undefined) ?? fail();
    }
    case 'floats':
    case 'ints': {
      // An empty list arrives as an Argument with only a name.
      const v = arg.floats ?? arg.ints ?? (arg.f === undefined && arg.i === undefined ? [] : fail());
      if (kind === 'ints' && !v.every(Number.isInteger)) fail();
      return v;
    }
    case 'strings':
      return arg.strings ?? [];
  }
}

/**
 * Reads an OperatorDef's arguments through the schema: defaults filled in, kinds checked. Identical
 * duplicates (gradient ops get the forward args appended) are fine; conflicting ones are an error.
 */
export function decodeArgs<S extends ArgSchema>(
  where: string,
  schema: S,
  extra: ExtraArgKind | undefined,
  args: readonly Argument[],
): { values: ArgValues<S>; extra: Record<string, ArgValue> } {
  const values: Record<string, ArgValue | undefined> = {};
  for (const [name, s] of Object.entries(schema)) values[name] = s.default;
  const extras: Record<string, ArgValue> = {};
  const seen = new Map<string, string>();
  for (const a of args) {
    const kind = schema[a.name]?.kind ?? extra?.(a.name);
    if (!kind) {
      throw new ArgumentError(`${where}: unknown argument "${a.name}".${didYouMean(a.name, Object.keys(schema))}`);
    }
    const v = decodeOne(where, a, kind);
    const key = JSON.stringify(v);
    const before = seen.get(a.name);
    if (before !== undefined && before !== key) {
      throw new ArgumentError(`${where}: argument "${a.name}" is given twice with different values (${before} and ${key})`);
    }
    seen.set(a.name, key);
    if (a.name in schema) values[a.name] = v;
    else extras[a.name] = v;
  }
  return { values: values as ArgValues<S>, extra: extras };
}
