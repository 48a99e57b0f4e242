/**
 * Add, Sub, Mul, Div and their gradient ops (new operator set: AddGradient [dC, A, B] -> [dA, dB], …).
 * Shapes broadcast numpy-style when `broadcast` is absent and by Caffe2's legacy rule with
 * `broadcast: 1` (+ `axis`, or `axis_str` + `order`); both reduce to per-input strides over C's dims
 * (src/ops/broadcast.ts), read by one strided kernel; when every operand is C-contiguous, a single
 * value, or a row repeated along C (a bias), vec4 kernels take over. Integer Div truncates toward
 * zero; an integer division by zero gives 0, and INT_MIN / -1 gives INT_MIN (wraps, as WGSL defines it).
 */
import { fmtShape } from '../core/errors.js';
import type { DType } from '../core/dtype.js';
import { arg, type ArgValues } from './args.js';
import {
  MAX_KERNEL_RANK,
  coalesce,
  contiguousStrides,
  isFailure,
  legacyBroadcast,
  numpyBroadcast,
  splitReduction,
  type Broadcast,
} from './broadcast.js';
import { defineOp, f32Lit, type BindingSource, type FusedStage, type HostTensor, type KernelCall, type OpContext, type TensorInfo } from './registry.js';
import { linearWorkgroups, size, unpackedDType } from './shape.js';

const broadcastArgs = {
  broadcast: arg.bool(0),
  axis: arg.int(),
  axis_str: arg.string(),
  order: arg.string('NCHW'),
};
type BroadcastArgs = typeof broadcastArgs;

type Fail = (kind: 'arg' | 'shape', message: string) => never;

/** The legacy alignment axis from `axis` or `axis_str`+`order`; null = suffix alignment. */
function legacyAxis(args: ArgValues<BroadcastArgs>, fail: Fail): number | null {
  const axis = args.axis === undefined || args.axis === -1 ? null : args.axis;
  if (args.axis_str === undefined) return axis;
  if (axis !== null) fail('arg', `arguments axis=${axis} and axis_str="${args.axis_str}" cannot be used together`);
  if (args.axis_str.length !== 1) fail('arg', `axis_str must be one letter of order "${args.order}", got "${args.axis_str}"`);
  const at = args.order.indexOf(args.axis_str);
  if (at < 0) fail('arg', `axis_str "${args.axis_str}" is not a letter of order "${args.order}"`);
  return at;
}

/** A legacy alignment axis under which these shapes do broadcast, or null. */
function workingLegacyAxis(a: readonly number[], b: readonly number[]): number | null {
  for (let ax = 0; ax <= a.length - b.length; ax++) if (!isFailure(legacyBroadcast(a, b, ax))) return ax;
  return null;
}

/**
 * Output shape and per-input strides for A op B under the op's broadcast arguments; mistakes go to
 * `fail` with both inputs named and a hint toward the other regime when that one would fit.
 */
function planBroadcast(
  a: readonly number[],
  b: readonly number[],
  names: readonly [string, string],
  args: ArgValues<BroadcastArgs>,
  fail: Fail,
): Broadcast {
  const both = `inputs ${names[0]} ${fmtShape(a)} and ${names[1]} ${fmtShape(b)}`;
  let result;
  if (!args.broadcast) {
    if ((args.axis !== undefined && args.axis !== -1) || args.axis_str !== undefined) {
      const which = args.axis_str !== undefined ? `axis_str="${args.axis_str}"` : `axis=${args.axis}`;
      fail('arg', `${which} is only used with broadcast=1 (without it, broadcasting is numpy-style and aligns trailing dims); did you forget broadcast=1?`);
    }
    result = numpyBroadcast(a, b);
    if (isFailure(result)) {
      const ax = workingLegacyAxis(a, b);
      const hint = ax === null ? '' : `; did you forget broadcast=1, axis=${ax}?`;
      fail('shape', `${both} cannot be broadcast (${result.error})${hint}`);
    }
  } else {
    const axis = legacyAxis(args, fail);
    result = legacyBroadcast(a, b, axis);
    if (isFailure(result)) {
      const ax = workingLegacyAxis(a, b);
      const np = numpyBroadcast(a, b);
      const hint =
        ax !== null && ax !== axis
          ? `; axis=${ax} would match`
          : !isFailure(np)
            ? `; without broadcast=1, numpy-style broadcasting would accept them (output ${fmtShape(np.shape)})`
            : '';
      fail('shape', `${both} cannot be broadcast with broadcast=1 (${result.error})${hint}`);
    }
  }
  const walk = coalesce(result.shape, result.strides);
  if (walk.shape.length > MAX_KERNEL_RANK) {
    fail('shape', `${both} broadcast over ${walk.shape.length} separate dims after merging, more than the ${MAX_KERNEL_RANK} the kernel supports`);
  }
  return result;
}

