/**
 * ONNX export of inference nets, written with the onnx-proto package's schema. Shapes come from the
 * same shape rules the planner runs, so an op that would not plan does not export; Caffe2 semantics
 * ONNX lacks (FC's flattening axes, legacy `broadcast=1`, Softmax's 2-D view) become explicit
 * Flatten / Reshape nodes. Parameters (blobs the net reads but does not compute and that are not
 * graph inputs) are fetched from the workspace as initializers.
 */
import type { onnx as OnnxNamespace } from 'onnx-proto';
import type { OperatorDef } from '../core/netdef.js';
import type { ArgValue } from '../core/netdef.js';
import { ArgumentError, MissingBlobError, ShapeError, fmtShape } from '../core/errors.js';
import { DataType, dataTypeName, type DType } from '../core/dtype.js';
import { getOpSpec, type TensorInfo } from '../ops/registry.js';
import { makeOpContext } from '../ops/op_context.js';
import { LEGACY, legacyPads } from '../ops/conv_geometry.js';
import * as workspace from '../runtime/workspace.js';
import { netDefOf } from '../core/netdef.js';
import type { NetSource } from './net_io.js';

type Onnx = typeof OnnxNamespace;

/** What exportOnnx needs besides the net. */
export interface OnnxExportOptions {
  /** Graph inputs, blob name → shape (what is fed at run time). */
  inputs: Record<string, readonly number[]>;
  /** Graph input dtypes (default float32). */
  inputTypes?: Record<string, DType>;
  /** Graph outputs (default: the net's external outputs). */
  outputs?: readonly string[];
  /** ONNX opset of the default domain (default 14; at least 14, for Reshape's allowzero). */
  opset?: number;
}

const DEFAULT_OPSET = 14;
const IR_VERSION = 8;

/** An attribute value; `{ f }` forces a FLOAT where the number happens to be integral (alpha = 1). */
type Attr = number | readonly number[] | string | { f: number };

/** Collects nodes, initializers and unique value names for one graph. */
class GraphBuilder {
  readonly nodes: OnnxNamespace.INodeProto[] = [];
  readonly initializers: OnnxNamespace.ITensorProto[] = [];
  private readonly used = new Set<string>();

  constructor(private readonly onnx: Onnx) {}

  reserve(name: string): void {
    this.used.add(name);
  }

  isUsed(name: string): boolean {
    return this.used.has(name);
  }

  /** `base` if no value has that name yet, else `base_1`, `base_2`, … */
  fresh(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, Attr> = {}): void {
    const T = this.onnx.AttributeProto.AttributeType;
    const attribute = Object.entries(attrs).map(([name, v]): OnnxNamespace.IAttributeProto => {
      if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
      if (typeof v === 'object' && 'f' in v) return { name, type: T.FLOAT, f: v.f };
      if (typeof v === 'number') return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
      return { name, type: T.INTS, ints: [...v] };
    });
    this.nodes.push({ opType, input: [...inputs], output: [...outputs], name: this.fresh(`${opType}_node`), attribute });
  }

  /** A node with one fresh output named after `hint`; returns that name. */
  step(opType: string, inputs: readonly string[], hint: string, attrs: Record<string, Attr> = {}): string {
    const out = this.fresh(hint);
    this.node(opType, inputs, [out], attrs);
    return out;
  }

  tensor(name: string, shape: readonly number[], dtype: DType | 'int64', data: ArrayLike<number>): string {
    const D = this.onnx.TensorProto.DataType;
    const t: OnnxNamespace.ITensorProto = { name, dims: [...shape] };
    if (dtype === 'float32') Object.assign(t, { dataType: D.FLOAT, floatData: Array.from(data) });
    else if (dtype === 'int32') Object.assign(t, { dataType: D.INT32, int32Data: Array.from(data) });
    else Object.assign(t, { dataType: D.INT64, int64Data: Array.from(data) });
    this.initializers.push(t);
    return name;
  }

