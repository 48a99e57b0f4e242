/**
 * The unary family: Relu, LeakyRelu, Sigmoid, Tanh, Softsign, Exp, Log, Sqrt, Sqr, Abs, Negative,
 * Clip, and the gradient ops Caffe2 gives some of them (ReluGradient [Y, dY], SoftsignGradient
 * [X, dY], …). One kernel pair (kernels/unary*.wgsl) serves them all: the per-op math is one
 * function each in shaders/unary_math.wgsl, picked by an OP override (shaders/unary_op.wgsl) in the
 * kernels and called directly by the fusable forms. Where Caffe2 differentiates with ordinary ops (Exp:
 * Mul [Y, dY]; Log: Div [dY, X]; Sqrt: Scale + Div; Sqr: Scale + Mul; Negative: Negative), so do we.
 * float32 only.
 */
import { ArgumentError } from '../core/errors.js';
import { arg, type ArgSchema, type ArgValues } from './args.js';
import {
  defineOp,
  f32Lit,
  type FusedStage,
  type GradientContext,
  type GradientResult,
  type HostTensor,
  type KernelCall,
  type OpContext,
  type TensorInfo,
} from './registry.js';
import { linearWorkgroups, requireDType, requireSameShape, size } from './shape.js';

/** OP codes of shaders/unary_op.wgsl (Pow with an `exponent` argument takes the last). */
export const UNARY_CODES = {
  Relu: 0,
  LeakyRelu: 1,
  Sigmoid: 2,
  Tanh: 3,
  Softsign: 4,
  Exp: 5,
  Log: 6,
  Sqrt: 7,
  Sqr: 8,
  Abs: 9,
  Negative: 10,
  Clip: 11,
  Pow: 12,
} as const;

/** Y = f(X) over a float32 X, in place when Y is X; `a`, `b` are the shader's scalar arguments. */
export function unaryKernels(ctx: OpContext<ArgSchema>, code: number, a = 0, b = 0): KernelCall[] {
  const n = size(ctx.inputs[0]!.shape);
  if (n === 0) return [];
  const shader = ctx.op.input[0] === ctx.op.output[0] ? 'unary_in_place.wgsl' : 'unary.wgsl';
  return [{ shader, overrides: { OP: code }, uniforms: { n, a, b }, workgroups: linearWorkgroups(n) }];
}

/** The fusable form of an elementwise float32 map: `out0[i] = expr` (see shaders/unary_math.wgsl). */
export function unaryFused(n: number, expr: string): FusedStage[] {
  return [{ class: 'map', items: n, pointwise: true, body: `stf(out0 + i, ${expr});`, includes: ['unary_math.wgsl'] }];
}

/** X's shape, after checking X is float32. */
function floatLike(ctx: OpContext<ArgSchema>): TensorInfo[] {
  const x = ctx.inputs[0]!;
  requireDType(ctx, ctx.op.input[0]!, x, 'float32');
  return [{ shape: x.shape, dtype: 'float32' }];
}

/** Inputs 0 and 1 float32 of one shape (a gradient op's [Y or X, dY]); the info of dX. */
export function requireFloatPair(ctx: OpContext<ArgSchema>): TensorInfo {
  const [v, dy] = ctx.inputs as [TensorInfo, TensorInfo];
  const [vn, dyn] = ctx.op.input as [string, string];
  requireDType(ctx, vn, v, 'float32');
  requireDType(ctx, dyn, dy, 'float32');
  requireSameShape(ctx, vn, v, dyn, dy);
  return { shape: v.shape, dtype: 'float32' };
}

/** One elementwise op of the family, as data. */
interface UnaryMath<S extends ArgSchema> {
  type: keyof typeof UNARY_CODES;
  doc: string;
  args: S;
  /** Caffe2's AllowInplace({{0, 0}}); Abs has none. */
  inPlace: boolean;
  /** The shader's `a` and `b`. */
  scalars?: (args: ArgValues<S>) => [number, number];
  /** float64 reference of one element. */
  f: (x: number, args: ArgValues<S>) => number;
  /** The same in WGSL over the expression `x`, for fusion (the function the kernels call). */
  wgsl: (x: string, args: ArgValues<S>) => string;
}