/** planBroadcast with errors thrown through the op context. */
function contextBroadcast(ctx: OpContext<BroadcastArgs>, ai: number, bi: number): Broadcast {
  const fail: Fail = (kind, m) => (kind === 'arg' ? ctx.argError(m) : ctx.shapeError(m));
  const names = [ctx.op.input[ai]!, ctx.op.input[bi]!] as const;
  return planBroadcast(ctx.inputs[ai]!.shape, ctx.inputs[bi]!.shape, names, ctx.args, fail);
}

/** planBroadcast for CPU references (plain Errors). */
function hostBroadcast(a: HostTensor, b: HostTensor, args: ArgValues<BroadcastArgs>): Broadcast {
  return planBroadcast(a.shape, b.shape, ['A', 'B'], args, (_, m) => {
    throw new Error(m);
  });
}

/** Calls `f(i, offsets)` for every output element i with each operand's element offset. */
function walkBroadcast(bc: Broadcast, f: (i: number, offsets: number[]) => void): void {
  const n = size(bc.shape);
  const rank = bc.shape.length;
  for (let i = 0; i < n; i++) {
    let rem = i;
    const offs = bc.strides.map(() => 0);
    for (let d = rank - 1; d >= 0; d--) {
      const extent = bc.shape[d]!;
      const coord = rem % extent;
      rem = Math.floor(rem / extent);
      bc.strides.forEach((s, k) => {
        offs[k]! += coord * s[d]!;
      });
    }
    f(i, offs);
  }
}

/** True when two shapes are identical (same rank and dims). */
function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Pads a dim list to the kernel's 8 slots. */
function slots(v: readonly number[]): number[] {
  return [...v, ...new Array<number>(MAX_KERNEL_RANK - v.length).fill(0)];
}

/**
 * Below this many elements, a count that is not a multiple of 4 runs as one scalar dispatch: the
 * second dispatch a vec4 pass needs for its tail costs more than the vec4 loads save (SwiftShader).
 */
const VEC4_TAIL_MIN = 1024;

/** How n contiguous elements split: [0, 4·n4) in vec4s, then [scalarFrom, n) one by one (n4 = 0: all scalar). */
export function vec4Split(n: number): { n4: number; scalarFrom: number } {
  if (n < 4 || (n % 4 !== 0 && n < VEC4_TAIL_MIN)) return { n4: 0, scalarFrom: 0 };
  const n4 = Math.floor(n / 4);
  return { n4, scalarFrom: 4 * n4 };
}

/** Vec4s of C per invocation of elementwise_row_vec4.wgsl and elementwise_channel_vec4.wgsl (their four put calls). */
const REPEAT_VEC4S = 4;

/**
 * Operand forms of elementwise_vec4.wgsl (full, scalar), elementwise_row_vec4.wgsl (row),
 * elementwise_channel_vec4.wgsl (channel) and elementwise_flat.wgsl (full, row, scalar): their
 * A_FORM/B_FORM.
 */
const enum Form {
  Full = 0,
  Row = 1,
  Scalar = 2,
  Channel = 3,
}

interface FlatOperand {
  form: Form;
  /** Row length (Form.Row) or channel count (Form.Channel), in elements. */
  period: number;
  /** Elements one channel value covers in a run (Form.Channel; a multiple of 4). */
  inner?: number;
}

