/**
 * core.Net: builds a NetDef (pure data, no GPU). Every registered operator is a method named by its
 * Caffe2 type; arguments are checked against the op's schema at call time. What a call returns
 * follows Caffe2's `_CreateAndAddToSelf`: one output → one BlobReference (even from a one-name
 * list), several → an array.
 */
import type { DeviceOption, NetDef, OperatorDef } from '../core/netdef.js';
import { cloneDeviceOption, cloneNetDef, cloneOp } from '../core/netdef.js';
import { ArgumentError, MissingBlobError, UnknownOperatorError, didYouMean } from '../core/errors.js';
import { uniqueNetName } from '../core/names.js';
import type { ArgOptions, ArgSchema, ArgSpec } from '../ops/args.js';
import { hasOp, registeredOps } from '../ops/registry.js';
import { checkOpStructure, opWhere } from '../ops/op_context.js';
import type * as AllOps from '../ops/all.js';
import { addGradientOperators } from '../autodiff/gradient.js';
import { decodeNetDef, encodeNetDef } from '../proto/codec.js';
import { BlobReference, blobName, checkedBlobName, describeValue, type BlobLike } from './blob_reference.js';
import { GradientMap, seedsOf, type GradientSeeds } from './gradient_map.js';
import { buildOperatorDef, rectify, type BlobInputs, type CommonOptions } from './operator.js';
import { constFill, type ConstValue } from './const.js';
import { ScopedName } from './scope.js';
import { printableNetDef } from './printing.js';

export type { BlobInputs, CommonOptions };

/** Every registered operator type. */
export type OpType = { [K in keyof typeof AllOps]: (typeof AllOps)[K] extends { type: string; args: object } ? K : never }[keyof typeof AllOps];

/** An args schema without an index signature (an op declared with `args: {}` infers plain ArgSchema). */
type NamedArgs<S extends ArgSchema> = { [P in keyof S as string extends P ? never : P]: S[P] extends ArgSpec ? S[P] : never };

/** The options object of op K: its Caffe2 arguments by name. */
export type OpOptions<K extends OpType> = ArgOptions<NamedArgs<(typeof AllOps)[K]['args']>> & CommonOptions;

/** Output lists that name two or more blobs (or ask for 2–8 auto-named ones). */
type ManyOutputs = readonly [BlobLike, BlobLike, ...BlobLike[]] | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/**
 * `net.FC(inputs, outputs?, options?)`. One output (a name, a one-name list, or the count 1) → a
 * BlobReference; two or more → an array; a list whose length TypeScript cannot see → either.
 */
export interface OpMethod<O> {
  (inputs?: BlobInputs, outputs?: BlobLike | readonly [BlobLike] | 1 | null, options?: O): BlobRef;
  (inputs: BlobInputs, outputs: ManyOutputs, options?: O): BlobRef[];
  (inputs: BlobInputs, outputs: readonly BlobLike[] | number, options?: O): BlobRef | BlobRef[];
}

/** Op methods of a Net. */
export type NetOps = { readonly [K in OpType]: OpMethod<OpOptions<K>> };

/** Op methods of a BlobReference: the same, with the reference as the first input. */
export type BlobOps = NetOps;

/** A BlobReference made by a net: it can call every operator with itself as the first input. */
export type BlobRef = BlobReference & BlobOps;

const OP_LIKE = /^[A-Z][A-Za-z0-9]*$/;

class NetImpl {
  private readonly proto: NetDef;
  /** Blobs some op of this net writes (inputs not among them become external inputs). */
  private readonly produced = new Set<string>();
  /** Names NextBlob handed out, so two calls never return the same one. */
  private readonly registeredBlobNames = new Set<string>();
  private nextNameIndex = 0;