  /** Reshape to a literal shape (allowzero=1: a 0 in the shape is a real 0, as in our shapes). */
  reshape(input: string, shape: readonly number[], output: string): void {
    const shapeName = this.tensor(this.fresh(`${output}_shape`), [shape.length], 'int64', shape);
    this.node('Reshape', [input, shapeName], [output], { allowzero: 1 });
  }
}

/** One op's translation: `inputs`/`outputs` are ONNX value names, infos are our inferred tensors. */
interface Lowering {
  g: GraphBuilder;
  op: OperatorDef;
  where: string;
  args: Readonly<Record<string, ArgValue | undefined>>;
  inInfo: readonly TensorInfo[];
  outInfo: readonly TensorInfo[];
  inputs: readonly string[];
  outputs: readonly string[];
}

const num = (v: ArgValue | undefined, fallback: number): number => (typeof v === 'number' ? v : fallback);
const canon = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);
const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function fc(l: Lowering): void {
  const { g } = l;
  const [x, w] = l.inInfo as [TensorInfo, TensorInfo];
  const axis = canon(num(l.args.axis, 1), x.shape.length);
  const axisW = canon(num(l.args.axis_w, 1), w.shape.length);
  // Gemm wants X as [M,K] and W as [N,K]: Flatten at Caffe2's axes gives exactly those views.
  const x2 = x.shape.length === 2 && axis === 1 ? l.inputs[0]! : g.step('Flatten', [l.inputs[0]!], `${l.op.output[0]}_x2d`, { axis });
  const w2 = w.shape.length === 2 && axisW === 1 ? l.inputs[1]! : g.step('Flatten', [l.inputs[1]!], `${l.op.output[0]}_w2d`, { axis: axisW });
  const y = l.outInfo[0]!;
  if (y.shape.length === 2) {
    g.node('Gemm', [x2, w2, l.inputs[2]!], [l.outputs[0]!], { transB: 1 });
    return;
  }
  const y2 = g.step('Gemm', [x2, w2, l.inputs[2]!], `${l.op.output[0]}_2d`, { transB: 1 });
  g.reshape(y2, y.shape, l.outputs[0]!);
}

/** Caffe2's legacy alignment axis (null: suffix), from `axis` or `axis_str` + `order`. */
function legacyStart(l: Lowering, rankA: number, rankB: number): number {
  const axis = l.args.axis;
  if (typeof l.args.axis_str === 'string') return String(l.args.order ?? 'NCHW').indexOf(l.args.axis_str);
  return typeof axis === 'number' && axis !== -1 ? axis : rankA - rankB;
}

function binary(onnxType: string) {
  return (l: Lowering): void => {
    const { g } = l;
    const [a, b] = l.inInfo as [TensorInfo, TensorInfo];
    let bName = l.inputs[1]!;
    if (l.args.broadcast === 1) {
      // Legacy: B sits at A's dims from `start`. numpy-style broadcasting right-aligns, so B needs
      // trailing 1-dims unless it already ends at A's last dim (a one-element B is a scalar).
      const [rankA, rankB] = [a.shape.length, b.shape.length];
      const start = legacyStart(l, rankA, rankB);
      const scalar = size(b.shape) === 1;
      if (scalar ? rankB > rankA : start + rankB !== rankA) {
        const target = scalar ? [] : [...b.shape, ...Array<number>(rankA - start - rankB).fill(1)];
        const out = g.fresh(`${l.op.input[1]}_aligned`);
        g.reshape(bName, target, out);
        bName = out;
      }
    }
    g.node(onnxType, [l.inputs[0]!, bName], [l.outputs[0]!]);
  };
}

const direct = (onnxType: string) => (l: Lowering): void => l.g.node(onnxType, l.inputs, l.outputs);

function softmax(l: Lowering): void {
  const x = l.inInfo[0]!;
  const axis = canon(num(l.args.axis, 1), x.shape.length);
  if (axis === x.shape.length - 1) {
    l.g.node('Softmax', l.inputs, l.outputs, { axis: -1 });
    return;
  }
  // Caffe2 normalizes over all dims from `axis` on (a 2-D view); ONNX 13+ over one axis.
  const flat = l.g.step('Flatten', l.inputs, `${l.op.output[0]}_2d`, { axis });
  const soft = l.g.step('Softmax', [flat], `${l.op.output[0]}_soft`, { axis: 1 });
  l.g.reshape(soft, x.shape, l.outputs[0]!);
}

