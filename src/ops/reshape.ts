/**
 * Reshape, Flatten, FlattenToVec and ResizeLike: the data stays as it is, only the dims change, so
 * each is one word copy (none in place). Reshape also writes the input's dims to `old_shape`, whose
 * values the plan knows, so that its gradient (a Reshape back to them) can be planned.
 */
import { fmtShape } from '../core/errors.js';
import { arg } from './args.js';
import { copyCall, identityKernels } from './copy.js';
import { defineOp, type GradientContext, type HostTensor, type KernelCall, type OpContext, type TensorInfo } from './registry.js';
import { hostIntValues, size } from './shape.js';

const reshapeArgs = { shape: arg.ints() };

/** Caffe2's rule for a requested shape: 0 copies the input's dim at that index, one -1 is inferred. */
function resolveShape(ctx: OpContext<typeof reshapeArgs>, input: readonly number[], requested: readonly number[], source: string): number[] {
  const out = requested.map((d, i) => {
    if (!Number.isInteger(d) || d < -1) ctx.argError(`${source} ${fmtShape(requested)} has an invalid dimension ${d} at index ${i} (expected >= -1)`);
    if (d !== 0) return d;
    if (i >= input.length) {
      ctx.shapeError(`${source} ${fmtShape(requested)} has 0 (copy the input's dim) at index ${i}, but the input ${fmtShape(input)} has only ${input.length} dims`);
    }
    return input[i]!;
  });
  const unknown = out.indexOf(-1);
  if (unknown !== out.lastIndexOf(-1)) ctx.argError(`${source} ${fmtShape(requested)} has more than one -1 (at most one dimension can be inferred)`);
  const total = size(input);
  const known = size(out.filter((d) => d !== -1));
  if (unknown >= 0) {
    // An empty input makes the inferred dim 0 (Caffe2's documented rule for empty tensors).
    if (known === 0 && total === 0) out[unknown] = 0;
    else if (known === 0 || total % known !== 0) {
      ctx.shapeError(`input ${ctx.op.input[0]} ${fmtShape(input)} holds ${total} elements, which ${source} ${fmtShape(requested)} cannot hold (${total} is not a multiple of ${known})`);
    } else out[unknown] = total / known;
  } else if (known !== total) {
    ctx.shapeError(`input ${ctx.op.input[0]} ${fmtShape(input)} holds ${total} elements, but ${source} ${fmtShape(requested)} holds ${known}`);
  }
  return out;
}

/** The reshaped dims of a Reshape op, from its `shape` argument or its new_shape input. */
function reshapedDims(ctx: OpContext<typeof reshapeArgs>): number[] {
  const x = ctx.inputs[0]!;
  if (ctx.inputs.length === 2) {
    if (ctx.args.shape !== undefined) ctx.argError('the new shape is given by input new_shape; do not pass the shape argument as well');
    return resolveShape(ctx, x.shape, hostIntValues(ctx, 1, 'new_shape'), `new_shape`);
  }
  if (ctx.args.shape === undefined) ctx.argError('the new shape is missing: give the shape argument or a second input new_shape');
  return resolveShape(ctx, x.shape, ctx.args.shape!, 'shape');
}

/** The host-side version of the shape rule, for the reference (the planner has checked it). */
function referenceShape(x: HostTensor, requested: readonly number[]): number[] {
  const out = requested.map((d, i) => (d === 0 ? x.shape[i]! : d));
  const known = size(out.filter((d) => d !== -1));
  const unknown = out.indexOf(-1);
  if (unknown >= 0) out[unknown] = known === 0 ? 0 : size(x.shape) / known;
  return out;
}

/** The same data under new dims (the references of the ops that only relabel dims). */
export function relabel(x: HostTensor, shape: number[]): HostTensor {
  return { shape, data: Float64Array.from(x.data), ...(x.dtype && { dtype: x.dtype }) };
}