/**
 * How an input is read when C is walked flat: like C, as a repeated row (strides [0, 1] over a
 * merged [outer, inner] walk), as a value per channel (strides [0, 1, 0] over [outer, period, inner]
 * or [1, 0] over [period, inner], when inner is a multiple of 4) or as one value; null when only
 * the strided kernel can walk it. An input that is C in place has C's shape, so it is read like C
 * (through C's binding: the calls are pointwise).
 */
function flatOperand(walk: Broadcast, k: number): FlatOperand | null {
  const s = walk.strides[k]!;
  const shape = walk.shape;
  if (s.every((x) => x === 0)) return { form: Form.Scalar, period: 0 };
  if (sameShape(s, contiguousStrides(shape))) return { form: Form.Full, period: 0 };
  if (shape.length === 2 && s[0] === 0 && s[1] === 1) return { form: Form.Row, period: shape[1]! };
  const channel = shape.length === 3 && s[0] === 0 && s[1] === 1 && s[2] === 0 ? 1 : shape.length === 2 && s[0] === 1 && s[1] === 0 ? 0 : -1;
  if (channel >= 0 && shape[channel + 1]! % 4 === 0) return { form: Form.Channel, period: shape[channel]!, inner: shape[channel + 1]! };
  return null;
}

/**
 * Dispatches of the contiguous kernels for C = A op B: vec4s then a scalar tail, or all scalar when
 * n is small or a row's length is not a multiple of 4. An operand's vec4 binding that is not read
 * aliases another input of at least a vec4 that is not C, or a scratch vec4. The calls are pointwise:
 * an input that is C in place is read through C's binding (the planner's variant).
 */
function contiguousCalls(
  ctx: OpContext<BroadcastArgs>,
  n: number,
  dtype: DType,
  opCode: number,
  operands: readonly [FlatOperand, FlatOperand],
): KernelCall[] {
  const rowsAligned = operands.every((o) => o.form !== Form.Row || o.period % 4 === 0);
  const { n4, scalarFrom } = rowsAligned ? vec4Split(n) : { n4: 0, scalarFrom: 0 };
  const overrides = { OP: opCode, A_FORM: operands[0].form, B_FORM: operands[1].form };
  const calls: KernelCall[] = [];
  const row = operands.find((o) => o.form === Form.Row);
  const channel = operands.findIndex((o) => o.form === Form.Channel);
  if (n4 > 0 && row) {
    // elementwise_row_vec4.wgsl: each invocation reads its row vec4 once for REPEAT_VEC4S vec4s a
    // multiple of the period apart. The other operand is full (a row and a scalar broadcast to the
    // row's shape, never a bigger C), so A and B bind by name.
    const period = row.period / 4;
    const stride = period * Math.ceil(Math.ceil(n4 / REPEAT_VEC4S) / period);
    calls.push({ shader: 'elementwise_row_vec4.wgsl', dtype, overrides, uniforms: { period, stride }, workgroups: linearWorkgroups(stride), pointwise: true });
  } else if (n4 > 0 && channel >= 0) {
    // elementwise_channel_vec4.wgsl: the same with a value per channel, R; the other operand is full
    // (as for a row), and the channel operand's vec4 variable aliases it. C's n is a multiple of 4.
    const { period, inner } = operands[channel]! as Required<FlatOperand>;
    const block = period * (inner / 4);
    const stride = block * Math.ceil(Math.ceil(n4 / REPEAT_VEC4S) / block);
    const full: BindingSource = { input: 1 - channel };
    calls.push({
      shader: 'elementwise_channel_vec4.wgsl',
      dtype,
      overrides,
      bindings: { A: full, B: full, R: { input: channel } },
      uniforms: { period, inner: inner / 4, stride },
      workgroups: linearWorkgroups(stride),
      pointwise: true,
    });
  } else if (n4 > 0) {
    const other = ctx.op.input.findIndex((name, i) => name !== ctx.op.output[0] && size(ctx.inputs[i]!.shape) >= 4);
    const spare: BindingSource = other >= 0 ? { input: other } : { scratch: 'spare', bytes: 16 };
    const own = (k: number): BindingSource => (operands[k]!.form === Form.Full ? { input: k } : spare);
    const scalar = operands.findIndex((o) => o.form === Form.Scalar);
    const bindings = { A: own(0), B: own(1), S: scalar >= 0 ? { input: scalar } : spare };
    calls.push({ shader: 'elementwise_vec4.wgsl', dtype, overrides, bindings, workgroups: linearWorkgroups(n4), pointwise: true });
  }
  if (scalarFrom < n) {
    calls.push({
      shader: 'elementwise_flat.wgsl',
      dtype,
      overrides,
      uniforms: { start: scalarFrom, n, a_period: operands[0].period, b_period: operands[1].period },
      workgroups: linearWorkgroups(n - scalarFrom),
      pointwise: true,
    });
  }
  return calls;
}