function reshape(l: Lowering): void {
  l.g.reshape(l.inputs[0]!, l.outInfo[0]!.shape, l.outputs[0]!);
  if (l.outputs.length > 1) {
    // old_shape is known once the input shape is: a constant of the dtype our runtime gives it.
    const shape = l.inInfo[0]!.shape;
    l.g.tensor(l.outputs[1]!, [shape.length], l.outInfo[1]!.dtype, shape);
  }
}

function scale(l: Lowering): void {
  const s = l.g.tensor(l.g.fresh(`${l.op.output[0]}_scale`), [], 'float32', [num(l.args.scale, 1)]);
  l.g.node('Mul', [l.inputs[0]!, s], l.outputs);
}

/** A float32 scalar initializer named after the op's output. */
function scalarConst(l: Lowering, what: string, v: number): string {
  return l.g.tensor(l.g.fresh(`${l.op.output[0]}_${what}`), [], 'float32', [v]);
}

function clip(l: Lowering): void {
  const lo = scalarConst(l, 'min', num(l.args.min, -3.4028234663852886e38));
  const hi = scalarConst(l, 'max', num(l.args.max, 3.4028234663852886e38));
  l.g.node('Clip', [l.inputs[0]!, lo, hi], l.outputs);
}

function pow(l: Lowering): void {
  if (l.inputs.length === 2) {
    binary('Pow')(l);
    return;
  }
  l.g.node('Pow', [l.inputs[0]!, scalarConst(l, 'exponent', num(l.args.exponent, 1))], l.outputs);
}

/** Per-spatial-dim values of a Conv/Pool argument: list form, single value, or _h/_w pair. */
function spatial(l: Lowering, one: string, list: string, rank: number, fallback: number): number[] {
  const v = l.args[list];
  if (Array.isArray(v) && v.length) return [...(v as number[])];
  if (typeof l.args[one] === 'number') return Array<number>(rank).fill(l.args[one] as number);
  const h = l.args[`${one}_h`];
  const w = l.args[`${one}_w`];
  if (rank === 2 && typeof h === 'number' && typeof w === 'number') return [h, w];
  return Array<number>(rank).fill(fallback);
}

function pads(l: Lowering, rank: number): number[] {
  const v = l.args.pads;
  if (Array.isArray(v) && v.length) return [...(v as number[])];
  if (typeof l.args.pad === 'number') return Array<number>(2 * rank).fill(l.args.pad);
  if (rank === 2) return ['pad_t', 'pad_l', 'pad_b', 'pad_r'].map((k) => num(l.args[k], 0));
  return Array<number>(2 * rank).fill(0);
}

/**
 * Explicit ONNX pads for the op's padding. Caffe2's legacy_pad modes (VALID, SAME,
 * CAFFE_LEGACY_POOLING's ceil rule) become the head pad the mode gives and the least tail pad that
 * fits the op's own output length. Explicit pads are exact by construction, without leaning on how
 * ONNX's ceil_mode and auto_pad treat a last window that starts in the padding (the rule changed
 * across opsets); and the least tail stays below the kernel, as onnxruntime requires of pool pads,
 * where the tail the runtime grows internally need not.
 */
