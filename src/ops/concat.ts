/**
 * Concat and Split along one axis (or, with add_axis, a new axis). Each is the other's gradient:
 * Concat's split_info output records the input sizes along the axis, and the plan knows its
 * values, so the Split of the gradient can be planned from it.
 */
import { ArgumentError, fmtShape } from '../core/errors.js';
import { arg } from './args.js';
import { copyCall } from './copy.js';
import { defineOp, type BindingSource, type GradientContext, type HostTensor, type KernelCall, type OpContext, type TensorInfo } from './registry.js';
import { canonicalAxis, hostIntValues, linearWorkgroups, size, unpackedDType } from './shape.js';

const axisArgs = {
  axis: arg.int(),
  /** NCHW or NHWC: the channel axis (1 or 3), for nets that name the order instead of the axis. */
  order: arg.string(),
  add_axis: arg.bool(0),
};

type AxisArgs = typeof axisArgs;

/** Caffe2's axis choice: `axis` (negative counts from the end), else the channel axis of `order` (default NCHW). */
function chosenAxis<S extends AxisArgs>(ctx: OpContext<S>, ndim: number): number {
  const { axis, order } = ctx.args as { axis?: number; order?: string };
  if (axis !== undefined && order !== undefined) ctx.argError('give either axis or order, not both');
  if (axis !== undefined) return canonicalAxis(ctx, 'axis', axis, ndim);
  const channel = { NCHW: 1, NHWC: 3 }[order ?? 'NCHW'];
  if (channel === undefined) ctx.argError(`order "${order}" is not NCHW or NHWC`);
  if (channel! >= ndim) ctx.shapeError(`order ${order ?? 'NCHW'} splits at axis ${channel}, but the tensor has ${ndim} dims`);
  return channel!;
}

/** add_axis counts only with an explicit axis (Caffe2 ignores it when the axis comes from order). */
function addsAxis<S extends AxisArgs>(ctx: OpContext<S>): boolean {
  const a = ctx.args as { axis?: number; add_axis: number };
  return a.axis !== undefined && a.add_axis === 1;
}

/** One side of a block copy: its buffer and, in words, its row stride and the block's offset in a row. */
interface Side {
  buffer: BindingSource;
  stride: number;
  offset: number;
}

/** A concat.wgsl dispatch copying `outer` rows of `chunk` words from one side to the other. */
function blockCall(outer: number, chunk: number, x: Side, y: Side): KernelCall {
  const n = outer * chunk;
  return {
    shader: 'concat.wgsl',
    bindings: { X: x.buffer, Y: y.buffer },
    uniforms: { n, chunk, x_stride: x.stride, x_offset: x.offset, y_stride: y.stride, y_offset: y.offset },
    workgroups: linearWorkgroups(n),
  };
}

/** The wide tensor's layout along `axis`: rows before it, words per unit of the axis. */
function layout(shape: readonly number[], axis: number): { outer: number; inner: number } {
  return { outer: size(shape.slice(0, axis)), inner: size(shape.slice(axis + 1)) };
}