/** WGSL element offset, for flat index `v` over `shape`, of an operand with these strides (fusable forms). */
function fusedIndex(v: string, shape: readonly number[], strides: readonly number[]): string {
  if (strides.every((x) => x === 0)) return '0u';
  if (sameShape(strides, contiguousStrides(shape))) return v;
  const terms: string[] = [];
  let inner = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (strides[d] !== 0) terms.push(`((${v} / ${inner}u) % ${shape[d]}u) * ${strides[d]}u`);
    inner *= shape[d]!;
  }
  return terms.join(' + ');
}

interface BinaryMath {
  /** Override constant OP of shaders/binary_op.wgsl for float32 and int32. */
  code: { float32: number; int32: number };
  /** The same arithmetic as a WGSL expression of `a` and `b` (fusable forms). */
  wgsl: { float32: string; int32: string };
  float: (a: number, b: number) => number;
  /** int32 semantics: wrap-around, truncating division, x / 0 = 0. */
  int: (a: number, b: number) => number;
}

const ADD: BinaryMath = { code: { float32: 0, int32: 0 }, wgsl: { float32: 'a + b', int32: 'a + b' }, float: (a, b) => a + b, int: (a, b) => (a + b) | 0 };
const SUB: BinaryMath = { code: { float32: 1, int32: 1 }, wgsl: { float32: 'a - b', int32: 'a - b' }, float: (a, b) => a - b, int: (a, b) => (a - b) | 0 };
const MUL: BinaryMath = { code: { float32: 2, int32: 2 }, wgsl: { float32: 'a * b', int32: 'a * b' }, float: (a, b) => a * b, int: (a, b) => Math.imul(a, b) };
const DIV: BinaryMath = {
  code: { float32: 3, int32: 4 },
  wgsl: { float32: 'a / b', int32: 'select(a / select(b, 1, b == 0), 0, b == 0)' },
  float: (a, b) => a / b,
  int: (a, b) => (b === 0 ? 0 : Math.trunc(a / b) | 0),
};

