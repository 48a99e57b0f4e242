/**
 * Caffe2's NetDef and TensorProtos in their real protobuf wire format (protobufjs over the .proto
 * text in caffe2.proto.ts). Decoding is the trust boundary for files: every malformation — bytes
 * that end early, a field with the wrong wire type, an unknown operator, dims that do not match the
 * data, absurd dims — becomes a Caffe2Error naming the message, field and sizes, and nothing is
 * allocated beyond what the input's own length pays for.
 */
import protobuf from 'protobufjs';
import { CAFFE2_PROTO } from './caffe2.proto.js';
import { liftPackedFloats } from './float_lift.js';
import type { Argument, DeviceOption, NetDef, OperatorDef } from '../core/netdef.js';
import { argumentValue } from '../core/netdef.js';
import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { DataType, INT32_MAX, INT32_MIN, dataTypeName, storageDType, type DType } from '../core/dtype.js';
import { decodeArgs, encodeArg, type ArgKind } from '../ops/args.js';
import { getOpSpec, hasOp } from '../ops/registry.js';
import { checkOpStructure, extraArgKinds, opWhere } from '../ops/op_context.js';

/** Most elements one tensor in a file may declare (1 GiB of float32). */
export const MAX_TENSOR_ELEMENTS = 2 ** 28;
/** Most dims one tensor in a file may declare. */
export const MAX_TENSOR_RANK = 32;

/** A named host tensor as TensorProtos files hold it: GPU storage dtype plus the file's DataType. */
export interface NamedTensor {
  name: string;
  shape: number[];
  dtype: DType;
  data: Float32Array | Int32Array;
  /** Caffe2 DataType in the file; when writing, defaults to FLOAT or INT32 after `dtype`. */
  dataType?: number;
}

/** Options of the NetDef decoders. */
export interface DecodeNetOptions {
  /** Check every op's type, input/output counts and arguments against the registry (default true). */
  checkOps?: boolean;
}

// --- protobufjs types ----------------------------------------------------------------------------

interface Caffe2Types {
  netDef: protobuf.Type;
  tensorProtos: protobuf.Type;
}

let parsed: Caffe2Types | null = null;

function caffe2Types(): Caffe2Types {
  if (!parsed) {
    const root = protobuf.parse(CAFFE2_PROTO, { keepCase: true }).root;
    parsed = { netDef: root.lookupType('caffe2.NetDef'), tensorProtos: root.lookupType('caffe2.TensorProtos') };
  }
  return parsed;
}

type Int64 = number | protobuf.Long;

/** Decoded messages as protobufjs lays them out (repeated fields always present, maybe empty). */
interface RawArgument {
  name: string;
  f: number;
  i: Int64;
  s: Uint8Array;
  floats: number[];
  ints: Int64[];
  strings: Uint8Array[];
  tensors: unknown[];
  nets: unknown[];
  qtensors: unknown[];
}
interface RawOperatorDef {
  input: string[];
  output: string[];
  name: string;
  type: string;
  arg: RawArgument[];
  engine: string;
  device_option?: RawDeviceOption;
  control_input: string[];
  is_gradient_op: boolean;
}
interface RawDeviceOption {
  device_type: number;
  device_id: number;
  random_seed: number;
  node_name: string;
  numa_node_id: number;
  extra_info: string[];
}
interface RawNetDef {
  name: string;
  op: RawOperatorDef[];
  type: string;
  device_option?: RawDeviceOption;
  arg: RawArgument[];
  external_input: string[];
  external_output: string[];
}
interface RawTensorProto {
  dims: Int64[];
  data_type: number;
  data_format: number;
  float_data: number[];
  int32_data: number[];
  byte_data: Uint8Array;
  string_data: Uint8Array[];
  double_data: number[];
  int64_data: Int64[];
  raw_data: Uint8Array;
  name: string;
  segment?: { begin: Int64; end: Int64 };
}

/** proto2 presence: protobufjs sets a field as an own property only when the bytes carried it. */
function has(m: object, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, field);
}

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'];

function wireOf(type: string): number {
  if (type === 'double' || type === 'fixed64' || type === 'sfixed64') return 1;
  if (type === 'float' || type === 'fixed32' || type === 'sfixed32') return 5;
  if (type === 'string' || type === 'bytes') return 2;
  return 0;
}