function explicitPads(l: Lowering, rank: number, input: readonly number[], out: readonly number[], kernel: readonly number[], strides: readonly number[], pooling: boolean): number[] {
  const mode = num(l.args.legacy_pad, LEGACY.NOTSET);
  const given = pads(l, rank);
  if (mode === LEGACY.NOTSET) return given;
  if (mode !== LEGACY.VALID && mode !== LEGACY.SAME && mode !== LEGACY.CAFFE_LEGACY_POOLING) {
    throw new ArgumentError(`exportOnnx: ${l.where}: legacy_pad=${String(l.args.legacy_pad)} is not a LegacyPadding value (0 NOTSET, 1 VALID, 2 SAME, 3 CAFFE_LEGACY_POOLING), so it has no ONNX export`);
  }
  const head = input.map((d, i) => legacyPads(mode, d, kernel[i]!, strides[i]!, given[i]!)[0]);
  const tail = input.map((d, i) => Math.max(0, (out[i]! - 1) * strides[i]! + kernel[i]! - d - head[i]!));
  const whole = tail.findIndex((t, i) => t >= kernel[i]!);
  if (pooling && whole >= 0) {
    // Caffe's ceil rule keeps such a window when the head pad is 0 (kernel below the stride); ONNX pools have no way to say it.
    throw new ArgumentError(
      `exportOnnx: ${l.where}: legacy_pad=${mode} gives a last window (spatial dim ${whole}) that lies wholly in the padding ` +
        `(kernel ${fmtShape(kernel)}, strides ${fmtShape(strides)}), which ONNX pools cannot express`,
    );
  }
  return [...head, ...tail];
}

/** Kernel, strides, pads, dilations of a Conv or Pool, checked against the inferred output shape. */
function windowAttrs(l: Lowering, kernelFromW: readonly number[] | null): Record<string, Attr> {
  const x = l.inInfo[0]!;
  const rank = x.shape.length - 2;
  if ((l.args.order ?? 'NCHW') !== 'NCHW') throw new ArgumentError(`exportOnnx: ${l.where}: only order NCHW exports to ONNX`);
  const kernel = kernelFromW ?? spatial(l, 'kernel', 'kernels', rank, 0);
  const strides = spatial(l, 'stride', 'strides', rank, 1);
  const dilations = spatial(l, 'dilation', 'dilations', rank, 1);
  const got = l.outInfo[0]!.shape.slice(2);
  const p = explicitPads(l, rank, x.shape.slice(2), got, kernel, strides, kernelFromW === null);
  const expected = x.shape.slice(2).map((d, i) => Math.floor((d + p[i]! + p[i + rank]! - (dilations[i]! * (kernel[i]! - 1) + 1)) / strides[i]!) + 1);
  if (expected.some((d, i) => d !== got[i])) {
    throw new ShapeError(
      `exportOnnx: ${l.where}: ONNX would compute spatial dims ${fmtShape(expected)} from kernel ${fmtShape(kernel)}, ` +
        `strides ${fmtShape(strides)}, pads ${fmtShape(p)}, but the op gives ${fmtShape(got)}`,
    );
  }
  return { kernel_shape: kernel, strides, pads: p, dilations };
}

function conv(l: Lowering): void {
  const w = l.inInfo[1]!;
  l.g.node('Conv', l.inputs, l.outputs, { ...windowAttrs(l, w.shape.slice(2)), group: num(l.args.group, 1) });
}

function pool(onnxType: 'MaxPool' | 'AveragePool') {
  return (l: Lowering): void => {
    if (num(l.args.global_pooling, 0) === 1) {
      l.g.node(onnxType === 'MaxPool' ? 'GlobalMaxPool' : 'GlobalAveragePool', l.inputs, l.outputs);
      return;
    }
    const attrs = windowAttrs(l, null);
    if ((attrs.dilations as number[]).some((d) => d !== 1)) throw new ArgumentError(`exportOnnx: ${l.where}: pooling with dilation has no export`);
    delete attrs.dilations;
    if (onnxType === 'AveragePool') attrs.count_include_pad = num(l.args.count_include_pad, 0);
    l.g.node(onnxType, l.inputs, l.outputs, attrs);
  };
}

/** Ops whose output is their input under other dims: a Reshape to the dims we inferred. */
function relabel(l: Lowering): void {
  l.g.reshape(l.inputs[0]!, l.outInfo[0]!.shape, l.outputs[0]!);
}

function transpose(l: Lowering): void {
  const rank = l.inInfo[0]!.shape.length;
  const axes = (l.args.axes as readonly number[] | undefined) ?? [...Array(rank).keys()].reverse();
  l.g.node('Transpose', l.inputs, l.outputs, { perm: axes });
}