export const Concat = defineOp({
  type: 'Concat',
  doc: 'Joins the inputs along `axis` (default: order NCHW, axis 1), or along a new axis with add_axis=1; split_info gets each input\'s size along it.',
  inputs: ['inputs'],
  inputCount: [1, Infinity],
  outputs: ['concat_result', 'split_info'],
  outputCount: [1, 2],
  args: axisArgs,
  inferShape(ctx) {
    const names = ctx.op.input;
    const first = ctx.inputs[0]!;
    const add = addsAxis(ctx);
    const axis = chosenAxis(ctx, first.shape.length + (add ? 1 : 0));
    unpackedDType(ctx, 0);
    ctx.inputs.forEach((x, i) => {
      if (x.dtype !== first.dtype) ctx.dtypeError(`input ${names[i]} has dtype ${x.dtype}, but ${names[0]} has dtype ${first.dtype} (expected the same dtype)`);
      const differs = x.shape.length !== first.shape.length || x.shape.some((d, k) => d !== first.shape[k] && (add || k !== axis));
      if (differs) {
        const rule = add ? 'expected identical shapes with add_axis=1' : `expected the same dims except along axis ${axis}`;
        ctx.shapeError(`input ${names[i]} has shape ${fmtShape(x.shape)}, but ${names[0]} has shape ${fmtShape(first.shape)} (${rule})`);
      }
    });
    const sizes = ctx.inputs.map((x) => (add ? 1 : x.shape[axis]!));
    const shape = [...first.shape];
    if (add) shape.splice(axis, 0, ctx.inputs.length);
    else shape[axis] = sizes.reduce((a, b) => a + b, 0);
    const out: TensorInfo[] = [
      { shape, dtype: first.dtype },
      { shape: [sizes.length], dtype: 'int32', hostValues: Int32Array.from(sizes) },
    ];
    return out.slice(0, ctx.op.output.length);
  },
  kernels(ctx, outs) {
    const y = outs[0]!;
    const axis = chosenAxis(ctx, y.shape.length);
    const { outer, inner } = layout(y.shape, axis);
    const width = y.shape[axis]! * inner;
    const calls: KernelCall[] = [];
    let start = 0;
    ctx.inputs.forEach((x, i) => {
      const chunk = size(x.shape) / Math.max(1, outer);
      if (outer * chunk > 0) calls.push(blockCall(outer, chunk, { buffer: { input: i }, stride: chunk, offset: 0 }, { buffer: { output: 0 }, stride: width, offset: start }));
      start += chunk;
    });
    if (outs.length > 1) {
      const sizes = outs[1]!.hostValues!;
      calls.push(copyCall({ constant: Int32Array.from(sizes) }, { output: 1 }, sizes.length));
    }
    return calls;
  },
  gradient: (g) => {
    if (g.def.output.length < 2) {
      throw new ArgumentError(`Concat "${g.O(0)}": the gradient needs the split_info output (give Concat two outputs)`);
    }
    const grads = g.def.input.map((_, i) => g.GI(i));
    return { ops: [g.op('Split', [g.GO(0)!, g.O(1)], grads)], inputGrads: grads };
  },
  reference(inputs, args) {
    const first = inputs[0]!;
    const add = args.axis !== undefined && args.add_axis === 1;
    const ndim = first.shape.length + (add ? 1 : 0);
    const axis = args.axis === undefined ? { NCHW: 1, NHWC: 3 }[args.order ?? 'NCHW']! : (args.axis + ndim) % ndim;
    const parts = inputs.map((x) => (add ? { ...x, shape: [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)] } : x));
    const shape = [...parts[0]!.shape];
    shape[axis] = parts.reduce((a, x) => a + x.shape[axis]!, 0);
    const { outer, inner } = layout(shape, axis);
    const data = new Float64Array(size(shape));
    let start = 0;
    for (const x of parts) {
      const chunk = x.shape[axis]! * inner;
      for (let o = 0; o < outer; o++) data.set(x.data.subarray(o * chunk, (o + 1) * chunk), o * shape[axis]! * inner + start);
      start += chunk;
    }
    const dtype = first.dtype;
    return [
      { shape, data, ...(dtype && { dtype }) },
      { shape: [inputs.length], data: Float64Array.from(parts, (x) => x.shape[axis]!), dtype: 'int32' },
    ];
  },
});

const splitArgs = { ...axisArgs, split: arg.ints() };

/** Sizes along the axis of each Split output, from the split input, the split argument, or equal parts. */
function splitSizes(ctx: OpContext<typeof splitArgs>, dim: number, add: boolean): number[] {
  const n = ctx.op.output.length;
  let sizes: number[];
  if (ctx.inputs.length === 2) {
    if (ctx.args.split !== undefined) ctx.argError('the sizes are given by input split; do not pass the split argument as well');
    sizes = hostIntValues(ctx, 1, 'split');
  } else if (ctx.args.split !== undefined) {
    sizes = [...ctx.args.split];
  } else {
    if (dim % n !== 0) ctx.shapeError(`the axis has ${dim} entries, which do not divide into ${n} equal outputs (give split to choose the sizes)`);
    sizes = new Array<number>(n).fill(dim / n);
  }
  if (sizes.length !== n) ctx.argError(`split ${fmtShape(sizes)} has ${sizes.length} sizes for ${n} outputs`);
  if (sizes.some((s) => s < 0)) ctx.argError(`split ${fmtShape(sizes)} has a negative size`);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== dim) ctx.shapeError(`split ${fmtShape(sizes)} adds up to ${total}, but the axis has ${dim} entries`);
  if (add && sizes.some((s) => s !== 1)) ctx.shapeError(`with add_axis=1 every output takes one entry of the axis, but split is ${fmtShape(sizes)}`);
  return sizes;
}

