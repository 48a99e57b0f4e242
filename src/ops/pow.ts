/**
 * Pow: Y = X ^ exponent with the `exponent` argument, or Y = A ^ B with a second input — of A's
 * shape, or with `broadcast: 1` a single value or a block of A's dims (Caffe2's legacy rule, `axis`
 * or `axis_str` + `order`). Y has A's shape. Negative bases follow std::pow (integral exponents
 * keep the sign; others give NaN). The gradient is Caffe2's: Pow, Mul and Scale for the argument
 * form; for two inputs ConstantFill, Sub, Pow, Mul, Log and (with broadcast) SumReduceLike.
 * Caffe2 ignores `exponent` when a second input is given, though its gradient would use it; here
 * giving both is an error.
 */
import { ArgumentError, fmtShape } from '../core/errors.js';
import type { Argument } from '../core/netdef.js';
import { arg, type ArgValues } from './args.js';
import { coalesce, isFailure, legacyBroadcast } from './broadcast.js';
import { defineOp, f32Lit, type GradientContext, type GradientResult, type OpContext } from './registry.js';
import { linearWorkgroups, requireDType, size } from './shape.js';
import { UNARY_CODES, unaryFused, unaryKernels } from './unary.js';

const powArgs = {
  exponent: arg.float(),
  broadcast: arg.bool(0),
  axis: arg.int(-1),
  axis_str: arg.string(),
  order: arg.string('NCHW'),
};
type PowArgs = ArgValues<typeof powArgs>;

/** Where B's elements sit in A: B[(i / post) % bN] (post = 1, bN = n for equal shapes). */
interface Layout {
  bN: number;
  post: number;
}

/** B's layout against A under Pow's rules; `fail` gets Caffe2's complaints in our words. */
function layoutOf(a: readonly number[], b: readonly number[], args: PowArgs, fail: (kind: 'arg' | 'shape', m: string) => never): Layout {
  if (!args.broadcast) {
    if (args.axis !== -1 || args.axis_str !== undefined) fail('arg', 'axis and axis_str are only used with broadcast=1');
    if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
      fail('shape', `exponent input has shape ${fmtShape(b)}, but the base has shape ${fmtShape(a)}; without broadcast=1 they must match (did you forget broadcast=1?)`);
    }
    return { bN: Math.max(1, size(b)), post: 1 };
  }
  let axis: number | null = args.axis === -1 ? null : args.axis;
  if (args.axis_str !== undefined) {
    if (axis !== null) fail('arg', 'arguments axis and axis_str cannot be used together');
    const at = args.order.indexOf(args.axis_str);
    if (args.axis_str.length !== 1 || at < 0) fail('arg', `axis_str "${args.axis_str}" is not a letter of order "${args.order}"`);
    axis = at;
  }
  const bc = legacyBroadcast(a, b, axis);
  if (isFailure(bc)) fail('shape', `exponent input ${fmtShape(b)} cannot be broadcast against the base ${fmtShape(a)} (${bc.error})`);
  if (size(b) <= 1) return { bN: 1, post: 1 };
  // Merged, B walks [pre (stride 0), its own block (stride 1), post (stride 0)].
  const walk = coalesce(bc.shape, [bc.strides[1]!]);
  const at = walk.strides[0]!.findIndex((s) => s !== 0);
  return { bN: size(b), post: size(walk.shape.slice(at + 1)) };
}

function contextLayout(ctx: OpContext<typeof powArgs>): Layout {
  const fail = (kind: 'arg' | 'shape', m: string): never => (kind === 'arg' ? ctx.argError(m) : ctx.shapeError(m));
  return layoutOf(ctx.inputs[0]!.shape, ctx.inputs[1]!.shape, ctx.args, fail);
}

/** The forward's broadcast arguments, passed on to the gradient's Pow and Mul as given. */
function broadcastArgsOf(def: { arg: readonly Argument[] }): Argument[] {
  return def.arg.filter((a) => ['broadcast', 'axis', 'axis_str', 'order'].includes(a.name)).map((a) => ({ ...a }));
}