export const Reshape = defineOp({
  type: 'Reshape',
  doc: 'Same data under new dims, from the `shape` argument or a 1-d int input new_shape (0 copies the input dim, one -1 is inferred); old_shape gets the input dims.',
  inputs: ['data', 'new_shape'],
  inputCount: [1, 2],
  outputs: ['reshaped', 'old_shape'],
  args: reshapeArgs,
  inPlace: [[0, 0]],
  inferShape(ctx) {
    const x = ctx.inputs[0]!;
    return [
      { shape: reshapedDims(ctx), dtype: x.dtype },
      // Caffe2 gives old_shape as int64 (or the new_shape input's type); int64 is stored as int32 here.
      { shape: [x.shape.length], dtype: 'int32', hostValues: Int32Array.from(x.shape) },
    ];
  },
  kernels(ctx, outs) {
    const x = ctx.inputs[0]!;
    const calls: KernelCall[] = identityKernels(ctx, outs);
    if (x.shape.length > 0) calls.push(copyCall({ constant: Int32Array.from(x.shape) }, { output: 1 }, x.shape.length));
    return calls;
  },
  copyArgs: false,
  gradient: (g) => ({
    ops: [g.op('Reshape', [g.GO(0)!, g.O(1)], [g.GI(0), `_${g.GI(0)}_dims`])],
    inputGrads: [g.GI(0), null],
  }),
  reference([x, newShape], args) {
    const requested = newShape ? Array.from(newShape.data) : args.shape!;
    return [relabel(x!, referenceShape(x!, requested)), { shape: [x!.shape.length], data: Float64Array.from(x!.shape), dtype: 'int32' }];
  },
});

export const ResizeLike = defineOp({
  type: 'ResizeLike',
  doc: 'Output = data with the dims of shape_tensor (the element counts must agree).',
  inputs: ['data', 'shape_tensor'],
  outputs: ['output'],
  args: {},
  inPlace: [[0, 0]],
  inferShape(ctx) {
    const [x, like] = ctx.inputs as [TensorInfo, TensorInfo];
    if (size(x.shape) !== size(like.shape)) {
      ctx.shapeError(
        `input ${ctx.op.input[0]} ${fmtShape(x.shape)} holds ${size(x.shape)} elements, but ${ctx.op.input[1]} ${fmtShape(like.shape)} holds ${size(like.shape)} (expected the same count)`,
      );
    }
    return [{ shape: like.shape, dtype: x.dtype }];
  },
  kernels: identityKernels,
  gradient: (g) => ({ ops: [g.op('ResizeLike', [g.GO(0)!, g.I(0)], [g.GI(0)])], inputGrads: [g.GI(0), null] }),
  reference: ([x, like]) => [relabel(x!, [...like!.shape])],
});

/** Flatten's and FlattenToVec's gradient: dY resized to X's dims. */
const resizeBack = {
  gradient: (g: GradientContext) => ({ ops: [g.op('ResizeLike', [g.GO(0)!, g.I(0)], [g.GI(0)])], inputGrads: [g.GI(0)] }),
};

export const Flatten = defineOp({
  type: 'Flatten',
  doc: 'Same data as a 2-d tensor [prod(dims[:axis]), prod(dims[axis:])].',
  inputs: ['input'],
  outputs: ['output'],
  args: { axis: arg.int(1) },
  inPlace: [[0, 0]],
  inferShape(ctx) {
    const x = ctx.inputs[0]!;
    const axis = ctx.args.axis;
    if (axis < 0 || axis > x.shape.length) {
      ctx.argError(`axis=${axis} is out of range for input ${ctx.op.input[0]} ${fmtShape(x.shape)} (expected 0 <= axis <= ${x.shape.length})`);
    }
    return [{ shape: [size(x.shape.slice(0, axis)), size(x.shape.slice(axis))], dtype: x.dtype }];
  },
  kernels: identityKernels,
  ...resizeBack,
  reference: ([x], args) => [relabel(x!, [size(x!.shape.slice(0, args.axis)), size(x!.shape.slice(args.axis))])],
});

export const FlattenToVec = defineOp({
  type: 'FlattenToVec',
  doc: 'Same data as a 1-d tensor.',
  inputs: ['input'],
  outputs: ['output'],
  args: {},
  inPlace: [[0, 0]],
  inferShape(ctx) {
    const x = ctx.inputs[0]!;
    if (x.shape.length < 1) ctx.shapeError(`input ${ctx.op.input[0]} is 0-d; FlattenToVec needs at least 1 dim`);
    return [{ shape: [size(x.shape)], dtype: x.dtype }];
  },
  kernels: identityKernels,
  ...resizeBack,
  reference: ([x]) => [relabel(x!, [size(x!.shape)])],
});