/** Concat's and Split's axis in the tensor of rank `rank` (with add_axis: the joined tensor's). */
function joinAxis(l: Lowering, rank: number): { axis: number; add: boolean } {
  if (typeof l.args.axis !== 'number') return { axis: { NCHW: 1, NHWC: 3 }[String(l.args.order ?? 'NCHW')] ?? 1, add: false };
  return { axis: canon(l.args.axis, rank), add: l.args.add_axis === 1 };
}

/** Concat, and split_info as a constant (like Reshape's old_shape, it is known from the shapes). */
function concat(l: Lowering): void {
  const y = l.outInfo[0]!;
  const { axis, add } = joinAxis(l, y.shape.length);
  // add_axis: each input gets the new axis of size 1 first.
  const parts = add
    ? l.inputs.map((name, i) => {
        const shape = [...l.inInfo[i]!.shape];
        shape.splice(axis, 0, 1);
        const out = l.g.fresh(`${l.op.output[0]}_part${i}`);
        l.g.reshape(name, shape, out);
        return out;
      })
    : l.inputs;
  l.g.node('Concat', parts, [l.outputs[0]!], { axis });
  if (l.outputs.length > 1) {
    const sizes = l.inInfo.map((t) => (add ? 1 : t.shape[axis]!));
    l.g.tensor(l.outputs[1]!, [sizes.length], 'int32', sizes);
  }
}

/** Split by the sizes we inferred (ONNX 13+ takes them as an int64 input). */
function split(l: Lowering): void {
  const x = l.inInfo[0]!;
  const { axis, add } = joinAxis(l, x.shape.length);
  const sizes = l.outInfo.map((t) => (add ? 1 : t.shape[axis]!));
  const splitSizes = l.g.tensor(l.g.fresh(`${l.op.output[0]}_split`), [sizes.length], 'int64', sizes);
  const outs = add ? l.outputs.map((o) => l.g.fresh(`${o}_kept_axis`)) : l.outputs;
  l.g.node('Split', [l.inputs[0]!, splitSizes], outs, { axis });
  if (add) outs.forEach((o, i) => l.g.reshape(o, l.outInfo[i]!.shape, l.outputs[i]!));
}

/** MatMul: Gemm on the 2-D views at axis_a / axis_b, reshaped when a third input gives Y its dims. */
function matmul(l: Lowering): void {
  const { g } = l;
  const view = (k: number, axisArg: string, hint: string): string => {
    const t = l.inInfo[k]!;
    const axis = canon(num(l.args[axisArg], 1), t.shape.length);
    return t.shape.length === 2 && axis === 1 ? l.inputs[k]! : g.step('Flatten', [l.inputs[k]!], `${l.op.output[0]}_${hint}`, { axis });
  };
  const ab = [view(0, 'axis_a', 'a2d'), view(1, 'axis_b', 'b2d')];
  const attrs = { transA: num(l.args.trans_a, 0), transB: num(l.args.trans_b, 0) };
  if (l.inputs.length < 3) {
    g.node('Gemm', ab, [l.outputs[0]!], attrs);
    return;
  }
  g.reshape(g.step('Gemm', ab, `${l.op.output[0]}_2d`, attrs), l.outInfo[0]!.shape, l.outputs[0]!);
}

/** ReduceSum takes its axes as an input from opset 13; ReduceMean/ReduceMax as an attribute until 18. */
function reduce(onnxType: 'ReduceSum' | 'ReduceMean' | 'ReduceMax') {
  return (l: Lowering): void => {
    const rank = l.inInfo[0]!.shape.length;
    const axes = ((l.args.axes as readonly number[] | undefined) ?? [...Array(rank).keys()]).map((a) => canon(a, rank));
    const keepdims = num(l.args.keepdims, 1);
    if (onnxType === 'ReduceSum') {
      const axesName = l.g.tensor(l.g.fresh(`${l.op.output[0]}_axes`), [axes.length], 'int64', axes);
      l.g.node(onnxType, [l.inputs[0]!, axesName], l.outputs, { keepdims });
    } else {
      l.g.node(onnxType, l.inputs, l.outputs, { axes, keepdims });
    }
  };
}