function powGradient(g: GradientContext): GradientResult {
  const exponent = g.def.arg.find((a) => a.name === 'exponent');
  const dy = g.GO(0)!;
  if (g.def.input.length === 1) {
    const e = exponent!.f ?? exponent!.i ?? 0;
    // In place, X is gone and Y = X^e is read instead: Y^((e−1)/e) = X^(e−1).
    let p = e - 1;
    if (g.I(0) === g.O(0)) {
      if (Math.abs(e) <= 1e-12) throw new ArgumentError(`Pow: cannot differentiate an in-place Pow with exponent ${e} (X cannot be recovered from Y)`);
      p = (e - 1) / e;
    }
    return {
      ops: [
        g.op('Pow', [g.I(0)], [g.GI(0)], [{ name: 'exponent', f: p }]),
        g.op('Mul', [g.GI(0), dy], [g.GI(0)]),
        g.op('Scale', [g.GI(0)], [g.GI(0)], [{ name: 'scale', f: e }]),
      ],
      inputGrads: [g.GI(0)],
    };
  }
  if (g.I(0) === g.O(0) || g.I(1) === g.O(0)) {
    throw new ArgumentError(`Pow: cannot differentiate a two-input Pow computed in place ("${g.O(0)}")`);
  }
  const bargs = broadcastArgsOf(g.def);
  const reduce = bargs.some((a) => a.name === 'broadcast');
  const pre = `${g.GI(1)}_autogen_pre_red`;
  // dA = B · A^(B−1) · dY;  dB = log(A) · Y · dY, summed down to B's shape when B was broadcast.
  const ops = [
    g.op('ConstantFill', [g.I(1)], [g.GI(1)], [{ name: 'value', f: 1 }]),
    g.op('Sub', [g.I(1), g.GI(1)], [g.GI(1)]),
    g.op('Pow', [g.I(0), g.GI(1)], [g.GI(0)], bargs),
    g.op('Mul', [g.GI(0), dy], [g.GI(0)]),
    g.op('Mul', [g.GI(0), g.I(1)], [g.GI(0)], bargs),
    g.op('Log', [g.I(0)], [pre]),
    g.op('Mul', [pre, g.O(0)], [pre]),
  ];
  if (reduce) {
    ops.push(g.op('Mul', [pre, dy], [pre]));
    ops.push(g.op('SumReduceLike', [pre, g.I(1)], [g.GI(1)], bargs.filter((a) => a.name !== 'broadcast')));
  } else {
    ops.push(g.op('Mul', [pre, dy], [g.GI(1)]));
  }
  return { ops, inputGrads: [g.GI(0), g.GI(1)] };
}

/** std::pow in float64 (JavaScript's ** agrees on negative bases and zeros). */
const powReal = (x: number, e: number): number => x ** e;

export const Pow = defineOp({
  type: 'Pow',
  doc:
    'Y = X ^ exponent (argument), or Y = A ^ B with B of A\'s shape or, with broadcast=1, one value or a block of A\'s ' +
    'dims aligned at `axis` (default: suffix) or `axis_str` in `order`. float32; Y has A\'s shape.',
  inputs: ['X', 'exponent'],
  inputCount: [1, 2],
  outputs: ['Y'],
  args: powArgs,
  inPlace: [[0, 0], [1, 0]],
  inferShape(ctx) {
    const x = ctx.inputs[0]!;
    requireDType(ctx, ctx.op.input[0]!, x, 'float32');
    if (ctx.inputs.length === 1) {
      if (ctx.args.exponent === undefined) ctx.argError('needs the `exponent` argument, or the exponent as a second input');
    } else {
      const bn = ctx.op.input[1]!;
      if (ctx.args.exponent !== undefined) ctx.argError(`got both the exponent argument (${ctx.args.exponent}) and an exponent input (${bn}); give one`);
      requireDType(ctx, bn, ctx.inputs[1]!, 'float32');
      if (ctx.args.broadcast && ctx.op.output[0] === bn) ctx.argError(`with broadcast=1 the output cannot be the exponent input "${bn}" in place; only the base may be overwritten`);
      contextLayout(ctx);
    }
    return [{ shape: x.shape, dtype: 'float32' }];
  },
  kernels(ctx) {
    if (ctx.inputs.length === 1) return unaryKernels(ctx, UNARY_CODES.Pow, ctx.args.exponent);
    const n = size(ctx.inputs[0]!.shape);
    if (n === 0) return [];
    const { bN, post } = contextLayout(ctx);
    return [{ shader: 'pow.wgsl', bindings: { A: { input: 0 }, B: { input: 1 } }, uniforms: { n, b_n: bN, post }, workgroups: linearWorkgroups(n) }];
  },
  fusable(ctx) {
    const n = size(ctx.inputs[0]!.shape);
    if (ctx.inputs.length === 1) return unaryFused(n, `pow_real(ldf(in0 + i), ${f32Lit(ctx.args.exponent!)})`);
    const { bN, post } = contextLayout(ctx);
    return unaryFused(n, `pow_real(ldf(in0 + i), ldf(in1 + (i / ${post}u) % ${bN}u))`);
  },
  gradient: powGradient,
  copyArgs: false,
  reference([a, b], args) {
    if (!b) return [{ shape: [...a!.shape], data: a!.data.map((v) => powReal(v, Math.fround(args.exponent!))) }];
    const { bN, post } = layoutOf(a!.shape, b.shape, args, (_, m) => {
      throw new Error(m);
    });
    return [{ shape: [...a!.shape], data: a!.data.map((v, i) => powReal(v, b.data[Math.floor(i / post) % bN]!)) }];
  },
});