function binaryOp(type: string, symbol: string, math: BinaryMath, inPlace: readonly (readonly [number, number])[]) {
  return {
    type,
    doc:
      `C = A ${symbol} B elementwise (float32 or int32; A and B share the dtype). Without \`broadcast\`, ` +
      'shapes broadcast numpy-style; with `broadcast: 1`, C has A\'s shape and B (leading/trailing 1-dims ' +
      'stripped) is aligned at `axis` (default: suffix) or at `axis_str`\'s letter in `order`.' +
      (math === DIV ? ' Integer division truncates toward zero; x / 0 gives 0.' : ''),
    inputs: ['A', 'B'],
    outputs: ['C'],
    args: broadcastArgs,
    inPlace,
    inferShape(ctx: OpContext<BroadcastArgs>): TensorInfo[] {
      const [a, b] = ctx.inputs as [TensorInfo, TensorInfo];
      const [nameA, nameB] = ctx.op.input as [string, string];
      if (a.dtype !== b.dtype) {
        ctx.dtypeError(`inputs ${nameA} (${a.dtype}) and ${nameB} (${b.dtype}) must have the same dtype`);
      }
      unpackedDType(ctx, 0);
      const bc = contextBroadcast(ctx, 0, 1);
      const out = ctx.op.output[0];
      if (ctx.args.broadcast && out === nameB) {
        ctx.argError(`with broadcast=1 the output cannot be input B ("${nameB}") in place; only A may be overwritten`);
      }
      ctx.op.input.forEach((name, k) => {
        const shape = ctx.inputs[k]!.shape;
        if (name === out && !sameShape(shape, bc.shape)) {
          ctx.shapeError(`output ${out} is input ${name} in place, but broadcasting gives ${fmtShape(bc.shape)}, not ${name}'s ${fmtShape(shape)}`);
        }
      });
      return [{ shape: bc.shape, dtype: a.dtype }];
    },
    kernels(ctx: OpContext<BroadcastArgs>, [c]: readonly TensorInfo[]): KernelCall[] {
      const n = size(c!.shape);
      if (n === 0) return [];
      const bc = contextBroadcast(ctx, 0, 1);
      const walk = coalesce(bc.shape, bc.strides);
      const dtype = unpackedDType(ctx, 0);
      const a = flatOperand(walk, 0);
      const b = flatOperand(walk, 1);
      // A repeated row or channel pairs with a full operand only (a row times a channel is an outer product).
      const repeated = [a, b].some((o) => o?.form === Form.Row || o?.form === Form.Channel);
      if (a && b && (!repeated || a.form === Form.Full || b.form === Form.Full)) return contiguousCalls(ctx, n, dtype, math.code[dtype], [a, b]);
      return [
        {
          shader: 'elementwise.wgsl',
          dtype,
          overrides: { OP: math.code[dtype] },
          uniforms: {
            n,
            rank: walk.shape.length,
            shape: slots(walk.shape),
            a_strides: slots(walk.strides[0]!),
            b_strides: slots(walk.strides[1]!),
          },
          workgroups: linearWorkgroups(n),
          // An input that is C in place has C's shape: read at the element written.
          pointwise: true,
        },
      ];
    },
    fusable(ctx: OpContext<BroadcastArgs>, [c]: readonly TensorInfo[]): FusedStage[] {
      const bc = contextBroadcast(ctx, 0, 1);
      const walk = coalesce(bc.shape, bc.strides);
      const dtype = unpackedDType(ctx, 0);
      const [ld, st] = dtype === 'int32' ? ['ldi', 'sti'] : ['ldf', 'stf'];
      const body = [
        `let a = ${ld}(in0 + ${fusedIndex('i', walk.shape, walk.strides[0]!)});`,
        `let b = ${ld}(in1 + ${fusedIndex('i', walk.shape, walk.strides[1]!)});`,
        `${st}(out0 + i, ${math.wgsl[dtype]});`,
      ].join('\n');
      return [{ class: 'map', items: size(c!.shape), pointwise: true, body }];
    },
    reference([a, b]: HostTensor[], args: ArgValues<BroadcastArgs>): HostTensor[] {
      const bc = hostBroadcast(a!, b!, args);
      const dtype: DType = a!.dtype ?? 'float32';
      const f = dtype === 'int32' ? math.int : math.float;
      const data = new Float64Array(size(bc.shape));
      walkBroadcast(bc, (i, [ia, ib]) => {
        data[i] = f(a!.data[ia!]!, b!.data[ib!]!);
      });
      return [{ shape: [...bc.shape], data, dtype }];
    },
  };
}

export const Add = defineOp({
  ...binaryOp('Add', '+', ADD, [[0, 0], [1, 0]]),
  gradient: (g) => ({ ops: [g.op('AddGradient', [g.GO(0)!, g.I(0), g.I(1)], [g.GI(0), g.GI(1)])], inputGrads: [g.GI(0), g.GI(1)] }),
});

export const Sub = defineOp({
  ...binaryOp('Sub', '-', SUB, [[0, 0], [1, 0]]),
  gradient: (g) => ({ ops: [g.op('SubGradient', [g.GO(0)!, g.I(0), g.I(1)], [g.GI(0), g.GI(1)])], inputGrads: [g.GI(0), g.GI(1)] }),
});

