/** Transpose: Y.dims[i] = X.dims[axes[i]] (default: the dims reversed). */
import { fmtShape } from '../core/errors.js';
import { arg } from './args.js';
import { MAX_KERNEL_RANK, coalesce, contiguousStrides } from './broadcast.js';
import { defineOp, type HostTensor, type OpContext } from './registry.js';
import { linearWorkgroups, size, unpackedDType } from './shape.js';

const transposeArgs = { axes: arg.ints() };

/** The permutation, checked: `axes` or the reversed dims. */
function permutation(ctx: OpContext<typeof transposeArgs>): readonly number[] {
  const x = ctx.inputs[0]!;
  const ndim = x.shape.length;
  const axes = ctx.args.axes ?? [...x.shape.keys()].reverse();
  const sorted = [...axes].sort((a, b) => a - b);
  if (axes.length !== ndim || sorted.some((a, i) => a !== i)) {
    ctx.argError(`axes ${fmtShape(axes)} is not a permutation of 0..${ndim - 1} for input ${ctx.op.input[0]} ${fmtShape(x.shape)}`);
  }
  return axes;
}

/** Row-major output index → input index, in float64 on the host. */
function transposeReference(x: HostTensor, axes: readonly number[]): HostTensor {
  const shape = axes.map((a) => x.shape[a]!);
  const inStrides = contiguousStrides(x.shape);
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    let rem = i;
    let at = 0;
    for (let k = shape.length - 1; k >= 0; k--) {
      at += (rem % shape[k]!) * inStrides[axes[k]!]!;
      rem = Math.floor(rem / shape[k]!);
    }
    data[i] = x.data[at]!;
  }
  return { shape, data, ...(x.dtype && { dtype: x.dtype }) };
}

export const Transpose = defineOp({
  type: 'Transpose',
  doc: 'Permutes the dims: Y.dims[i] = X.dims[axes[i]]; without axes the dims are reversed.',
  inputs: ['data'],
  outputs: ['transposed'],
  args: transposeArgs,
  inferShape(ctx) {
    const x = ctx.inputs[0]!;
    return [{ shape: permutation(ctx).map((a) => x.shape[a]!), dtype: unpackedDType(ctx, 0) }];
  },
  kernels(ctx, [y]) {
    const x = ctx.inputs[0]!;
    const n = size(y!.shape);
    if (n === 0) return [];
    const axes = permutation(ctx);
    const strides = contiguousStrides(x.shape);
    // Output dims that were neighbours in X merge into one, so the kernel walks as few as possible.
    const walk = coalesce(y!.shape, [axes.map((a) => strides[a]!), contiguousStrides(y!.shape)]);
    if (walk.shape.length > MAX_KERNEL_RANK) {
      ctx.shapeError(`transposing ${fmtShape(x.shape)} by ${fmtShape(axes)} needs ${walk.shape.length} separate dims; the kernel handles up to ${MAX_KERNEL_RANK}`);
    }
    return [
      {
        shader: 'transpose.wgsl',
        bindings: { X: { input: 0 }, Y: { output: 0 } },
        uniforms: { n, rank: walk.shape.length, out_shape: walk.shape, in_strides: walk.strides[0]! },
        workgroups: linearWorkgroups(n),
      },
    ];
  },
  // Forward args are not copied: the gradient's axes are the inverse permutation.
  copyArgs: false,
  gradient: (g) => {
    const axesArg = g.def.arg.find((a) => a.name === 'axes');
    const inverse: number[] = [];
    axesArg?.ints?.forEach((a, i) => {
      inverse[a] = i;
    });
    const args = axesArg ? [{ name: 'axes', ints: inverse }] : [];
    return { ops: [g.op('Transpose', [g.GO(0)!], [g.GI(0)], args)], inputGrads: [g.GI(0)] };
  },
  reference: ([x], args) => [transposeReference(x!, args.axes ?? [...x!.shape.keys()].reverse())],
});
