/**
 * ExpandDims and Squeeze: insert or remove size-1 dims at `dims`. The data is unchanged (a word
 * copy); each is the other's gradient with the same `dims`.
 */
import { fmtShape } from '../core/errors.js';
import { arg } from './args.js';
import { identityKernels } from './copy.js';
import { defineOp, type OpContext } from './registry.js';
import { relabel } from './reshape.js';

const dimsArgs = { dims: arg.ints() };

/** `dims` sorted without repeats (Caffe2 only warns about repeats); required and non-negative. */
function sortedDims(ctx: OpContext<typeof dimsArgs>): number[] {
  const dims = [...new Set(ctx.args.dims ?? [])].sort((a, b) => a - b);
  if (dims.length === 0) ctx.argError('argument dims must be given (a non-empty list of dimension indices)');
  if (dims[0]! < 0) ctx.argError(`argument dims ${fmtShape(ctx.args.dims!)} has a negative index (dimension indices must be non-negative)`);
  return dims;
}

/** The input's dims with a 1 inserted at each (sorted) index of `dims`. */
function expanded(shape: readonly number[], dims: readonly number[]): number[] {
  const out = [...shape];
  for (const d of dims) out.splice(d, 0, 1);
  return out;
}

/** The input's dims without those at `dims`. */
function squeezed(shape: readonly number[], dims: readonly number[]): number[] {
  return shape.filter((_, i) => !dims.includes(i));
}

/** Sorted unique dims for the references. */
function hostDims(dims: readonly number[] | undefined): number[] {
  return [...new Set(dims ?? [])].sort((a, b) => a - b);
}

export const ExpandDims = defineOp({
  type: 'ExpandDims',
  doc: 'Same data with a size-1 dim inserted at each index of `dims` (indices into the output).',
  inputs: ['data'],
  outputs: ['expanded'],
  args: dimsArgs,
  inPlace: [[0, 0]],
  inferShape(ctx) {
    const x = ctx.inputs[0]!;
    const dims = sortedDims(ctx);
    const last = dims[dims.length - 1]!;
    if (last >= x.shape.length + dims.length) {
      ctx.shapeError(
        `input ${ctx.op.input[0]} ${fmtShape(x.shape)} has ${x.shape.length} dims, but dims ${fmtShape(dims)} needs at least ${last + 1 - dims.length} (the output would have ${x.shape.length + dims.length})`,
      );
    }
    return [{ shape: expanded(x.shape, dims), dtype: x.dtype }];
  },
  kernels: identityKernels,
  gradient: (g) => ({ ops: [g.op('Squeeze', [g.GO(0)!], [g.GI(0)])], inputGrads: [g.GI(0)] }),
  reference: ([x], args) => [relabel(x!, expanded(x!.shape, hostDims(args.dims)))],
});

export const Squeeze = defineOp({
  type: 'Squeeze',
  doc: 'Same data without the size-1 dims listed in `dims`.',
  inputs: ['data'],
  outputs: ['squeezed'],
  args: dimsArgs,
  inPlace: [[0, 0]],
  inferShape(ctx) {
    const x = ctx.inputs[0]!;
    const dims = sortedDims(ctx);
    const last = dims[dims.length - 1]!;
    if (last >= x.shape.length) {
      ctx.shapeError(`input ${ctx.op.input[0]} ${fmtShape(x.shape)} has ${x.shape.length} dims, but dims ${fmtShape(dims)} names dim ${last}`);
    }
    const bad = dims.find((d) => x.shape[d] !== 1);
    if (bad !== undefined) {
      ctx.shapeError(`dim ${bad} of input ${ctx.op.input[0]} ${fmtShape(x.shape)} is ${x.shape[bad]}, but only dims of size 1 can be squeezed`);
    }
    return [{ shape: squeezed(x.shape, dims), dtype: x.dtype }];
  },
  kernels: identityKernels,
  gradient: (g) => ({ ops: [g.op('ExpandDims', [g.GO(0)!], [g.GI(0)])], inputGrads: [g.GI(0)] }),
  reference: ([x], args) => [relabel(x!, squeezed(x!.shape, hostDims(args.dims)))],
});
