/** A blob's name plus the net it came from, so `X.FC([W, B], "Y")` can add ops to that net. */
import { ArgumentError, UnknownOperatorError, didYouMean } from '../core/errors.js';
import { hasOp, registeredOps } from '../ops/registry.js';

/** What can name a blob: a string or a BlobReference. */
export type BlobLike = string | BlobReference;

/** The part of a Net a BlobReference needs to add an operator. */
export interface OpSink {
  callOp(type: string, inputs: unknown, outputs: unknown, options: unknown): unknown;
  Name(): string;
}

/** Op-type names are capitalised (FC, GaussianFill): an unknown one of that form is a typo. */
const OP_LIKE = /^[A-Z][A-Za-z0-9]*$/;

export class BlobReference {
  constructor(
    readonly name: string,
    private readonly net: OpSink | null = null,
  ) {
    // Every registered operator is a method with this blob as its first input.
    return new Proxy(this, {
      get(target, prop, receiver) {
        if (typeof prop !== 'string' || prop in target) return Reflect.get(target, prop, receiver);
        if (hasOp(prop)) {
          return (others?: unknown, outputs?: unknown, options?: unknown) => {
            if (!target.net) {
              throw new ArgumentError(`BlobReference("${target.name}") belongs to no net, so it cannot call ${prop}; use net.${prop}([...]) instead`);
            }
            let rest: unknown[];
            if (others === undefined || others === null) rest = [];
            else if (typeof others === 'string' || others instanceof BlobReference) rest = [others];
            else if (Array.isArray(others)) rest = others;
            else throw new TypeError(`${target.name}.${prop}: other inputs must be a BlobReference, a string, or a list, got ${describeValue(others)}`);
            return target.net.callOp(prop, [target, ...rest], outputs, options);
          };
        }
        if (OP_LIKE.test(prop)) {
          throw new UnknownOperatorError(`"${prop}" is not a registered operator.${didYouMean(prop, registeredOps())}`);
        }
        return undefined;
      },
    });
  }

  /** The name-scope part of the name: "conv1/" for "conv1/w", "" for "w". */
  GetNameScope(): string {
    return this.name.slice(0, this.name.lastIndexOf('/') + 1);
  }

  /** The name without its scope: "w" for "conv1/w". */
  GetUnscopedName(): string {
    return this.name.slice(this.name.lastIndexOf('/') + 1);
  }

  /** The net this reference adds operators to, if any. */
  Net(): OpSink | null {
    return this.net;
  }

  /** The blob name (references convert to their name wherever a string is expected). */
  toString(): string {
    return this.name;
  }

  [Symbol.toPrimitive](): string {
    return this.name;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `BlobReference("${this.name}")`;
  }
}

/** The name behind a BlobLike. */
export function blobName(b: BlobLike): string {
  return typeof b === 'string' ? b : b.name;
}

/** A short account of a value for messages: `an array [X, W]`, `a number 3`, `null`. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array [${v.map((x) => (typeof x === 'string' || x instanceof BlobReference ? String(x) : describeValue(x))).join(', ')}]`;
  if (v instanceof BlobReference) return `BlobReference("${v.name}")`;
  if (typeof v === 'object') return `an object ${JSON.stringify(v)?.slice(0, 60) ?? ''}`;
  return `a ${typeof v} ${JSON.stringify(v)}`;
}

/**
 * The name behind a value that should be a BlobLike; anything else is a TypeError naming `what`
 * (Caffe2 raises TypeError when an op is built, so a nested list never reaches the run).
 */
export function checkedBlobName(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (v instanceof BlobReference) return v.name;
  const hint = Array.isArray(v) ? ' (a list inside the list: flatten it, e.g. [X, W, b] rather than [[X, W, b]])' : '';
  throw new TypeError(`${what} must be a blob name or a BlobReference, got ${describeValue(v)}${hint}`);
}