function unarySpec<S extends ArgSchema>(m: UnaryMath<S>) {
  const code = UNARY_CODES[m.type];
  return {
    type: m.type,
    doc: `${m.doc} Elementwise over a float32 tensor; Y has X's shape.`,
    inputs: ['X'],
    outputs: ['Y'],
    args: m.args,
    inPlace: m.inPlace ? ([[0, 0]] as const) : [],
    inferShape: floatLike,
    kernels(ctx: OpContext<S>): KernelCall[] {
      const [a, b] = m.scalars?.(ctx.args) ?? [0, 0];
      return unaryKernels(ctx, code, a, b);
    },
    fusable: (ctx: OpContext<S>): FusedStage[] => unaryFused(size(ctx.inputs[0]!.shape), m.wgsl('ldf(in0 + i)', ctx.args)),
    reference([x]: HostTensor[], args: ArgValues<S>): HostTensor[] {
      return [{ shape: [...x!.shape], data: x!.data.map((v) => m.f(v, args)) }];
    },
  };
}

/** A gradient op of the family: dX = g(V, dY) with V the forward's output Y or input X. */
interface UnaryGradMath<S extends ArgSchema> {
  type: string;
  forward: keyof typeof UNARY_CODES;
  /** Which forward blob the op reads beside dY. */
  uses: 'Y' | 'X';
  doc: string;
  args: S;
  scalars?: (args: ArgValues<S>) => [number, number];
  g: (v: number, dy: number, args: ArgValues<S>) => number;
  /** The same in WGSL over the expressions `v` and `dy`, for fusion. */
  wgsl: (v: string, dy: string, args: ArgValues<S>) => string;
}

function unaryGradOp<const S extends ArgSchema>(m: UnaryGradMath<S>) {
  const code = UNARY_CODES[m.forward];
  return defineOp({
    type: m.type,
    doc: `Gradient of ${m.forward}: [${m.uses}, dY] -> dX, ${m.doc} float32; dX may overwrite dY.`,
    inputs: [m.uses, 'dY'],
    outputs: ['dX'],
    args: m.args,
    inPlace: [[1, 0]],
    noGradient: 'second derivatives are not supported',
    inferShape: (ctx) => [requireFloatPair(ctx)],
    kernels(ctx) {
      const n = size(ctx.inputs[0]!.shape);
      if (n === 0) return [];
      const [a, b] = m.scalars?.(ctx.args) ?? [0, 0];
      const inPlace = ctx.op.input[1] === ctx.op.output[0];
      return [
        {
          shader: inPlace ? 'unary_grad_in_place.wgsl' : 'unary_grad.wgsl',
          overrides: { OP: code },
          bindings: { V: { input: 0 } },
          uniforms: { n, a, b },
          workgroups: linearWorkgroups(n),
        },
      ];
    },
    fusable: (ctx) => unaryFused(size(ctx.inputs[0]!.shape), m.wgsl('ldf(in0 + i)', 'ldf(in1 + i)', ctx.args)),
    reference([v, dy], args) {
      return [{ shape: [...v!.shape], data: v!.data.map((x, i) => m.g(x, dy!.data[i]!, args)) }];
    },
  });
}

/** [gradient op [O(0) or I(0), GO(0)] -> GI(0)], the shape of most makers here. */
function singleGradient(type: string, uses: 'Y' | 'X') {
  return (g: GradientContext): GradientResult => ({
    ops: [g.op(type, [uses === 'Y' ? g.O(0) : g.I(0), g.GO(0)!], [g.GI(0)])],
    inputGrads: [g.GI(0)],
  });
}