function expectedWire(field: protobuf.Field): string {
  if (field.resolvedType instanceof protobuf.Type) return 'wire type 2 (length-delimited)';
  const w = wireOf(field.type);
  const one = `wire type ${w} (${WIRE_NAMES[w]})`;
  return field.repeated && w !== 2 ? `${one}, or 2 when packed` : one;
}

/**
 * protobufjs treats a known field that arrives with another wire type as an unknown field and skips
 * it; a Caffe2 reader would fail, and so do we, naming the field. Unknown field numbers are skipped
 * as every protobuf reader does.
 */
function checkWireTypes(msg: protobuf.Message, type: protobuf.Type, path: string, what: string): void {
  for (const raw of msg.$unknowns ?? []) {
    const r = protobuf.Reader.create(raw);
    const tag = r.uint32();
    const field = type.fieldsById[tag >>> 3];
    if (!field) continue;
    const wire = tag & 7;
    if (field.resolvedType instanceof protobuf.Enum && wire === 0) {
      throw new ArgumentError(`${what}: ${path}.${field.name} is ${r.int32()}, which is not a ${field.resolvedType.name} value`);
    }
    throw new ArgumentError(
      `${what}: ${path}.${field.name} (field ${field.id}) arrived with wire type ${wire} (${WIRE_NAMES[wire] ?? 'invalid'}), ` +
        `but caffe2.proto declares it ${field.repeated ? 'repeated ' : ''}${field.type}, written with ${expectedWire(field)}`,
    );
  }
  for (const field of type.fieldsArray) {
    const sub = field.resolvedType;
    if (!(sub instanceof protobuf.Type)) continue;
    const value = (msg as unknown as Record<string, unknown>)[field.name];
    if (field.repeated) {
      (value as protobuf.Message[]).forEach((m, k) => checkWireTypes(m, sub, `${path}.${field.name}[${k}]`, what));
    } else if (has(msg, field.name)) {
      checkWireTypes(value as protobuf.Message, sub, `${path}.${field.name}`, what);
    }
  }
}

function explainDecodeFailure(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (msg.startsWith('index out of range')) return `the bytes end inside a field: truncated data or a wrong length prefix (${msg})`;
  if (msg === 'max depth exceeded') return `messages are nested more than ${protobuf.Reader.recursionLimit} deep`;
  if (msg.startsWith('missing required')) return `a required field is absent (${msg})`;
  return msg;
}