  constructor(nameOrDef: string | NetDef) {
    if (typeof nameOrDef === 'string') {
      this.proto = { name: uniqueNetName(nameOrDef), op: [], external_input: [], external_output: [] };
    } else {
      this.proto = cloneNetDef(nameOrDef);
      this.proto.name = uniqueNetName(nameOrDef.name);
      for (const op of this.proto.op) for (const o of op.output) this.produced.add(o);
    }
    printableNetDef(this.proto);
    return new Proxy(this, {
      get(target, prop, receiver) {
        if (typeof prop !== 'string' || prop in target) return Reflect.get(target, prop, receiver);
        if (hasOp(prop)) return (inputs?: unknown, outputs?: unknown, options?: unknown) => target.callOp(prop, inputs ?? [], outputs, options);
        if (OP_LIKE.test(prop)) {
          throw new UnknownOperatorError(`net "${target.proto.name}": "${prop}" is not a registered operator.${didYouMean(prop, registeredOps())}`);
        }
        return undefined;
      },
    });
  }

  /** The net's (unique) name: what RunNet takes. */
  Name(): string {
    return this.proto.name;
  }

  toString(): string {
    return this.proto.name;
  }

  /** The live NetDef (edits show through, as in Caffe2). */
  Proto(): NetDef {
    return this.proto;
  }

  /** The NetDef in Caffe2's protobuf wire format (what `net.Proto().SerializeToString()` gives in Python). */
  ProtoBytes(): Uint8Array {
    return encodeNetDef(this.proto);
  }

  /**
   * A deep copy under a new (uniquified) name, with blob names renamed through `blob_remap` (inputs,
   * outputs, external lists) and only the ops in `op_id_mask` if given.
   */
  Clone(name: string, blob_remap: Readonly<Record<string, BlobLike>> | ReadonlyMap<BlobLike, BlobLike> = {}, op_id_mask?: readonly number[]): Net {
    const remap = new Map<string, string>(
      blob_remap instanceof Map ? [...blob_remap].map(([k, v]) => [blobName(k), blobName(v)]) : Object.entries(blob_remap).map(([k, v]) => [k, blobName(v as BlobLike)]),
    );
    const r = (b: string): string => remap.get(b) ?? b;
    const ids = op_id_mask ?? this.proto.op.map((_, k) => k);
    const def = cloneNetDef(this.proto);
    def.name = name;
    def.op = ids.map((k) => {
      const src = this.proto.op[k];
      if (!src) throw new ArgumentError(`Clone of net "${this.proto.name}": op_id_mask names op #${k}, but the net has ${this.proto.op.length} ops`);
      const op = cloneOp(src);
      op.input = op.input.map(r);
      op.output = op.output.map(r);
      return op;
    });
    def.external_input = def.external_input.map(r);
    def.external_output = def.external_output.map(r);
    return new Net(def);
  }

  /** Appends another net's ops (and its external inputs/outputs this net lacks); returns this net. */
  AppendNet(net: Net, device_option?: DeviceOption): this {
    const other = net.Proto();
    for (const i of other.external_input) {
      if (!this.proto.external_input.includes(i) && !this.produced.has(i)) this.proto.external_input.push(i);
    }
    for (const o of other.external_output) if (!this.proto.external_output.includes(o)) this.proto.external_output.push(o);
    for (const src of other.op) {
      const op = cloneOp(src);
      if (device_option) op.device_option = cloneDeviceOption(device_option);
      this.appendOp(op);
    }
    return this;
  }

  /** Declares external inputs: one name → one BlobReference, several → an array. A name already declared is an error. */
  AddExternalInput(input: BlobLike): BlobRef;
  AddExternalInput(...inputs: BlobLike[]): BlobRef | BlobRef[];
  AddExternalInput(...inputs: BlobLike[]): BlobRef | BlobRef[] {
    if (inputs.length === 0) throw new ArgumentError(`net "${this.proto.name}": AddExternalInput needs at least one blob`);
    const names = inputs.map((b, k) => checkedBlobName(b, `AddExternalInput: blob #${k}`));
    for (const n of names) {
      if (this.proto.external_input.includes(n)) throw new ArgumentError(`net "${this.proto.name}": Net already contains an input named ${n}`);
    }
    const refs = names.map((n) => {
      this.proto.external_input.push(n);
      return this.GetBlobRef(n);
    });
    return refs.length === 1 ? refs[0]! : refs;
  }

