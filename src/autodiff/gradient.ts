/**
 * AddGradientOperators: a reverse sweep over the forward ops that asks each op's gradient maker
 * for gradient operators, with Caffe2's rules (core.IR): blob versions (SSA) so in-place ops are
 * handled, StopGradient in place erasing a gradient, and fan-out gradients summed with
 * `_<name>_autosplit_<n>` renames.
 */
import type { Argument, OperatorDef } from '../core/netdef.js';
import { ArgumentError } from '../core/errors.js';
import { getOpSpec, type AnyOpSpec, type GradientContext } from '../ops/registry.js';
import { extraArgKinds, opWhere } from '../ops/op_context.js';

/** One seed: a blob and the gradient blob given for it (null: seed it with 1.0). */
export type Seed = readonly [blob: string, given: string | null];

/** A blob at one version: "name@version". */
type VersionKey = string;

/** One gradient contribution to a blob version: an emitted op's output, or a name passed through. */
interface Contribution {
  name: string;
  op: OperatorDef | null;
  outIndex: number;
}

/** Forward args the gradient op's schema accepts, appended after the maker's own (Caffe2 copies all; our schemas are strict). */
function appendForwardArgs(gradOp: OperatorDef, forward: OperatorDef): void {
  const spec = getOpSpec(gradOp.type, `gradient of ${forward.type}`);
  const extra = extraArgKinds(spec);
  for (const a of forward.arg) {
    if (!(a.name in spec.args) && !extra?.(a.name)) continue;
    const own = gradOp.arg.find((x) => x.name === a.name);
    if (own && JSON.stringify(own) === JSON.stringify(a)) continue;
    gradOp.arg.push({ ...a });
  }
}

/**
 * Caffe2's sanity check: a StopGradient whose output nothing reads stops nothing (the usual slip is
 * `StopGradient(Y) -> Y_sg` while later ops still read Y), so it is refused.
 */
function checkNoOrphanStopGradient(forward: readonly OperatorDef[], first: number, netName: string): void {
  const read = new Set(forward.flatMap((op) => op.input));
  forward.forEach((op, i) => {
    const out = op.output[0];
    if (op.type === 'StopGradient' && out !== undefined && !read.has(out)) {
      throw new ArgumentError(
        `${opWhere(op, first + i, netName)}: StopGradient's output '${out}' is orphan: no operator reads it, so it stops no gradient.` +
          ` You typically want the same input and output (StopGradient([${op.input[0]}], "${op.input[0]}")).`,
      );
    }
  });
}

/**
 * Caffe2's version check: gradient ops run after the whole forward pass, so a forward blob they read
 * must still hold the version the forward op saw; otherwise the gradient would silently use the
 * overwritten value.
 */
function checkGradientInputVersions(
  gradOps: readonly OperatorDef[],
  where: string,
  seen: { readonly input: ReadonlyMap<string, number>; readonly output: ReadonlyMap<string, number> },
  finalVersion: ReadonlyMap<string, number>,
): void {
  const local = new Set<string>();
  for (const gop of gradOps) {
    for (const name of gop.input) {
      // Caffe2 looks at the op's outputs first: an in-place op's gradient reads the value it wrote.
      const role = seen.output.has(name) ? 'output' : seen.input.has(name) ? 'input' : null;
      if (local.has(name) || role === null) continue;
      const v = (role === 'output' ? seen.output : seen.input).get(name)!;
      const now = finalVersion.get(name) ?? 0;
      if (v !== now) {
        throw new ArgumentError(
          `${where}: Gradient operator needs ${role} "${name}" at version ${v}, but currently we have version ${now}` +
            ` (a later operator overwrites "${name}"; write the new value to another blob)`,
        );
      }
    }
    for (const o of gop.output) local.add(o);
  }
}

/** name → version, from "name@version" keys. */
function versionsOf(keys: readonly VersionKey[]): Map<string, number> {
  return new Map(keys.map((k) => [k.slice(0, k.lastIndexOf('@')), Number(k.slice(k.lastIndexOf('@') + 1))]));
}

/**
 * Gradient ops for `netOps[skip:]` seeded at `ys`, and the blob → gradient-blob name map. As in
 * Caffe2, the skipped ops are not seen at all (versions and checks start after them); messages give
 * op indices in the whole net.
 */