export const Mul = defineOp({
  ...binaryOp('Mul', '*', MUL, [[0, 0], [1, 0]]),
  gradient: (g) => ({ ops: [g.op('MulGradient', [g.GO(0)!, g.I(0), g.I(1)], [g.GI(0), g.GI(1)])], inputGrads: [g.GI(0), g.GI(1)] }),
});

export const Div = defineOp({
  ...binaryOp('Div', '/', DIV, [[0, 0]]),
  gradient: (g) => ({
    ops: [g.op('DivGradient', [g.GO(0)!, g.I(0), g.I(1), g.O(0)], [g.GI(0), g.GI(1)])],
    inputGrads: [g.GI(0), g.GI(1)],
  }),
});

/** Operands of a gradient op, by input index: 0 dC, 1 A, 2 B, 3 C (Div only). */
type Operand = 0 | 1 | 2 | 3;

/** One output of a gradient op: dX = scale · Σ term(dC, P, Q) over X's broadcast axes. */
interface GradTerm {
  /** kernels/reduce_to_shape.wgsl TERM: 0 dC, 1 dC·P, 2 dC/P, 3 dC·P/Q. */
  term: 0 | 1 | 2 | 3;
  p: Operand;
  q: Operand;
  scale: number;
}

/** float64 value of one gradient term. */
function termValue(t: GradTerm, dc: number, p: number, q: number): number {
  const v = t.term === 0 ? dc : t.term === 1 ? dc * p : t.term === 2 ? dc / p : (dc * p) / q;
  return t.scale * v;
}

/** Element strides of each operand over C's dims. */
function operandStrides(bc: Broadcast): Record<Operand, number[]> {
  const c = contiguousStrides(bc.shape);
  return { 0: c, 1: bc.strides[0]!, 2: bc.strides[1]!, 3: c };
}

/** The reduction lanes per output: enough threads that each sums about four values, at most a workgroup. */
function lanesFor(nRed: number): number {
  let lanes = 1;
  while (lanes < 256 && lanes * 4 < nRed) lanes *= 2;
  return lanes;
}

function reduceCall(bc: Broadcast, target: 1 | 2, t: GradTerm, output: number, outSize: number): KernelCall | null {
  if (outSize === 0) return null;
  const s = operandStrides(bc);
  const walk = coalesce(bc.shape, [s[0], s[t.p], s[t.q], s[target]]);
  const { keep, reduce } = splitReduction(walk, 3);
  const nRed = size(reduce.shape);
  if (nRed === 0) {
    return { shader: 'fill_constant.wgsl', bindings: { Y: { output } }, uniforms: { n: outSize, bits: 0 }, workgroups: linearWorkgroups(outSize) };
  }
  const lanes = lanesFor(nRed);
  return {
    shader: 'reduce_to_shape.wgsl',
    overrides: { TERM: t.term },
    bindings: { dC: { input: 0 }, P: { input: t.p }, Q: { input: t.q }, dX: { output } },
    uniforms: {
      n_out: outSize,
      n_red: nRed,
      keep_rank: keep.shape.length,
      red_rank: reduce.shape.length,
      lanes,
      scale: t.scale,
      keep_shape: slots(keep.shape),
      keep_c: slots(keep.strides[0]!),
      keep_p: slots(keep.strides[1]!),
      keep_q: slots(keep.strides[2]!),
      red_shape: slots(reduce.shape),
      red_c: slots(reduce.strides[0]!),
      red_p: slots(reduce.strides[1]!),
      red_q: slots(reduce.strides[2]!),
    },
    workgroups: linearWorkgroups(outSize * lanes),
  };
}

