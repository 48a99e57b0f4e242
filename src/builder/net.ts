/**
 * core.Net: builds a NetDef (pure data, no GPU). Every registered operator is a method named by its
 * Caffe2 type; arguments are checked against the op's schema at call time.
 */
import type { NetDef, OperatorDef } from '../core/netdef.js';
import { cloneNetDef } from '../core/netdef.js';
import { ArgumentError, UnknownOperatorError, didYouMean } from '../core/errors.js';
import { uniqueNetName } from '../core/names.js';
import { encodeArgs } from '../ops/args.js';
import type { ArgOptions } from '../ops/args.js';
import { getOpSpec, hasOp, registeredOps } from '../ops/registry.js';
import { checkOpStructure, extraArgKinds, opWhere } from '../ops/op_context.js';
import type * as AllOps from '../ops/all.js';
import { addGradientOperators } from '../autodiff/gradient.js';
import { decodeNetDef, encodeNetDef } from '../proto/codec.js';
import { BlobReference, blobName, type BlobLike } from './blob_reference.js';
import { GradientMap, seedsOf, type GradientSeeds } from './gradient_map.js';

/** Inputs of an op call: one blob or a list. */
export type BlobInputs = BlobLike | readonly BlobLike[];
/** Options every op call accepts besides its own arguments. */
export interface CommonOptions {
  /** OperatorDef.name. */
  name?: string;
  engine?: string;
  /** Fills only: 1 = fill on a created net's first run only. */
  run_once?: number | boolean;
}

/** Every registered operator type. */
export type OpType = { [K in keyof typeof AllOps]: (typeof AllOps)[K] extends { type: string; args: object } ? K : never }[keyof typeof AllOps];

/** The options object of op K: its Caffe2 arguments by name. */
export type OpOptions<K extends OpType> = ArgOptions<(typeof AllOps)[K]['args']> & CommonOptions;

/** `net.FC(inputs, outputs?, options?)`: one output name → a BlobReference; a list or count → an array. */
export interface OpMethod<O> {
  (inputs?: BlobInputs, outputs?: BlobLike, options?: O): BlobRef;
  (inputs: BlobInputs, outputs: readonly BlobLike[] | number, options?: O): BlobRef[];
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
  private readonly autoNames = new Map<string, number>();