/** Makers that read X cannot run after X was overwritten in place (Caffe2 says so for Softsign). */
function requireNotInPlace(g: GradientContext): void {
  if (g.I(0) === g.O(0)) {
    throw new ArgumentError(
      `${g.def.type}: cannot compute the gradient of an in-place ${g.def.type} ("${g.I(0)}" -> "${g.O(0)}"): it needs the input, which the op overwrote`,
    );
  }
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const clipArgs = { min: arg.float(-3.4028234663852886e38), max: arg.float(3.4028234663852886e38) };
const alphaArgs = { alpha: arg.float(0.01) };

export const Relu = defineOp({
  ...unarySpec({ type: 'Relu', doc: 'Y = max(0, X).', args: {}, inPlace: true, f: (x) => Math.max(0, x), wgsl: (x) => `unary_relu(${x})` }),
  gradient: singleGradient('ReluGradient', 'Y'),
});

export const ReluGradient = unaryGradOp({
  type: 'ReluGradient',
  forward: 'Relu',
  uses: 'Y',
  doc: 'dX = dY where Y > 0, else 0.',
  args: {},
  g: (y, dy) => (y > 0 ? dy : 0),
  wgsl: (y, dy) => `unary_relu_grad(${y}, ${dy})`,
});

export const LeakyRelu = defineOp({
  ...unarySpec({
    type: 'LeakyRelu',
    doc: 'Y = X where X ≥ 0, else alpha · X (alpha defaults to 0.01).',
    args: alphaArgs,
    inPlace: true,
    scalars: (a) => [a.alpha, 0],
    f: (x, a) => Math.max(x, 0) + Math.min(x, 0) * Math.fround(a.alpha),
    wgsl: (x, a) => `unary_leaky_relu(${x}, ${f32Lit(a.alpha)})`,
  }),
  gradient: singleGradient('LeakyReluGradient', 'Y'),
});

export const LeakyReluGradient = unaryGradOp({
  type: 'LeakyReluGradient',
  forward: 'LeakyRelu',
  uses: 'Y',
  doc: 'dX = dY where Y ≥ 0, else alpha · dY.',
  args: alphaArgs,
  scalars: (a) => [a.alpha, 0],
  g: (y, dy, a) => (y >= 0 ? dy : Math.fround(a.alpha) * dy),
  wgsl: (y, dy, a) => `unary_leaky_relu_grad(${y}, ${dy}, ${f32Lit(a.alpha)})`,
});

export const Sigmoid = defineOp({
  ...unarySpec({ type: 'Sigmoid', doc: 'Y = 1 / (1 + exp(−X)).', args: {}, inPlace: true, f: sigmoid, wgsl: (x) => `unary_sigmoid(${x})` }),
  gradient: singleGradient('SigmoidGradient', 'Y'),
});

export const SigmoidGradient = unaryGradOp({
  type: 'SigmoidGradient',
  forward: 'Sigmoid',
  uses: 'Y',
  doc: 'dX = dY · Y · (1 − Y).',
  args: {},
  g: (y, dy) => dy * y * (1 - y),
  wgsl: (y, dy) => `unary_sigmoid_grad(${y}, ${dy})`,
});

export const Tanh = defineOp({
  ...unarySpec({ type: 'Tanh', doc: 'Y = tanh(X).', args: {}, inPlace: true, f: Math.tanh, wgsl: (x) => `unary_tanh(${x})` }),
  gradient: singleGradient('TanhGradient', 'Y'),
});

export const TanhGradient = unaryGradOp({
  type: 'TanhGradient',
  forward: 'Tanh',
  uses: 'Y',
  doc: 'dX = dY · (1 − Y²).',
  args: {},
  g: (y, dy) => dy * (1 - y * y),
  wgsl: (y, dy) => `unary_tanh_grad(${y}, ${dy})`,
});

export const Softsign = defineOp({
  ...unarySpec({ type: 'Softsign', doc: 'Y = X / (1 + |X|).', args: {}, inPlace: true, f: (x) => x / (1 + Math.abs(x)), wgsl: (x) => `unary_softsign(${x})` }),
  gradient: (g) => {
    requireNotInPlace(g);
    return singleGradient('SoftsignGradient', 'X')(g);
  },
});

export const SoftsignGradient = unaryGradOp({
  type: 'SoftsignGradient',
  forward: 'Softsign',
  uses: 'X',
  doc: 'dX = dY / (1 + |X|)².',
  args: {},
  g: (x, dy) => dy / ((1 + Math.abs(x)) * (1 + Math.abs(x))),
  wgsl: (x, dy) => `unary_softsign_grad(${x}, ${dy})`,
});

export const Abs = defineOp({
  ...unarySpec({ type: 'Abs', doc: 'Y = |X|.', args: {}, inPlace: false, f: Math.abs, wgsl: (x) => `abs(${x})` }),
  gradient: singleGradient('AbsGradient', 'X'),
});

export const AbsGradient = unaryGradOp({
  type: 'AbsGradient',
  forward: 'Abs',
  uses: 'X',
  doc: 'dX = sign(X) · dY (0 where X = 0).',
  args: {},
  g: (x, dy) => (x === 0 ? 0 : x > 0 ? dy : -dy),
  wgsl: (x, dy) => `unary_abs_grad(${x}, ${dy})`,
});

export const Clip = defineOp({
  ...unarySpec({
    type: 'Clip',
    doc: 'Y = min(max(X, min), max); min and max default to the float32 extremes.',
    args: clipArgs,
    inPlace: true,
    scalars: (a) => [a.min, a.max],
    f: (x, a) => Math.min(Math.max(x, Math.fround(a.min)), Math.fround(a.max)),
    wgsl: (x, a) => `unary_clip(${x}, ${f32Lit(a.min)}, ${f32Lit(a.max)})`,
  }),
  gradient: singleGradient('ClipGradient', 'Y'),
});

export const ClipGradient = unaryGradOp({
  type: 'ClipGradient',
  forward: 'Clip',
  uses: 'Y',
  doc: 'dX = dY where min < Y < max, else 0.',
  args: clipArgs,
  scalars: (a) => [a.min, a.max],
  g: (y, dy, a) => (y > Math.fround(a.min) && y < Math.fround(a.max) ? dy : 0),
  wgsl: (y, dy, a) => `unary_clip_grad(${y}, ${dy}, ${f32Lit(a.min)}, ${f32Lit(a.max)})`,
});

export const Exp = defineOp({
  ...unarySpec({ type: 'Exp', doc: 'Y = exp(X).', args: {}, inPlace: true, f: Math.exp, wgsl: (x) => `exp(${x})` }),
  gradient: (g) => ({ ops: [g.op('Mul', [g.O(0), g.GO(0)!], [g.GI(0)])], inputGrads: [g.GI(0)] }),
});

export const Log = defineOp({
  ...unarySpec({ type: 'Log', doc: 'Y = ln(X).', args: {}, inPlace: true, f: Math.log, wgsl: (x) => `log(${x})` }),
  gradient: (g) => {
    requireNotInPlace(g);
    return { ops: [g.op('Div', [g.GO(0)!, g.I(0)], [g.GI(0)])], inputGrads: [g.GI(0)] };
  },
});

export const Sqrt = defineOp({
  ...unarySpec({ type: 'Sqrt', doc: 'Y = √X.', args: {}, inPlace: true, f: Math.sqrt, wgsl: (x) => `sqrt(${x})` }),
  // dX = dY / (2·Y), as Caffe2 writes it: Scale by ½, then Div by Y.
  gradient: (g) => ({
    ops: [g.op('Scale', [g.GO(0)!], [g.GI(0)], [{ name: 'scale', f: 0.5 }]), g.op('Div', [g.GI(0), g.O(0)], [g.GI(0)])],
    inputGrads: [g.GI(0)],
  }),
});

export const Sqr = defineOp({
  ...unarySpec({ type: 'Sqr', doc: 'Y = X².', args: {}, inPlace: true, f: (x) => x * x, wgsl: (x) => `unary_sqr(${x})` }),
  // Caffe2 scales dY in place (Scale [dY] -> dY), which would change a fed seed on every run; the
  // same ops writing X_grad leave dY alone.
  gradient: (g) => {
    requireNotInPlace(g);
    return {
      ops: [g.op('Scale', [g.GO(0)!], [g.GI(0)], [{ name: 'scale', f: 2 }]), g.op('Mul', [g.GI(0), g.I(0)], [g.GI(0)])],
      inputGrads: [g.GI(0)],
    };
  },
});

export const Negative = defineOp({
  ...unarySpec({ type: 'Negative', doc: 'Y = −X.', args: {}, inPlace: true, f: (x) => -x, wgsl: (x) => `-(${x})` }),
  gradient: (g) => ({ ops: [g.op('Negative', [g.GO(0)!], [g.GI(0)])], inputGrads: [g.GI(0)] }),
});