/** reduceCall as a fusable reduction: output i sums the term over its broadcast axes (index j). */
function reduceFused(bc: Broadcast, target: 1 | 2, t: GradTerm, output: number, outSize: number): FusedStage | null {
  if (outSize === 0) return null;
  const s = operandStrides(bc);
  const walk = coalesce(bc.shape, [s[0], s[t.p], s[t.q], s[target]]);
  const { keep, reduce } = splitReduction(walk, 3);
  const nRed = size(reduce.shape);
  if (nRed === 0) return { class: 'map', items: outSize, body: `stf(out${output} + i, 0.0);` };
  const at = (k: number, operand: Operand): string =>
    `ldf(in${operand} + ${fusedIndex('i', keep.shape, keep.strides[k]!)} + ${fusedIndex('j', reduce.shape, reduce.strides[k]!)})`;
  const [c, p, q] = [at(0, 0), at(1, t.p), at(2, t.q)];
  const term = t.term === 0 ? c : t.term === 1 ? `${c} * ${p}` : t.term === 2 ? `${c} / ${p}` : `${c} * ${p} / ${q}`;
  return { class: 'reduction', items: outSize, terms: nRed, term, finish: `stf(out${output} + i, ${f32Lit(t.scale)} * acc);` };
}

function gradientOp(type: string, forward: string, dA: GradTerm, dB: GradTerm, withC: boolean) {
  const inputs = withC ? ['dC', 'A', 'B', 'C'] : ['dC', 'A', 'B'];
  return defineOp({
    type,
    doc:
      `Gradient of ${forward}: [${inputs.join(', ')}] -> [dA, dB], each summed over the axes its input was ` +
      `broadcast along and shaped like that input. Takes ${forward}'s broadcast arguments. float32 only.`,
    inputs,
    outputs: ['dA', 'dB'],
    args: broadcastArgs,
    // dC may be overwritten by one of the outputs; kernels() then writes that output last.
    inPlace: [[0, 0], [0, 1]],
    shouldNotDoGradient: 'second derivatives of elementwise ops are not supported',
    inferShape(ctx) {
      ctx.inputs.forEach((t, k) => {
        if (t.dtype !== 'float32') ctx.dtypeError(`input ${ctx.op.input[k]} has dtype ${t.dtype}, expected float32 (gradients are float32 only)`);
      });
      const bc = contextBroadcast(ctx, 1, 2);
      const expect = (k: number, what: string) => {
        const shape = ctx.inputs[k]!.shape;
        if (!sameShape(shape, bc.shape)) {
          ctx.shapeError(`input ${ctx.op.input[k]} (${what}) has shape ${fmtShape(shape)}, expected ${fmtShape(bc.shape)}, the shape ${forward} gives for ${fmtShape(ctx.inputs[1]!.shape)} and ${fmtShape(ctx.inputs[2]!.shape)}`);
        }
      };
      expect(0, 'dC');
      if (withC) expect(3, 'C');
      ctx.op.output.forEach((name, j) => {
        const shape = ctx.inputs[j + 1]!.shape;
        if (name === ctx.op.input[0] && !sameShape(shape, bc.shape)) {
          ctx.shapeError(`output ${name} overwrites dC in place, but it must take ${ctx.op.input[j + 1]}'s shape ${fmtShape(shape)}, not dC's ${fmtShape(bc.shape)}`);
        }
      });
      return [
        { shape: ctx.inputs[1]!.shape, dtype: 'float32' },
        { shape: ctx.inputs[2]!.shape, dtype: 'float32' },
      ];
    },
    kernels(ctx) {
      const bc = contextBroadcast(ctx, 1, 2);
      const calls = [
        reduceCall(bc, 1, dA, 0, size(ctx.inputs[1]!.shape)),
        reduceCall(bc, 2, dB, 1, size(ctx.inputs[2]!.shape)),
      ];
      if (ctx.op.output[0] === ctx.op.input[0]) calls.reverse();
      return calls.filter((c): c is KernelCall => c !== null);
    },
    fusable(ctx) {
      // Same order as the dispatches: an output written over dC in place goes last.
      const bc = contextBroadcast(ctx, 1, 2);
      const stages = [reduceFused(bc, 1, dA, 0, size(ctx.inputs[1]!.shape)), reduceFused(bc, 2, dB, 1, size(ctx.inputs[2]!.shape))];
      if (ctx.op.output[0] === ctx.op.input[0]) stages.reverse();
      return stages.filter((st): st is FusedStage => st !== null);
    },
    reference(inputs, args) {
      const [dc, a, b] = inputs as [HostTensor, HostTensor, HostTensor];
      const bc = hostBroadcast(a, b, args);
      const s = operandStrides(bc);
      const da = new Float64Array(a.data.length);
      const db = new Float64Array(b.data.length);
      walkBroadcast({ shape: bc.shape, strides: [s[0], s[1], s[2], s[3]] }, (_, offs) => {
        const value = (k: Operand) => inputs[k]!.data[offs[k]!]!;
        da[offs[1]!]! += termValue(dA, dc.data[offs[0]!]!, value(dA.p), value(dA.q));
        db[offs[2]!]! += termValue(dB, dc.data[offs[0]!]!, value(dB.p), value(dB.q));
      });
      return [
        { shape: [...a.shape], data: da },
        { shape: [...b.shape], data: db },
      ];
    },
  });
}