export function addGradientOperators(
  netOps: readonly OperatorDef[],
  ys: readonly Seed[],
  skip = 0,
  netName = 'net',
): { ops: OperatorDef[]; gradOf: Map<string, string> } {
  const forward = netOps.slice(skip);
  checkNoOrphanStopGradient(forward, skip, netName);
  // 1. Versions: which version each op reads and writes, and who reads each version.
  const version = new Map<string, number>();
  const reads: VersionKey[][] = [];
  const writes: VersionKey[][] = [];
  const firstReader = new Map<VersionKey, number>();
  const produced = new Set(netOps.flatMap((op) => op.output));
  forward.forEach((op, i) => {
    reads.push(
      op.input.map((n) => {
        // A blob first seen as an input is at version 0, so a later write makes version 1 (Caffe2's IR).
        if (!version.has(n)) version.set(n, 0);
        const key = `${n}@${version.get(n)!}`;
        if (!firstReader.has(key)) firstReader.set(key, i);
        return key;
      }),
    );
    writes.push(
      op.output.map((n) => {
        const v = version.has(n) ? version.get(n)! + 1 : 0;
        version.set(n, v);
        return `${n}@${v}`;
      }),
    );
  });

  const out: OperatorDef[] = [];
  const gradAt = new Map<VersionKey, string>();
  const byName = new Map<string, string>();
  const pending = new Map<VersionKey, Contribution[]>();

  // 2. Seeds: ConstantFill(y) -> y_autogen_grad, value 1.0, shaped like y.
  for (const [y, given] of ys) {
    const key = `${y}@${version.get(y) ?? 0}`;
    if (!produced.has(y)) throw new ArgumentError(`AddGradientOperators: "${y}" is not produced by any op of net "${netName}"`);
    let g = given;
    if (!g) {
      g = `${y}_autogen_grad`;
      out.push({ type: 'ConstantFill', input: [y], output: [g], arg: [{ name: 'value', f: 1.0 }], is_gradient_op: true });
    }
    gradAt.set(key, g);
    byName.set(y, g);
  }

  const autosplit = new Map<string, number>();
  // 3. Reverse sweep.
  for (let i = forward.length - 1; i >= 0; i--) {
    const op = forward[i]!;
    const where = opWhere(op, skip + i, netName);
    const outGrads = writes[i]!.map((k) => gradAt.get(k));
    const emitted: OperatorDef[] = [];
    let inputGrads: (string | null)[] = op.input.map(() => null);
    if (outGrads.some((g) => g !== undefined)) {
      const spec: AnyOpSpec = getOpSpec(op.type, where);
      if ('shouldNotDoGradient' in spec && spec.shouldNotDoGradient) {
        throw new ArgumentError(`${where}: a gradient reaches this operator, which must not be differentiated (${spec.shouldNotDoGradient})`);
      }
      if (spec.gradient) {
        const g: GradientContext = {
          def: op,
          I: (k) => op.input[k]!,
          O: (k) => op.output[k]!,
          GO: (k) => outGrads[k],
          GI: (k) => `${op.input[k]}_grad`,
          op: (type: string, input: string[], output: string[], arg: Argument[] = []) => ({ type, input, output, arg: [...arg], is_gradient_op: true }),
        };
        const res = spec.gradient(g);
        checkGradientInputVersions(res.ops, where, { input: versionsOf(reads[i]!), output: versionsOf(writes[i]!) }, version);
        if (spec.copyArgs !== false) for (const gop of res.ops) appendForwardArgs(gop, op);
        emitted.push(...res.ops);
        inputGrads = res.inputGrads;
      }
    }
    out.push(...emitted);

    // 4. Record each input's gradient as a contribution to the version it read.
    op.input.forEach((name, k) => {
      const gname = inputGrads[k] ?? null;
      if (gname === null) {
        // In place, a missing gradient erases the entry (how StopGradient(Y) -> Y stops the flow).
        if (op.output.includes(name)) byName.delete(name);
        return;
      }
      let found: Contribution = { name: gname, op: null, outIndex: -1 };
      for (const e of emitted) {
        const idx = e.output.indexOf(gname);
        if (idx >= 0) found = { name: gname, op: e, outIndex: idx };
      }
      const key = reads[i]![k]!;
      let list = pending.get(key);
      if (!list) pending.set(key, (list = []));
      list.push(found);
    });

    // 5. At the first reader of a version, its contributions are final: alias one, or sum several.
    for (const key of new Set(reads[i]!)) {
      if (firstReader.get(key) !== i) continue;
      const list = pending.get(key);
      pending.delete(key);
      if (!list?.length) continue;
      const name = key.slice(0, key.lastIndexOf('@'));
      let target: string;
      if (list.length === 1) {
        target = list[0]!.name;
      } else {
        const firstReal = list.find((c) => c.op);
        target = firstReal ? firstReal.name : `${name}_grad`;
        const inputs: string[] = [];
        for (const c of list) {
          if (c.op && c !== firstReal) {
            const n = autosplit.get(c.name) ?? 0;
            autosplit.set(c.name, n + 1);
            const renamed = `_${c.name}_autosplit_${n}`;
            c.op.output[c.outIndex] = renamed;
            inputs.push(renamed);
          } else {
            inputs.push(c.name);
          }
        }
        const t = inputs.indexOf(target);
        if (t > 0) [inputs[0], inputs[t]] = [inputs[t]!, inputs[0]!];
        out.push({ type: 'Sum', input: inputs, output: [target], arg: [], is_gradient_op: true });
      }
      gradAt.set(key, target);
      byName.set(name, target);
    }
  }

  return { ops: out, gradOf: byName };
}