  /** Caffe2's alias of AddExternalInput. */
  AddExternalInputs(...inputs: BlobLike[]): BlobRef | BlobRef[] {
    return this.AddExternalInput(...inputs);
  }

  /** Declares external outputs; each must be produced by an op of this net. */
  AddExternalOutput(...outputs: BlobLike[]): void {
    for (const [k, b] of outputs.entries()) {
      const n = checkedBlobName(b, `AddExternalOutput: blob #${k}`);
      if (!this.produced.has(n)) throw new ArgumentError(`net "${this.proto.name}": external output ${n} is not produced by any op of this net`);
      if (!this.proto.external_output.includes(n)) this.proto.external_output.push(n);
    }
  }

  /** Caffe2's alias of AddExternalOutput. */
  AddExternalOutputs(...outputs: BlobLike[]): void {
    this.AddExternalOutput(...outputs);
  }

  /** The external inputs as BlobReferences. */
  get external_inputs(): BlobRef[] {
    return this.proto.external_input.map((n) => this.ref(n));
  }

  /** The external outputs as BlobReferences. */
  get external_outputs(): BlobRef[] {
    return this.proto.external_output.map((n) => this.ref(n));
  }

  /** True when an op of this net writes the blob or it is an external input. */
  BlobIsDefined(blob: BlobLike): boolean {
    const n = blobName(blob);
    return this.produced.has(n) || this.proto.external_input.includes(n);
  }

  /** True when an op of this net reads the blob or it is an external input. */
  UsesBlob(blob: BlobLike): boolean {
    const n = blobName(blob);
    return this.proto.op.some((op) => op.input.includes(n)) || this.proto.external_input.includes(n);
  }

  /** A reference to a blob this net defines (an op output or an external input). */
  GetBlobRef(name: BlobLike): BlobRef {
    const n = blobName(name);
    if (!this.BlobIsDefined(n)) {
      throw new MissingBlobError(`net "${this.proto.name}": Net does not define blob ${n}.${didYouMean(n, [...this.produced, ...this.proto.external_input])}`);
    }
    return this.ref(n);
  }

  /** `prefix` if this net has not defined or handed it out yet, else `prefix_auto_0`, `_auto_1`, … */
  NextBlob(prefix = 'unnamed'): BlobRef {
    let name = prefix;
    for (let k = 0; this.registeredBlobNames.has(name) || this.BlobIsDefined(name); k++) name = `${prefix}_auto_${k}`;
    this.registeredBlobNames.add(name);
    return this.ref(name);
  }

  /** NextBlob with the current NameScope in front of `prefix`. */
  NextScopedBlob(prefix = 'unnamed'): BlobRef {
    return this.NextBlob(ScopedName(prefix));
  }

  /**
   * The next automatic name: `<net>/<prefix>` (`:<output_id>` for one of several outputs), then
   * `_2`, `_3`, … while taken; without a prefix, `<net>_blob_<n>`.
   */
  NextName(prefix?: string, output_id?: number): string {
    if (!prefix) return `${this.proto.name}_blob_${this.nextNameIndex++}`;
    const base = `${this.proto.name}/${prefix}`;
    const id = output_id === undefined ? '' : `:${output_id}`;
    let name = base + id;
    for (let k = 2; this.BlobIsDefined(ScopedName(name)); k++) name = `${base}_${k}${id}`;
    return name;
  }