const plain = (scale: number): GradTerm => ({ term: 0, p: 0, q: 0, scale });

export const AddGradient = gradientOp('AddGradient', 'Add', plain(1), plain(1), false);
export const SubGradient = gradientOp('SubGradient', 'Sub', plain(1), plain(-1), false);
export const MulGradient = gradientOp(
  'MulGradient',
  'Mul',
  { term: 1, p: 2, q: 0, scale: 1 },
  { term: 1, p: 1, q: 0, scale: 1 },
  false,
);
export const DivGradient = gradientOp(
  'DivGradient',
  'Div',
  { term: 2, p: 2, q: 0, scale: 1 },
  { term: 3, p: 3, q: 2, scale: -1 },
  true,
);

const reduceLikeArgs = { axis: arg.int(-1), axis_str: arg.string(), order: arg.string('NCHW') };

/** SumReduceLike's arguments as the legacy broadcast=1 arguments of the other ops. */
const asLegacy = (args: ArgValues<typeof reduceLikeArgs>): ArgValues<BroadcastArgs> => ({ ...args, broadcast: 1 });

export const SumReduceLike = defineOp({
  type: 'SumReduceLike',
  doc:
    'C = A summed over the axes along which B broadcasts against A by the legacy broadcast=1 rule (B\'s dims, ' +
    'leading/trailing 1s stripped, aligned at `axis`, default suffix, or at `axis_str` in `order`); C has B\'s shape. ' +
    'float32. Used by gradients of legacy-broadcast ops (Pow).',
  inputs: ['A', 'B'],
  outputs: ['C'],
  args: reduceLikeArgs,
  noGradient: 'Caffe2 registers none',
  inferShape(ctx) {
    ctx.inputs.forEach((t, k) => {
      if (t.dtype !== 'float32') ctx.dtypeError(`input ${ctx.op.input[k]} has dtype ${t.dtype}, expected float32`);
    });
    const fail: Fail = (kind, m) => (kind === 'arg' ? ctx.argError(m) : ctx.shapeError(m));
    planBroadcast(ctx.inputs[0]!.shape, ctx.inputs[1]!.shape, [ctx.op.input[0]!, ctx.op.input[1]!], asLegacy(ctx.args), fail);
    return [{ shape: ctx.inputs[1]!.shape, dtype: 'float32' }];
  },
  kernels(ctx) {
    const fail: Fail = (kind, m) => (kind === 'arg' ? ctx.argError(m) : ctx.shapeError(m));
    const bc = planBroadcast(ctx.inputs[0]!.shape, ctx.inputs[1]!.shape, [ctx.op.input[0]!, ctx.op.input[1]!], asLegacy(ctx.args), fail);
    // The reduction kernel of the gradient ops, with A in the dC slot and B's strides as the target.
    const call = reduceCall(bc, 2, plain(1), 0, size(ctx.inputs[1]!.shape));
    return call ? [call] : [];
  },
  reference([a, b], args) {
    const bc = hostBroadcast(a!, b!, asLegacy(args));
    const c = new Float64Array(b!.data.length);
    walkBroadcast(bc, (i, [, ib]) => {
      c[ib!]! += a!.data[i]!;
    });
    return [{ shape: [...b!.shape], data: c }];
  },
});
