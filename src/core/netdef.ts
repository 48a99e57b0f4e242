/**
 * Plain-data mirrors of Caffe2's protobuf messages (caffe2.proto): what `net.Proto()` returns and
 * what the planner consumes. Field names follow the proto so a JSON NetDef reads the same.
 */

/** One operator argument: exactly one of the value fields is set (proto `Argument`). */
export interface Argument {
  name: string;
  f?: number;
  i?: number;
  s?: string;
  floats?: number[];
  ints?: number[];
  strings?: string[];
}

/**
 * proto `DeviceOption`. Recorded and kept for Caffe2 compatibility; every op runs on the one WebGPU
 * device whatever it says.
 */
export interface DeviceOption {
  /** 0 CPU, 1 CUDA, 2 MKLDNN, 3 OPENGL, 4 OPENCL, 5 IDEEP, 6 HIP (caffe2.proto). */
  device_type: number;
  device_id?: number;
  random_seed?: number;
  node_name?: string;
  numa_node_id?: number;
  extra_info?: string[];
}

/** proto `OperatorDef`. */
export interface OperatorDef {
  type: string;
  input: string[];
  output: string[];
  arg: Argument[];
  name?: string;
  engine?: string;
  device_option?: DeviceOption;
  /** Blobs this op must run after (ordering only; ops already run in net order here). */
  control_input?: string[];
  is_gradient_op?: boolean;
}

/** proto `NetDef`. */
export interface NetDef {
  name: string;
  op: OperatorDef[];
  type?: string;
  arg?: Argument[];
  device_option?: DeviceOption;
  external_input: string[];
  external_output: string[];
}

/** A net as the runtime and codecs accept it: a NetDef or anything with Proto() (core.Net). */
export type NetLike = NetDef | { Proto(): NetDef };

/** The NetDef behind a net or NetDef. */
export function netDefOf(net: NetLike): NetDef {
  return 'Proto' in net && typeof net.Proto === 'function' ? net.Proto() : (net as NetDef);
}

/** A value an argument can carry once decoded. */
export type ArgValue = number | string | readonly number[] | readonly string[];

/** The value held by an Argument, whichever field carries it. */
export function argumentValue(arg: Argument): ArgValue | undefined {
  if (arg.f !== undefined) return arg.f;
  if (arg.i !== undefined) return arg.i;
  if (arg.s !== undefined) return arg.s;
  if (arg.floats !== undefined) return arg.floats;
  if (arg.ints !== undefined) return arg.ints;
  if (arg.strings !== undefined) return arg.strings;
  return undefined;
}

/** Deep copy of a DeviceOption. */
export function cloneDeviceOption(d: DeviceOption): DeviceOption {
  return { ...d, ...(d.extra_info ? { extra_info: [...d.extra_info] } : {}) };
}

/** Deep copy of an OperatorDef (args included), so edits to a copy never reach the original. */
export function cloneOp(op: OperatorDef): OperatorDef {
  return {
    ...op,
    input: [...op.input],
    output: [...op.output],
    ...(op.device_option ? { device_option: cloneDeviceOption(op.device_option) } : {}),
    ...(op.control_input ? { control_input: [...op.control_input] } : {}),
    arg: op.arg.map((a) => ({
      ...a,
      ...(a.floats ? { floats: [...a.floats] } : {}),
      ...(a.ints ? { ints: [...a.ints] } : {}),
      ...(a.strings ? { strings: [...a.strings] } : {}),
    })),
  };
}

/** Deep copy of a NetDef. */
export function cloneNetDef(net: NetDef): NetDef {
  return {
    ...net,
    op: net.op.map(cloneOp),
    external_input: [...net.external_input],
    external_output: [...net.external_output],
    ...(net.arg ? { arg: net.arg.map((a) => ({ ...a })) } : {}),
    ...(net.device_option ? { device_option: cloneDeviceOption(net.device_option) } : {}),
  };
}