  /**
   * A constant blob: GivenTensorFill (numbers), GivenTensorIntFill/Int64Fill (Int32Array or `dtype`),
   * GivenTensorBoolFill (booleans), or a BOOL ConstantFill for one boolean.
   */
  Const(array: ConstValue, blob_out?: BlobLike, dtype?: number): BlobRef {
    const fill = constFill(array, dtype, `net "${this.proto.name}": Const`);
    return this.callOp(fill.type, [], blob_out ?? 1, fill.args) as BlobRef;
  }

  /**
   * Appends the gradient operators of the ops so far, seeded with 1.0 for each blob in `ys` (a list)
   * or with the given gradient blobs (a dict), and returns the blob → gradient-blob map.
   */
  AddGradientOperators(ys: GradientSeeds, skip = 0): GradientMap {
    const { ops, gradOf } = addGradientOperators(this.proto.op, seedsOf(ys), skip, this.proto.name);
    for (const op of ops) this.appendOp(op);
    const gradMap = new GradientMap();
    // Values carry no net, as in Caffe2: pass them as inputs (net.Scale([grads[W]], …)).
    for (const [k, v] of gradOf) gradMap.set(k, new BlobReference(v));
    return gradMap;
  }

  /** Appends a ready OperatorDef after checking its type and counts; unknown inputs become external inputs. */
  appendOp(op: OperatorDef): void {
    const where = opWhere(op, this.proto.op.length, this.proto.name);
    checkOpStructure(op, where);
    for (const i of op.input) {
      if (!this.produced.has(i) && !this.proto.external_input.includes(i)) this.proto.external_input.push(i);
    }
    this.proto.op.push(op);
    for (const o of op.output) this.produced.add(o);
  }

  private ref(name: string): BlobRef {
    return new BlobReference(name, this) as BlobRef;
  }

  /** Adds operator `type` (Caffe2's _CreateAndAddToSelf); what the op methods call. */
  callOp(type: string, inputs: unknown, outputs: unknown, options: unknown): BlobRef | BlobRef[] {
    const where = opWhere({ type, input: [], output: [], arg: [] }, this.proto.op.length, this.proto.name);
    const inNames = rectify(inputs, `${where}: input`);
    let outs: unknown = outputs;
    if (outputs === undefined || outputs === null) outs = this.NextName(type);
    else if (typeof outputs === 'number') {
      if (!Number.isInteger(outputs) || outputs < 0) throw new TypeError(`${where}: an output count must be a whole number, got ${outputs}`);
      outs = Array.from({ length: outputs }, (_, i) => this.NextName(type, i));
    } else if (typeof outputs !== 'string' && !(outputs instanceof BlobReference) && !Array.isArray(outputs)) {
      throw new TypeError(`${where}: outputs must be a blob name, a BlobReference, a list of them, or a count, got ${describeValue(outputs)}`);
    }
    const op = buildOperatorDef(type, inNames, rectify(outs, `${where}: output`), options, where);
    this.appendOp(op);
    const refs = op.output.map((n) => this.ref(n));
    return refs.length === 1 ? refs[0]! : refs;
  }
}

/** A net: NetImpl's methods plus one method per registered operator. */
export type Net = NetImpl & NetOps;

/** `new core.Net("train")` or `core.Net("train")`; a NetDef is copied under a uniquified name. */
export interface NetConstructor {
  new (nameOrDef: string | NetDef): Net;
  (nameOrDef: string | NetDef): Net;
  /** A net from a serialized Caffe2 NetDef (.pb bytes); malformed input is a clear error. */
  FromProto(bytes: Uint8Array): Net;
}

export const Net = Object.assign(
  function (this: unknown, nameOrDef: string | NetDef): Net {
    return new NetImpl(nameOrDef) as Net;
  },
  { FromProto: (bytes: Uint8Array): Net => new NetImpl(decodeNetDef(bytes)) as Net },
) as unknown as NetConstructor;

/** True for objects made by core.Net. */
export function isNet(x: unknown): x is Net {
  return x instanceof NetImpl;
}