/** ONNX element types by Caffe2 DataType for Cast; narrow ints are cast again to the int32 we store them in. */
const ONNX_CAST: Readonly<Record<number, { to: number; widen: boolean }>> = {
  [DataType.FLOAT]: { to: 1, widen: false },
  [DataType.DOUBLE]: { to: 1, widen: false },
  [DataType.FLOAT16]: { to: 1, widen: false },
  [DataType.INT32]: { to: 6, widen: false },
  [DataType.INT64]: { to: 6, widen: false },
  [DataType.UINT8]: { to: 2, widen: false },
  [DataType.BYTE]: { to: 2, widen: false },
  [DataType.BOOL]: { to: 9, widen: true },
  [DataType.INT8]: { to: 3, widen: true },
  [DataType.INT16]: { to: 5, widen: true },
  [DataType.UINT16]: { to: 4, widen: true },
};

function cast(l: Lowering): void {
  const target = ONNX_CAST[num(l.args.to, DataType.FLOAT)];
  if (!target) throw new ArgumentError(`${l.where}: Cast to ${dataTypeName(num(l.args.to, 0))} has no ONNX form here`);
  if (!target.widen) {
    l.g.node('Cast', l.inputs, l.outputs, { to: target.to });
    return;
  }
  l.g.node('Cast', [l.g.step('Cast', l.inputs, `${l.op.output[0]}_narrow`, { to: target.to })], l.outputs, { to: 6 });
}

/** Caffe2 op type → its ONNX lowering. Ops not listed here do not export. */
const LOWERINGS: Record<string, (l: Lowering) => void> = {
  FC: fc,
  Add: binary('Add'),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  Div: binary('Div'),
  Sum: direct('Sum'),
  Scale: scale,
  Copy: direct('Identity'),
  StopGradient: direct('Identity'),
  Relu: direct('Relu'),
  Sigmoid: direct('Sigmoid'),
  Tanh: direct('Tanh'),
  LeakyRelu: (l) => l.g.node('LeakyRelu', l.inputs, l.outputs, { alpha: { f: num(l.args.alpha, 0.01) } }),
  Softsign: direct('Softsign'),
  Exp: direct('Exp'),
  Log: direct('Log'),
  Sqrt: direct('Sqrt'),
  Sqr: (l) => l.g.node('Mul', [l.inputs[0]!, l.inputs[0]!], l.outputs),
  Abs: direct('Abs'),
  Negative: direct('Neg'),
  Clip: clip,
  Pow: pow,
  Softmax: softmax,
  Flatten: (l) => l.g.node('Flatten', l.inputs, l.outputs, { axis: canon(num(l.args.axis, 1), l.inInfo[0]!.shape.length) }),
  Reshape: reshape,
  FlattenToVec: relabel,
  ResizeLike: relabel,
  ExpandDims: relabel,
  Squeeze: relabel,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  MatMul: matmul,
  ReduceSum: reduce('ReduceSum'),
  ReduceMean: reduce('ReduceMean'),
  ReduceMax: reduce('ReduceMax'),
  Cast: cast,
  Conv: conv,
  MaxPool: pool('MaxPool'),
  AveragePool: pool('AveragePool'),
};

/** Caffe2 op types exportOnnx translates. */
export function onnxExportableOps(): string[] {
  return Object.keys(LOWERINGS).sort();
}

function valueInfo(onnx: Onnx, name: string, info: TensorInfo): OnnxNamespace.IValueInfoProto {
  const elemType = { float32: onnx.TensorProto.DataType.FLOAT, int32: onnx.TensorProto.DataType.INT32, uint8: onnx.TensorProto.DataType.UINT8 }[info.dtype];
  return { name, type: { tensorType: { elemType, shape: { dim: info.shape.map((d) => ({ dimValue: d })) } } } };
}

/**
 * Exports an inference net as ONNX model bytes. `inputs` names the blobs fed at run time and their
 * shapes; every other blob the net reads is a parameter and is read from the current workspace.
 */