  constructor(nameOrDef: string | NetDef) {
    if (typeof nameOrDef === 'string') {
      this.proto = { name: uniqueNetName(nameOrDef), op: [], external_input: [], external_output: [] };
    } else {
      this.proto = cloneNetDef(nameOrDef);
      this.proto.name = uniqueNetName(nameOrDef.name);
      for (const op of this.proto.op) for (const o of op.output) this.produced.add(o);
    }
    return new Proxy(this, {
      get(target, prop, receiver) {
        if (typeof prop !== 'string' || prop in target) return Reflect.get(target, prop, receiver);
        if (hasOp(prop)) {
          return (inputs?: BlobInputs, outputs?: unknown, options?: unknown) =>
            target.callOp(prop, inputs === undefined ? [] : Array.isArray(inputs) ? inputs : [inputs as BlobLike], outputs, options);
        }
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

  /** A deep copy under a new (uniquified) name. */
  Clone(name: string): Net {
    return new Net({ ...cloneNetDef(this.proto), name });
  }

  /** Declares external inputs; a name already declared is an error. */
  AddExternalInput(...names: BlobLike[]): BlobRef[] {
    return names.map((b) => {
      const n = blobName(b);
      if (this.proto.external_input.includes(n)) throw new ArgumentError(`net "${this.proto.name}": ${n} is already an external input`);
      this.proto.external_input.push(n);
      return new BlobReference(n, this) as BlobRef;
    });
  }

  /** Declares external outputs; each must be produced by an op of this net. */
  AddExternalOutput(...names: BlobLike[]): void {
    for (const b of names) {
      const n = blobName(b);
      if (!this.produced.has(n)) throw new ArgumentError(`net "${this.proto.name}": external output ${n} is not produced by any op of this net`);
      if (!this.proto.external_output.includes(n)) this.proto.external_output.push(n);
    }
  }

  /** A reference to a blob name, bound to this net. */
  GetBlobRef(name: string): BlobRef {
    return new BlobReference(name, this) as BlobRef;
  }

  /**
   * Appends the gradient operators of the ops so far, seeded with 1.0 for each blob in `ys` (or with
   * the given gradient blobs), and returns the blob → gradient-blob map (`grads.get(W)`).
   */
  AddGradientOperators(ys: GradientSeeds, skip = 0): GradientMap {
    const { ops, gradOf } = addGradientOperators(this.proto.op, seedsOf(ys), skip, this.proto.name);
    for (const op of ops) this.appendOp(op);
    const gradMap = new GradientMap();
    // Values carry no net, as in Caffe2: pass them as inputs (net.Scale([grads[W]], …)).
    for (const [k, v] of gradOf) gradMap.set(k, new BlobReference(v));
    return gradMap;
  }

  /** Appends a ready OperatorDef after checking its type, counts and arguments. */
  appendOp(op: OperatorDef): void {
    const where = opWhere(op, this.proto.op.length, this.proto.name);
    checkOpStructure(op, where);
    for (const i of op.input) {
      if (!this.produced.has(i) && !this.proto.external_input.includes(i)) this.proto.external_input.push(i);
    }
    this.proto.op.push(op);
    for (const o of op.output) this.produced.add(o);
  }

  private autoName(type: string): string {
    const n = (this.autoNames.get(type) ?? 0) + 1;
    this.autoNames.set(type, n);
    return n === 1 ? `${this.proto.name}/${type}` : `${this.proto.name}/${type}_${n}`;
  }

  /** Adds operator `type`; what the op methods call. */
  callOp(type: string, inputs: readonly BlobLike[], outputs: unknown, options: unknown): BlobRef | BlobRef[] {
    const where = opWhere({ type, input: [], output: [], arg: [] }, this.proto.op.length, this.proto.name);
    const spec = getOpSpec(type, where);
    let outNames: string[];
    let single = false;
    if (outputs === undefined || outputs === null) {
      outNames = [this.autoName(type)];
      single = true;
    } else if (typeof outputs === 'number') {
      outNames = Array.from({ length: outputs }, (_, i) => `${this.proto.name}/${type}:${i}`);
    } else if (Array.isArray(outputs)) {
      outNames = outputs.map((o) => blobName(o as BlobLike));
    } else if (typeof outputs === 'string' || outputs instanceof BlobReference) {
      outNames = [blobName(outputs as BlobLike)];
      single = true;
    } else {
      throw new ArgumentError(`${where}: outputs must be a blob name, a BlobReference, a list of them, or a count`);
    }
    if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
      throw new ArgumentError(`${where}: the third argument must be an options object of Caffe2 arguments, got ${JSON.stringify(options)}`);
    }
    const { name, engine, ...rest } = (options ?? {}) as Record<string, unknown>;
    const op: OperatorDef = {
      type,
      input: inputs.map(blobName),
      output: outNames,
      arg: encodeArgs(where, spec.args, extraArgKinds(spec), rest),
      ...(typeof name === 'string' ? { name } : {}),
      ...(typeof engine === 'string' ? { engine } : {}),
    };
    this.appendOp(op);
    const refs = outNames.map((n) => new BlobReference(n, this) as BlobRef);
    return single ? refs[0]! : refs;
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

/** An OperatorDef not added to any net (Caffe2's core.CreateOperator). */
export function CreateOperator(type: string, inputs: BlobInputs, outputs: BlobLike | readonly BlobLike[], options: Record<string, unknown> = {}): OperatorDef {
  const where = `${type} (CreateOperator)`;
  const spec = getOpSpec(type, where);
  const { name, engine, ...rest } = options;
  const op: OperatorDef = {
    type,
    input: (Array.isArray(inputs) ? inputs : [inputs]).map((b: BlobLike) => blobName(b)),
    output: (Array.isArray(outputs) ? outputs : [outputs]).map((b: BlobLike) => blobName(b)),
    arg: encodeArgs(where, spec.args, extraArgKinds(spec), rest),
    ...(typeof name === 'string' ? { name } : {}),
    ...(typeof engine === 'string' ? { engine } : {}),
  };
  checkOpStructure(op, where);
  return op;
}
