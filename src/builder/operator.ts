/**
 * Building one OperatorDef the way Caffe2's core.CreateOperator does: blob names rectified (strings
 * get the current NameScope, anything that is not a blob is a TypeError), the device option from
 * the argument or the current DeviceScope, raw `arg` Arguments first, then the op's own arguments
 * checked against its schema.
 */
import type { Argument, DeviceOption, OperatorDef } from '../core/netdef.js';
import { cloneDeviceOption } from '../core/netdef.js';
import { encodeArgs, decodeArgs } from '../ops/args.js';
import { getOpSpec } from '../ops/registry.js';
import { checkOpStructure, extraArgKinds } from '../ops/op_context.js';
import { BlobReference, checkedBlobName, describeValue, type BlobLike } from './blob_reference.js';
import { CurrentDeviceScope, ScopedName } from './scope.js';
import { printableOperatorDef } from './printing.js';

/** Inputs of an op call: one blob or a list. */
export type BlobInputs = BlobLike | readonly BlobLike[];

/** Options every op accepts besides its own arguments (CreateOperator's keyword arguments). */
export interface CommonOptions {
  /** OperatorDef.name. */
  name?: string;
  engine?: string;
  /** Recorded on the OperatorDef; every op runs on the WebGPU device whatever it says. */
  device_option?: DeviceOption;
  /** Ready proto Arguments, placed before the ones named in the options. */
  arg?: readonly Argument[];
  /** Blobs the op must run after (net order already guarantees it here). */
  control_input?: BlobInputs;
  /** Fills only: 1 = fill on a created net's first run only. */
  run_once?: number | boolean;
}

/** Caffe2's _RectifyInputOutput: the blob names of one blob or a list; strings get the NameScope. */
export function rectify(blobs: unknown, what: string): string[] {
  if (typeof blobs === 'string') return [ScopedName(blobs)];
  if (blobs instanceof BlobReference) return [blobs.name];
  if (Array.isArray(blobs)) {
    return blobs.map((b: unknown, k) => (typeof b === 'string' ? ScopedName(b) : checkedBlobName(b, `${what} #${k}`)));
  }
  throw new TypeError(`${what} must be a blob name, a BlobReference or a list of them, got ${describeValue(blobs)}`);
}

function checkDeviceOption(v: unknown, where: string): DeviceOption {
  if (typeof v !== 'object' || v === null || typeof (v as DeviceOption).device_type !== 'number') {
    throw new TypeError(`${where}: device_option must be a DeviceOption (core.DeviceOption(type, id)), got ${describeValue(v)}`);
  }
  return cloneDeviceOption(v as DeviceOption);
}

function checkArgList(v: unknown, where: string): Argument[] {
  if (!Array.isArray(v) || !v.every((a) => typeof a === 'object' && a !== null && typeof (a as Argument).name === 'string')) {
    throw new TypeError(`${where}: arg must be a list of proto Arguments ({ name, f | i | s | floats | ints | strings }), got ${describeValue(v)}`);
  }
  return v.map((a: Argument) => ({ ...a }));
}

/** Builds and checks an OperatorDef from rectified blob names and a CreateOperator options object. */
export function buildOperatorDef(type: string, input: string[], output: string[], options: unknown, where: string): OperatorDef {
  const spec = getOpSpec(type, where);
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new TypeError(`${where}: the options must be an object of Caffe2 arguments, got ${describeValue(options)}`);
  }
  const { name, engine, device_option, arg, control_input, ...rest } = (options ?? {}) as Record<string, unknown>;
  if (name !== undefined && typeof name !== 'string') throw new TypeError(`${where}: name must be a string, got ${describeValue(name)}`);
  if (engine !== undefined && engine !== null && typeof engine !== 'string') throw new TypeError(`${where}: engine must be a string, got ${describeValue(engine)}`);
  const device = device_option !== undefined && device_option !== null ? checkDeviceOption(device_option, where) : CurrentDeviceScope();
  const controls = control_input !== undefined && control_input !== null ? rectify(control_input, `${where}: control_input`) : [];
  const op: OperatorDef = {
    type,
    input,
    output,
    arg: [...(arg !== undefined && arg !== null ? checkArgList(arg, where) : []), ...encodeArgs(where, spec.args, extraArgKinds(spec), rest)],
    ...(typeof name === 'string' && name !== '' ? { name } : {}),
    ...(typeof engine === 'string' ? { engine } : {}),
    ...(device ? { device_option: device } : {}),
    ...(controls.length ? { control_input: controls } : {}),
  };
  checkOpStructure(op, where);
  // Raw `arg` entries bypass the options check above; read them through the schema now, not at CreateNet.
  decodeArgs(where, spec.args, extraArgKinds(spec), op.arg);
  return printableOperatorDef(op);
}

/**
 * An OperatorDef not added to any net (Caffe2's core.CreateOperator): `CreateOperator("FC", [X, W, b],
 * "Y", { axis: 1, device_option, engine, arg, control_input, name })`.
 */
export function CreateOperator(type: string, inputs: BlobInputs, outputs: BlobInputs, options: Record<string, unknown> = {}): OperatorDef {
  const where = `${type} (CreateOperator)`;
  return buildOperatorDef(type, rectify(inputs, `${where}: input`), rectify(outputs, `${where}: output`), options, where);
}
