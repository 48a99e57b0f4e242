/** Builds the OpContext an operator spec's shape rule and kernel builder see. */
import type { OperatorDef } from '../core/netdef.js';
import { ArgumentError, DTypeError, ShapeError } from '../core/errors.js';
import { decodeArgs } from './args.js';
import { getOpSpec, inputRange, outputRange, type AnyOpSpec, type OpContext, type TensorInfo } from './registry.js';
import type { ArgSchema } from './args.js';

/** "FC (op #4 in net "train")". */
export function opWhere(op: OperatorDef, index: number, netName: string): string {
  return `${op.type} (op #${index} in net "${netName}")`;
}

function countText(r: readonly [number, number]): string {
  if (r[0] === r[1]) return String(r[0]);
  return r[1] === Infinity ? `at least ${r[0]}` : `${r[0]} to ${r[1]}`;
}

/** Checks an op's type, input/output counts and in-place rules (no shapes needed). */
export function checkOpStructure(op: OperatorDef, where: string): AnyOpSpec {
  const spec = getOpSpec(op.type, where);
  const ir = inputRange(spec);
  if (op.input.length < ir[0] || op.input.length > ir[1]) {
    throw new ArgumentError(`${where}: expected ${countText(ir)} inputs (${spec.inputs.join(', ')}), got ${op.input.length}: [${op.input.join(', ')}]`);
  }
  const or = outputRange(spec);
  if (op.output.length < or[0] || op.output.length > or[1]) {
    throw new ArgumentError(`${where}: expected ${countText(or)} outputs (${spec.outputs.join(', ')}), got ${op.output.length}: [${op.output.join(', ')}]`);
  }
  if (spec.inPlace !== 'any') {
    const allowed = spec.inPlace ?? [];
    op.output.forEach((out, o) => {
      op.input.forEach((inp, i) => {
        if (inp === out && !allowed.some(([a, b]) => a === i && b === o)) {
          throw new ArgumentError(
            `${where}: output #${o} "${out}" is the same blob as input #${i}, which this operator does not allow in place`,
          );
        }
      });
    });
  }
  return spec;
}

/** The context for one op whose input infos are known. */
export function makeOpContext(
  spec: AnyOpSpec,
  op: OperatorDef,
  index: number,
  netName: string,
  inputs: readonly TensorInfo[],
): OpContext<ArgSchema> {
  const where = opWhere(op, index, netName);
  const decoded = decodeArgs(where, spec.args, extraArgKinds(spec), op.arg);
  return {
    op,
    index,
    netName,
    args: decoded.values,
    extraArgs: decoded.extra,
    inputs,
    where,
    shapeError: (m) => {
      throw new ShapeError(`${where}: ${m}`);
    },
    dtypeError: (m) => {
      throw new DTypeError(`${where}: ${m}`);
    },
    argError: (m) => {
      throw new ArgumentError(`${where}: ${m}`);
    },
  };
}

/** Kinds of arguments beyond the fixed schema: the op's own, plus `run_once` for fills. */
export function extraArgKinds(spec: AnyOpSpec): AnyOpSpec['extraArgs'] {
  if (!spec.runOnce) return spec.extraArgs;
  const extra = spec.extraArgs;
  return (name) => (name === 'run_once' ? 'bool' : extra?.(name));
}

/** The op's run_once argument (fills only; default 0: refill on every run). */
export function runOnceOf(spec: AnyOpSpec, extra: Readonly<Record<string, unknown>>): boolean {
  return spec.runOnce === true && extra.run_once === 1;
}
