/**
 * Nets in and out: NetDefs to Caffe2 .pb bytes, and NetDef as JSON — the plain NetDef
 * object with caffe2.proto's field names, arguments in the fields their op schemas name. Reading
 * JSON checks every field's type, so a typo ("inputs") is an error rather than an op that silently
 * lost its inputs.
 */
import type { Argument, DeviceOption, NetDef, NetLike, OperatorDef } from '../core/netdef.js';
import { netDefOf } from '../core/netdef.js';
import { ArgumentError } from '../core/errors.js';
import { checkNetOps, encodeNetDef, normalizeNetDef, type DecodeNetOptions } from './codec.js';

/** A NetDef or anything with Proto() (core.Net). */
export type NetSource = NetLike;

/** A net's NetDef as Caffe2 protobuf bytes (net.Proto().SerializeToString()). */
export function netToProto(net: NetSource): Uint8Array {
  return encodeNetDef(netDefOf(net));
}

/** A net as JSON text (proto field names; args in their schema's f/i/floats/ints fields). */
export function netDefToJson(net: NetSource, space = 2): string {
  return JSON.stringify(normalizeNetDef(netDefOf(net), 'netDefToJson'), null, space);
}

const WHAT = 'netDefFromJson';

function fail(path: string, message: string): never {
  throw new ArgumentError(`${WHAT}: ${path} ${message}`);
}

function record(v: unknown, path: string, required: readonly string[], optional: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, `must be an object, got ${JSON.stringify(v)}`);
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!required.includes(key) && !optional.includes(key)) fail(path, `has unknown field "${key}" (known: ${[...required, ...optional].join(', ')})`);
  }
  for (const key of required) if (!(key in o)) fail(path, `lacks the field "${key}"`);
  return o;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, `must be a string, got ${JSON.stringify(v)}`);
  return v as string;
}

function list<T>(v: unknown, path: string, item: (x: unknown, p: string) => T): T[] {
  if (!Array.isArray(v)) fail(path, `must be an array, got ${JSON.stringify(v)}`);
  return (v as unknown[]).map((x, k) => item(x, `${path}[${k}]`));
}

function num(v: unknown, path: string): number {
  if (typeof v !== 'number') fail(path, `must be a number, got ${JSON.stringify(v)}`);
  return v as number;
}

function int(v: unknown, path: string): number {
  if (!Number.isSafeInteger(v)) fail(path, `must be an integer, got ${JSON.stringify(v)}`);
  return v as number;
}

function argFromJson(v: unknown, path: string): Argument {
  const o = record(v, path, ['name'], ['f', 'i', 's', 'floats', 'ints', 'strings']);
  const arg: Argument = { name: str(o.name, `${path}.name`) };
  if (o.f !== undefined) arg.f = num(o.f, `${path}.f`);
  if (o.i !== undefined) arg.i = int(o.i, `${path}.i`);
  if (o.s !== undefined) arg.s = str(o.s, `${path}.s`);
  if (o.floats !== undefined) arg.floats = list(o.floats, `${path}.floats`, num);
  if (o.ints !== undefined) arg.ints = list(o.ints, `${path}.ints`, int);
  if (o.strings !== undefined) arg.strings = list(o.strings, `${path}.strings`, str);
  return arg;
}

function deviceOptionFromJson(v: unknown, path: string): DeviceOption {
  const o = record(v, path, [], ['device_type', 'device_id', 'random_seed', 'node_name', 'numa_node_id', 'extra_info']);
  const d: DeviceOption = { device_type: o.device_type === undefined ? 0 : int(o.device_type, `${path}.device_type`) };
  if (o.device_id !== undefined) d.device_id = int(o.device_id, `${path}.device_id`);
  if (o.random_seed !== undefined) d.random_seed = int(o.random_seed, `${path}.random_seed`);
  if (o.node_name !== undefined) d.node_name = str(o.node_name, `${path}.node_name`);
  if (o.numa_node_id !== undefined) d.numa_node_id = int(o.numa_node_id, `${path}.numa_node_id`);
  if (o.extra_info !== undefined) d.extra_info = list(o.extra_info, `${path}.extra_info`, str);
  return d;
}

function opFromJson(v: unknown, path: string): OperatorDef {
  const o = record(v, path, ['type', 'input', 'output'], ['arg', 'name', 'engine', 'device_option', 'control_input', 'is_gradient_op']);
  const op: OperatorDef = {
    type: str(o.type, `${path}.type`),
    input: list(o.input, `${path}.input`, str),
    output: list(o.output, `${path}.output`, str),
    arg: o.arg === undefined ? [] : list(o.arg, `${path}.arg`, argFromJson),
  };
  if (o.name !== undefined) op.name = str(o.name, `${path}.name`);
  if (o.engine !== undefined) op.engine = str(o.engine, `${path}.engine`);
  if (o.device_option !== undefined) op.device_option = deviceOptionFromJson(o.device_option, `${path}.device_option`);
  if (o.control_input !== undefined) op.control_input = list(o.control_input, `${path}.control_input`, str);
  if (o.is_gradient_op !== undefined) {
    if (typeof o.is_gradient_op !== 'boolean') fail(`${path}.is_gradient_op`, `must be true or false, got ${JSON.stringify(o.is_gradient_op)}`);
    if (o.is_gradient_op) op.is_gradient_op = true;
  }
  return op;
}

/** Reads a NetDef from JSON text written by netDefToJson (or by hand), checking every field. */
export function netDefFromJson(text: string, options: DecodeNetOptions = {}): NetDef {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ArgumentError(`${WHAT}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const o = record(parsed, 'NetDef', ['name', 'op'], ['type', 'arg', 'device_option', 'external_input', 'external_output']);
  const net: NetDef = {
    name: str(o.name, 'NetDef.name'),
    op: list(o.op, 'NetDef.op', opFromJson),
    external_input: o.external_input === undefined ? [] : list(o.external_input, 'NetDef.external_input', str),
    external_output: o.external_output === undefined ? [] : list(o.external_output, 'NetDef.external_output', str),
  };
  if (o.type !== undefined) net.type = str(o.type, 'NetDef.type');
  if (o.device_option !== undefined) net.device_option = deviceOptionFromJson(o.device_option, 'NetDef.device_option');
  if (o.arg !== undefined) net.arg = list(o.arg, 'NetDef.arg', argFromJson);
  // normalizeNetDef also rejects arguments that set two value fields.
  normalizeNetDef(net, WHAT);
  if (options.checkOps ?? true) checkNetOps(net, WHAT);
  return net;
}