export async function exportOnnx(net: NetSource, options: OnnxExportOptions): Promise<Uint8Array> {
  const def = netDefOf(net);
  const what = `exportOnnx(net "${def.name}")`;
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < DEFAULT_OPSET) throw new ArgumentError(`${what}: opset must be an integer >= ${DEFAULT_OPSET}, got ${opset}`);
  const inputNames = Object.keys(options.inputs);
  const outputNames = [...(options.outputs ?? def.external_output)];
  if (!outputNames.length) throw new ArgumentError(`${what}: no outputs: pass options.outputs or declare external outputs`);

  // Which blobs each op reads before anything in the net writes them: graph inputs or parameters.
  const written = new Set<string>(inputNames);
  const lastWrite = new Map<string, number>();
  const params: string[] = [];
  def.op.forEach((op, k) => {
    for (const i of op.input) {
      if (!written.has(i) && !params.includes(i)) params.push(i);
    }
    for (const o of op.output) {
      written.add(o);
      lastWrite.set(o, k);
    }
  });
  for (const o of outputNames) {
    if (inputNames.includes(o)) throw new ArgumentError(`${what}: output "${o}" is also a graph input; ONNX values have one producer`);
    if (!lastWrite.has(o)) throw new ArgumentError(`${what}: output "${o}" is not computed by any op of the net`);
  }
  for (const p of params) {
    if (!workspace.HasBlob(p)) {
      throw new MissingBlobError(`${what}: the net reads "${p}", which is neither in options.inputs nor a blob of the workspace (run the init net first)`);
    }
  }
  const [mod, fetched] = await Promise.all([import('onnx-proto'), workspace.FetchBlobs(params)]);
  const onnx = mod.default.onnx;
  const g = new GraphBuilder(onnx);

  const info = new Map<string, TensorInfo>();
  const value = new Map<string, string>();
  for (const name of [...inputNames, ...outputNames]) g.reserve(name);
  const graphInputs = inputNames.map((name) => {
    const shape = options.inputs[name]!;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ShapeError(`${what}: input "${name}" needs a shape of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    const t: TensorInfo = { shape: [...shape], dtype: options.inputTypes?.[name] ?? 'float32' };
    info.set(name, t);
    value.set(name, name);
    return valueInfo(onnx, name, t);
  });
  params.forEach((name, k) => {
    const t = fetched[k]!;
    const initName = g.isUsed(name) ? g.fresh(`${name}_init`) : g.fresh(name);
    g.tensor(initName, t.shape, t.dtype, t.data);
    info.set(name, { shape: [...t.shape], dtype: t.dtype, hostValues: t.data as TensorInfo['hostValues'] });
    value.set(name, initName);
  });

  def.op.forEach((op, k) => {
    const spec = getOpSpec(op.type, `${what}: op #${k}`);
    const inInfo = op.input.map((i) => info.get(i)!);
    const ctx = makeOpContext(spec, op, k, def.name, inInfo);
    const lower = LOWERINGS[op.type];
    if (!lower) {
      throw new ArgumentError(`${what}: ${ctx.where} has no ONNX export (exportable ops: ${onnxExportableOps().join(', ')})`);
    }
    const outInfo = spec.inferShape(ctx);
    const inputs = op.input.map((i) => value.get(i)!);
    // ONNX values are written once: an in-place or repeated write gets a fresh name, and a
    // requested output takes its blob's own name at its last write.
    const outputs = op.output.map((o) => (outputNames.includes(o) && lastWrite.get(o) === k ? o : g.fresh(o)));
    lower({ g, op, where: ctx.where, args: { ...ctx.args, ...ctx.extraArgs }, inInfo, outInfo, inputs, outputs });
    op.output.forEach((o, j) => {
      info.set(o, { shape: outInfo[j]!.shape, dtype: outInfo[j]!.dtype });
      value.set(o, outputs[j]!);
    });
  });

  const model: OnnxNamespace.IModelProto = {
    irVersion: IR_VERSION,
    producerName: 'caffe2-webgpu',
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: def.name,
      node: g.nodes,
      initializer: g.initializers,
      input: graphInputs,
      output: outputNames.map((o) => valueInfo(onnx, o, info.get(o)!)),
    },
  };
  return onnx.ModelProto.encode(model).finish();
}