function decodeMessage(type: protobuf.Type, bytes: Uint8Array, what: string): protobuf.Message {
  if (!(bytes instanceof Uint8Array)) {
    throw new ArgumentError(`${what}: expected the ${type.name} bytes as a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  }
  const reader = protobuf.Reader.create(bytes);
  reader.discardUnknown = false;
  let msg: protobuf.Message;
  try {
    msg = type.decode(reader);
  } catch (e) {
    // Only protobufjs runs in here: whatever it throws is a statement about the bytes.
    throw new ArgumentError(`${what}: malformed ${type.name} (${bytes.length} bytes): ${explainDecodeFailure(e)}`);
  }
  checkWireTypes(msg, type, type.name, what);
  return msg;
}

/** An int64 as a JS number; values beyond 2^53 are rejected rather than rounded. */
function int64(v: Int64, what: string): number {
  const n = typeof v === 'number' ? v : v.high * 4294967296 + (v.low >>> 0);
  if (!Number.isSafeInteger(n)) throw new ArgumentError(`${what}: int64 value ${n} is beyond the 2^53 a JavaScript number holds exactly`);
  return n;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

function text(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ArgumentError(`${what}: bytes are not UTF-8 text (binary string arguments are not supported)`);
  }
}

// --- arguments -------------------------------------------------------------------------------------

const VALUE_FIELDS = ['f', 'i', 's', 'floats', 'ints', 'strings'] as const;

/** Rejects an Argument that sets more than one value field (Caffe2 readers would pick one silently). */
function checkOneValue(arg: Argument, where: string): void {
  const set = VALUE_FIELDS.filter((f) => arg[f] !== undefined);
  if (set.length > 1) {
    throw new ArgumentError(`${where}: argument "${arg.name}" sets ${set.join(' and ')}; an Argument holds exactly one value`);
  }
}

function argFromMessage(m: RawArgument, where: string): Argument {
  if (!has(m, 'name')) throw new ArgumentError(`${where}: an argument has no name`);
  const name = m.name;
  const nested: Array<[boolean, string]> = [
    [has(m, 't'), 'a TensorProto (field t)'],
    [has(m, 'n'), 'a NetDef (field n)'],
    [m.tensors.length > 0, 'TensorProtos (field tensors)'],
    [m.nets.length > 0, 'NetDefs (field nets)'],
    [m.qtensors.length > 0, 'QTensorProtos (field qtensors)'],
  ];
  for (const [present, what] of nested) {
    if (present) throw new ArgumentError(`${where}: argument "${name}" holds ${what}; arguments holding nets or tensors are not supported`);
  }
  const at = `${where}: argument "${name}"`;
  const arg: Argument = { name };
  if (has(m, 'f')) arg.f = m.f;
  if (has(m, 'i')) arg.i = int64(m.i, at);
  if (has(m, 's')) arg.s = text(m.s, at);
  if (m.floats.length) arg.floats = [...m.floats];
  if (m.ints.length) arg.ints = m.ints.map((v) => int64(v, at));
  if (m.strings.length) arg.strings = m.strings.map((s) => text(s, at));
  checkOneValue(arg, where);
  return arg;
}

function argToMessage(arg: Argument, where: string): Record<string, unknown> {
  const at = `${where}: argument "${arg.name}"`;
  const ints = (vs: readonly number[]): readonly number[] => {
    const bad = vs.find((v) => !Number.isSafeInteger(v));
    if (bad !== undefined) throw new ArgumentError(`${at}: ${bad} is not an integer int64 can hold exactly`);
    return vs;
  };
  const m: Record<string, unknown> = { name: arg.name };
  if (arg.f !== undefined) m.f = arg.f;
  if (arg.i !== undefined) m.i = ints([arg.i])[0];
  if (arg.s !== undefined) m.s = utf8Encoder.encode(arg.s);
  if (arg.floats !== undefined) m.floats = arg.floats;
  if (arg.ints !== undefined) m.ints = ints(arg.ints);
  if (arg.strings !== undefined) m.strings = arg.strings.map((s) => utf8Encoder.encode(s));
  return m;
}

/** The kind an op's schema gives an argument, or undefined for unregistered ops and unknown names. */
function schemaKind(opType: string, argName: string): ArgKind | undefined {
  if (!hasOp(opType)) return undefined;
  const spec = getOpSpec(opType);
  return spec.args[argName]?.kind ?? extraArgKinds(spec)?.(argName);
}

/**
 * An argument with its value in the field the op's schema names (f vs i, floats vs ints), as
 * Caffe2's strict readers expect; arguments no schema covers keep the field they came with.
 */
export function normalizeArgument(opType: string, arg: Argument, where: string): Argument {
  checkOneValue(arg, where);
  const kind = schemaKind(opType, arg.name);
  const value = argumentValue(arg);
  if (!kind || value === undefined) return { ...arg };
  return encodeArg(where, arg.name, kind, value);
}

// --- NetDef ----------------------------------------------------------------------------------------

/** A DeviceOption with the fields the bytes carried (device_type defaults to 0, CPU). */
function deviceOptionFromMessage(m: RawDeviceOption): DeviceOption {
  const d: DeviceOption = { device_type: has(m, 'device_type') ? m.device_type : 0 };
  if (has(m, 'device_id')) d.device_id = m.device_id;
  if (has(m, 'random_seed')) d.random_seed = m.random_seed;
  if (has(m, 'node_name')) d.node_name = m.node_name;
  if (has(m, 'numa_node_id')) d.numa_node_id = m.numa_node_id;
  if (m.extra_info.length) d.extra_info = [...m.extra_info];
  return d;
}

function opFromMessage(m: RawOperatorDef, index: number, netName: string, what: string): OperatorDef {
  const where = `${what}: ${opWhere({ type: m.type, input: [], output: [], arg: [] }, index, netName)}`;
  if (!m.type) throw new ArgumentError(`${where}: the operator has no type`);
  const op: OperatorDef = {
    type: m.type,
    input: [...m.input],
    output: [...m.output],
    arg: m.arg.map((a) => argFromMessage(a, where)),
  };
  if (has(m, 'name')) op.name = m.name;
  if (has(m, 'engine')) op.engine = m.engine;
  if (m.device_option) op.device_option = deviceOptionFromMessage(m.device_option);
  if (m.control_input.length) op.control_input = [...m.control_input];
  if (m.is_gradient_op) op.is_gradient_op = true;
  return op;
}

/** Checks every op of a decoded net against the registry: type, input/output counts, arguments. */
export function checkNetOps(net: NetDef, what: string): void {
  net.op.forEach((op, k) => {
    const where = `${what}: ${opWhere(op, k, net.name)}`;
    const spec = checkOpStructure(op, where);
    decodeArgs(where, spec.args, extraArgKinds(spec), op.arg);
  });
}

/** Decodes NetDef protobuf bytes (a Caffe2 .pb) into a NetDef, rejecting malformed input. */
export function decodeNetDef(bytes: Uint8Array, options: DecodeNetOptions = {}): NetDef {
  const what = 'decodeNetDef';
  const m = decodeMessage(caffe2Types().netDef, bytes, what) as unknown as RawNetDef;
  const net: NetDef = {
    name: m.name,
    op: m.op.map((o, k) => opFromMessage(o, k, m.name, what)),
    external_input: [...m.external_input],
    external_output: [...m.external_output],
  };
  if (has(m, 'type')) net.type = m.type;
  if (m.device_option) net.device_option = deviceOptionFromMessage(m.device_option);
  if (m.arg.length) net.arg = m.arg.map((a) => argFromMessage(a, `${what}: net "${m.name}"`));
  if (options.checkOps ?? true) checkNetOps(net, what);
  return net;
}

/** The NetDef with each op argument in the field its schema names (what .pb and JSON writers emit). */
export function normalizeNetDef(net: NetDef, what: string): NetDef {
  const out: NetDef = {
    name: net.name,
    op: net.op.map((op, k) => {
      const where = `${what}: ${opWhere(op, k, net.name)}`;
      return {
        ...op,
        input: [...op.input],
        output: [...op.output],
        arg: op.arg.map((a) => normalizeArgument(op.type, a, where)),
      };
    }),
    external_input: [...net.external_input],
    external_output: [...net.external_output],
  };
  if (net.type !== undefined) out.type = net.type;
  if (net.device_option !== undefined) out.device_option = net.device_option;
  if (net.arg !== undefined) {
    out.arg = net.arg.map((a) => {
      checkOneValue(a, `${what}: net "${net.name}"`);
      return { ...a };
    });
  }
  return out;
}

/** Encodes a NetDef as Caffe2 protobuf bytes; argument fields follow each op's schema. */
export function encodeNetDef(net: NetDef): Uint8Array {
  const what = 'encodeNetDef';
  const n = normalizeNetDef(net, what);
  const msg: Record<string, unknown> = {
    name: n.name,
    op: n.op.map((op, k) => {
      const where = `${what}: ${opWhere(op, k, n.name)}`;
      const m: Record<string, unknown> = { input: op.input, output: op.output, type: op.type, arg: op.arg.map((a) => argToMessage(a, where)) };
      if (op.name !== undefined) m.name = op.name;
      if (op.engine !== undefined) m.engine = op.engine;
      if (op.device_option !== undefined) m.device_option = op.device_option;
      if (op.control_input?.length) m.control_input = op.control_input;
      if (op.is_gradient_op) m.is_gradient_op = true;
      return m;
    }),
    external_input: n.external_input,
    external_output: n.external_output,
  };
  if (n.type !== undefined) msg.type = n.type;
  if (n.device_option !== undefined) msg.device_option = n.device_option;
  if (n.arg !== undefined) msg.arg = n.arg.map((a) => argToMessage(a, `${what}: net "${n.name}"`));
  return caffe2Types().netDef.encode(msg).finish();
}

// --- TensorProtos ----------------------------------------------------------------------------------

/** Value range and byte width of the integer DataTypes stored as int32 on the GPU. */
const SMALL_INTS: Partial<Record<number, { min: number; max: number; bytes: 1 | 2 }>> = {
  [DataType.BOOL]: { min: 0, max: 1, bytes: 1 },
  [DataType.UINT8]: { min: 0, max: 255, bytes: 1 },
  [DataType.BYTE]: { min: 0, max: 255, bytes: 1 },
  [DataType.INT8]: { min: -128, max: 127, bytes: 1 },
  [DataType.UINT16]: { min: 0, max: 65535, bytes: 2 },
  [DataType.INT16]: { min: -32768, max: 32767, bytes: 2 },
};

/** Checked dims of a tensor: non-negative, rank and element count within the file limits. */
function checkDims(dims: readonly number[], where: string): number {
  if (dims.length > MAX_TENSOR_RANK) throw new ShapeError(`${where}: ${dims.length} dims exceed the limit of ${MAX_TENSOR_RANK}`);
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${where}: dims ${fmtShape(dims)} hold ${d}, but every dim must be a non-negative integer`);
    if (d > MAX_TENSOR_ELEMENTS) throw new ShapeError(`${where}: dim ${d} in ${fmtShape(dims)} exceeds the limit of 2^28 elements per tensor`);
    n *= d;
  }
  if (n > MAX_TENSOR_ELEMENTS) throw new ShapeError(`${where}: dims ${fmtShape(dims)} hold ${n} elements, over the limit of 2^28 per tensor`);
  return n;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Where one DataType may keep its values, with the byte width of the byte-array forms. */
function sourcesOf(dataType: number): { fields: string[]; bytes: number } | null {
  switch (dataType) {
    case DataType.FLOAT:
      return { fields: ['float_data', 'raw_data'], bytes: 4 };
    case DataType.DOUBLE:
      return { fields: ['double_data', 'raw_data'], bytes: 8 };
    case DataType.INT32:
      return { fields: ['int32_data', 'raw_data'], bytes: 4 };
    case DataType.INT64:
      return { fields: ['int64_data', 'raw_data'], bytes: 8 };
    case DataType.FLOAT16:
      return { fields: ['int32_data', 'byte_data', 'raw_data'], bytes: 2 };
    case DataType.BYTE:
      return { fields: ['byte_data', 'raw_data'], bytes: 1 };
    default: {
      const small = SMALL_INTS[dataType];
      return small ? { fields: ['int32_data', 'byte_data', 'raw_data'], bytes: small.bytes } : null;
    }
  }
}

const DATA_FIELDS = ['float_data', 'int32_data', 'byte_data', 'string_data', 'double_data', 'int64_data', 'raw_data'] as const;

/** `lifted`: the tensor's packed float_data, cut out of the bytes by liftPackedFloats (then m.float_data is empty). */
function tensorFromMessage(m: RawTensorProto, index: number, what: string, lifted: Float32Array | null = null): NamedTensor {
  const where = `${what}: tensor #${index} "${m.name}"`;
  const shape = m.dims.map((d) => int64(d, where));
  const n = checkDims(shape, where);
  if (m.data_format !== 0) throw new ArgumentError(`${where}: data_format ${m.data_format} is not supported (only 0, plain protobuf fields)`);
  if (m.segment && has(m, 'segment')) {
    const [b, e] = [int64(m.segment.begin, where), int64(m.segment.end, where)];
    if (b !== 0 || e !== n) throw new ArgumentError(`${where}: holds segment [${b}, ${e}) of a chunked tensor; chunked tensors are not supported`);
  }
  const type = m.data_type;
  const dtype = storageDType(type);
  const sources = sourcesOf(type);
  if (!dtype || !sources) throw new DTypeError(`${where}: DataType ${dataTypeName(type)} cannot be stored on the GPU (FLOAT, DOUBLE, FLOAT16, INT32, INT64, BOOL and small ints can)`);
  const lengthOf = (f: (typeof DATA_FIELDS)[number]): number => (f === 'float_data' && lifted ? lifted.length : m[f].length);
  const present = DATA_FIELDS.filter((f) => lengthOf(f) > 0);
  const stray = present.find((f) => !sources.fields.includes(f));
  if (stray) throw new ArgumentError(`${where}: a ${dataTypeName(type)} tensor keeps its values in ${sources.fields.join(' or ')}, but ${stray} is set`);
  if (present.length > 1) throw new ArgumentError(`${where}: values are given twice, in ${present.join(' and ')}`);
  const field = present[0];
  const byteForm = field === 'raw_data' || field === 'byte_data';
  const count = field === undefined ? 0 : byteForm ? m[field].length / sources.bytes : lengthOf(field);
  if (count !== n) {
    const got = byteForm ? `${m[field!].length} bytes (${sources.bytes} per element)` : `${count} values`;
    throw new ShapeError(`${where}: dims ${fmtShape(shape)} hold ${n} elements, but ${field ?? 'no data field'} holds ${field ? got : 'nothing'}`);
  }
  if (type === DataType.FLOAT && (lifted || field === 'raw_data')) {
    // float32 bits as they are: no per-element loop (big checkpoints load at disk speed).
    const data = lifted ?? new Float32Array(new Uint8Array(m.raw_data).buffer, 0, n); // a copy: aligned, and not a view of a Node Buffer pool
    return { name: m.name, shape, dtype: 'float32', data, dataType: type };
  }
  const data = dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
  const range = type === DataType.INT64 || type === DataType.INT32 ? { min: INT32_MIN, max: INT32_MAX } : SMALL_INTS[type];
  const view = byteForm ? new DataView(m[field!].buffer, m[field!].byteOffset, m[field!].byteLength) : null;
  for (let k = 0; k < n; k++) {
    let v: number;
    if (view) {
      const at = k * sources.bytes;
      if (type === DataType.FLOAT) v = view.getFloat32(at, true);
      else if (type === DataType.DOUBLE) v = view.getFloat64(at, true);
      else if (type === DataType.INT32) v = view.getInt32(at, true);
      else if (type === DataType.INT64) v = Number(view.getBigInt64(at, true));
      else if (type === DataType.FLOAT16) v = halfToFloat(view.getUint16(at, true));
      else if (type === DataType.INT8) v = view.getInt8(at);
      else if (type === DataType.INT16) v = view.getInt16(at, true);
      else v = sources.bytes === 1 ? view.getUint8(at) : view.getUint16(at, true);
    } else if (field === 'int64_data') {
      v = int64(m.int64_data[k]!, where);
    } else {
      v = (m[field as 'float_data' | 'int32_data' | 'double_data'] as number[])[k]!;
      if (type === DataType.FLOAT16) v = halfToFloat(v & 0xffff);
    }
    if (range && (v < range.min || v > range.max)) {
      const hint = type === DataType.INT64 ? ' (INT64 tensors are stored as int32 on the GPU)' : '';
      throw new DTypeError(`${where}: value ${v} at index ${k} does not fit ${dataTypeName(type)}${range.max === INT32_MAX ? ' within int32' : ''}${hint}`);
    }
    data[k] = v;
  }
  return { name: m.name, shape, dtype, data, dataType: type };
}

/** Decodes TensorProtos bytes (a Caffe2 tensor file or checkpoint), rejecting malformed input. */
export function decodeTensorProtos(bytes: Uint8Array): NamedTensor[] {
  const what = 'decodeTensorProtos';
  const lifted = bytes instanceof Uint8Array ? liftPackedFloats(bytes) : null;
  const m = decodeMessage(caffe2Types().tensorProtos, lifted?.rest ?? bytes, what) as unknown as { protos: RawTensorProto[] };
  return m.protos.map((p, k) => tensorFromMessage(p, k, what, lifted?.floats[k] ?? null));
}

function tensorToMessage(t: NamedTensor, index: number, what: string): Record<string, unknown> {
  const where = `${what}: tensor #${index} "${t.name}"`;
  const n = checkDims(t.shape, where);
  if (n !== t.data.length) throw new ShapeError(`${where}: shape ${fmtShape(t.shape)} holds ${n} elements, but data has ${t.data.length}`);
  const type = t.dataType ?? (t.dtype === 'float32' ? DataType.FLOAT : DataType.INT32);
  if (storageDType(type) !== t.dtype || type === DataType.FLOAT16) {
    throw new DTypeError(`${where}: cannot write ${t.dtype} data as DataType ${dataTypeName(type)}`);
  }
  const m: Record<string, unknown> = { dims: t.shape, data_type: type, name: t.name };
  const small = SMALL_INTS[type];
  if (small) {
    const bad = t.data.findIndex((v) => v < small.min || v > small.max);
    if (bad >= 0) throw new DTypeError(`${where}: value ${t.data[bad]} at index ${bad} does not fit ${dataTypeName(type)}`);
  }
  if (type === DataType.FLOAT) m.float_data = t.data;
  else if (type === DataType.DOUBLE) m.double_data = t.data;
  else if (type === DataType.INT64) m.int64_data = t.data;
  else if (type === DataType.BYTE) m.byte_data = Uint8Array.from(t.data);
  else m.int32_data = t.data;
  return m;
}

/** Encodes named tensors as Caffe2 TensorProtos bytes (float_data / int32_data, packed). */
export function encodeTensorProtos(tensors: readonly NamedTensor[]): Uint8Array {
  const what = 'encodeTensorProtos';
  return caffe2Types().tensorProtos.encode({ protos: tensors.map((t, k) => tensorToMessage(t, k, what)) }).finish();
}