/** Split's gradient: Concat of the output gradients; an output without one contributes zeros. */
function splitGradient(g: GradientContext) {
  const ops = [];
  const parts: string[] = [];
  for (let i = 0; i < g.def.output.length; i++) {
    const go = g.GO(i);
    if (go !== undefined) {
      parts.push(go);
      continue;
    }
    // Caffe2 leaves such an output out, which makes the gradient the wrong size; zeros keep it right.
    const zeros = `_${g.O(i)}_zero_grad`;
    ops.push(g.op('ConstantFill', [g.O(i)], [zeros], [{ name: 'value', f: 0 }]));
    parts.push(zeros);
  }
  const concatArgs = g.def.arg.filter((a) => a.name in axisArgs);
  ops.push(g.op('Concat', parts, [g.GI(0), `_${g.GI(0)}_dims`], concatArgs));
  return { ops, inputGrads: g.def.input.map((_, i) => (i === 0 ? g.GI(0) : null)) };
}

export const Split = defineOp({
  type: 'Split',
  doc: 'Splits the input along `axis` into the outputs, sized by input split, argument split, or equally; with add_axis=1 each output drops the axis.',
  inputs: ['input', 'split'],
  inputCount: [1, 2],
  outputs: ['output'],
  outputCount: [1, Infinity],
  args: splitArgs,
  inferShape(ctx) {
    const x = ctx.inputs[0]!;
    unpackedDType(ctx, 0);
    const axis = chosenAxis(ctx, x.shape.length);
    const add = addsAxis(ctx);
    const sizes = splitSizes(ctx, x.shape[axis]!, add);
    return sizes.map((s) => {
      const shape = [...x.shape];
      if (add) shape.splice(axis, 1);
      else shape[axis] = s;
      return { shape, dtype: x.dtype };
    });
  },
  kernels(ctx) {
    const x = ctx.inputs[0]!;
    const axis = chosenAxis(ctx, x.shape.length);
    const sizes = splitSizes(ctx, x.shape[axis]!, addsAxis(ctx));
    const { outer, inner } = layout(x.shape, axis);
    const width = x.shape[axis]! * inner;
    const calls: KernelCall[] = [];
    let start = 0;
    sizes.forEach((s, i) => {
      const chunk = s * inner;
      if (outer * chunk > 0) calls.push(blockCall(outer, chunk, { buffer: { input: 0 }, stride: width, offset: start }, { buffer: { output: i }, stride: chunk, offset: 0 }));
      start += chunk;
    });
    return calls;
  },
  copyArgs: false,
  gradient: splitGradient,
  // Without split (input or argument) the reference cannot know the output count: tests pass split.
  reference(inputs, args) {
    const x = inputs[0]!;
    const ndim = x.shape.length;
    const axis = args.axis === undefined ? { NCHW: 1, NHWC: 3 }[args.order ?? 'NCHW']! : (args.axis + ndim) % ndim;
    const add = args.axis !== undefined && args.add_axis === 1;
    const dim = x.shape[axis]!;
    const sizes = inputs[1] ? Array.from(inputs[1].data) : (args.split ?? (add ? new Array<number>(dim).fill(1) : null));
    if (!sizes) throw new Error('Split reference: give split (the output count is not an input of the reference)');
    const { outer, inner } = layout(x.shape, axis);
    let start = 0;
    return sizes.map((s): HostTensor => {
      const chunk = s * inner;
      const data = new Float64Array(outer * chunk);
      for (let o = 0; o < outer; o++) data.set(x.data.subarray(o * dim * inner + start, o * dim * inner + start + chunk), o * chunk);
      start += chunk;
      const shape = [...x.shape];
      if (add) shape.splice(axis, 1);
      else shape[axis] = s;
      return { shape, data, ...(x.dtype && { dtype: x.dtype }) };
    });
  },
});
