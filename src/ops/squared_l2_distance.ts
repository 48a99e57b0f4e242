/** SquaredL2Distance and its gradient: Z[i] = ½‖X[i,:] − Y[i,:]‖² per row (note Caffe2's ½). */
import { fmtShape } from '../core/errors.js';
import type { HostTensor, TensorInfo } from './registry.js';
import { defineOp } from './registry.js';
import { linearWorkgroups, requireDType, requireSameShape, size, sizeBetween } from './shape.js';

/** Rows N = dims[0] (1 for a 0-d tensor) and columns D = product of the remaining dims. */
function rowsCols(shape: readonly number[]): { rows: number; cols: number } {
  return { rows: shape.length ? shape[0]! : 1, cols: sizeBetween(shape, 1) };
}

export const SquaredL2Distance = defineOp({
  type: 'SquaredL2Distance',
  doc: 'Z[i] = 0.5 · Σ_j (X[i,j] − Y[i,j])² over each row i = dims[0] (a 1-d input gives one value per element); Z has shape [N].',
  inputs: ['X', 'Y'],
  outputs: ['Z'],
  args: {},
  inferShape(ctx) {
    const [x, y] = ctx.inputs as [TensorInfo, TensorInfo];
    requireDType(ctx, ctx.op.input[0]!, x, 'float32');
    requireDType(ctx, ctx.op.input[1]!, y, 'float32');
    requireSameShape(ctx, ctx.op.input[0]!, x, ctx.op.input[1]!, y);
    return [{ shape: [rowsCols(x.shape).rows], dtype: 'float32' }];
  },
  kernels(ctx) {
    const { rows, cols } = rowsCols(ctx.inputs[0]!.shape);
    return [{ shader: 'squared_l2_distance.wgsl', uniforms: { rows, cols }, workgroups: linearWorkgroups(rows) }];
  },
  fusable(ctx) {
    const { rows, cols } = rowsCols(ctx.inputs[0]!.shape);
    const body = [
      'var s = 0.0;',
      `for (var j = 0u; j < ${cols}u; j++) {`,
      `  let d = ldf(in0 + i * ${cols}u + j) - ldf(in1 + i * ${cols}u + j);`,
      '  s += d * d;',
      '}',
      'stf(out0 + i, 0.5 * s);',
    ].join('\n');
    return [{ class: 'rowmap', items: rows, cost: cols, pointwise: true, body }];
  },
  gradient: (g) => ({
    ops: [g.op('SquaredL2DistanceGradient', [g.I(0), g.I(1), g.GO(0)!], [g.GI(0), g.GI(1)])],
    inputGrads: [g.GI(0), g.GI(1)],
  }),
  reference([x, y]) {
    const { rows, cols } = rowsCols(x!.shape);
    const z = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) {
        const d = x!.data[i * cols + j]! - y!.data[i * cols + j]!;
        s += d * d;
      }
      z[i] = 0.5 * s;
    }
    return [{ shape: [rows], data: z }];
  },
});

export const SquaredL2DistanceGradient = defineOp({
  type: 'SquaredL2DistanceGradient',
  doc: 'dX[i,:] = (X[i,:] − Y[i,:]) · dZ[i] and dY = −dX, for dZ of shape [N].',
  inputs: ['X', 'Y', 'dZ'],
  outputs: ['dX', 'dY'],
  args: {},
  inferShape(ctx) {
    const [x, y, dz] = ctx.inputs as [TensorInfo, TensorInfo, TensorInfo];
    const [xn, yn, dzn] = ctx.op.input as [string, string, string];
    requireDType(ctx, xn, x, 'float32');
    requireDType(ctx, yn, y, 'float32');
    requireDType(ctx, dzn, dz, 'float32');
    requireSameShape(ctx, xn, x, yn, y);
    const { rows } = rowsCols(x.shape);
    if (dz.shape.length !== 1 || dz.shape[0] !== rows) {
      ctx.shapeError(`input ${dzn} has shape ${fmtShape(dz.shape)}, but ${xn} has shape ${fmtShape(x.shape)} (expected ${dzn} of shape [${rows}])`);
    }
    return [
      { shape: x.shape, dtype: 'float32' },
      { shape: x.shape, dtype: 'float32' },
    ];
  },
  kernels(ctx) {
    const shape = ctx.inputs[0]!.shape;
    const n = size(shape);
    return [{ shader: 'squared_l2_distance_grad.wgsl', uniforms: { n, cols: rowsCols(shape).cols }, workgroups: linearWorkgroups(n) }];
  },
  fusable(ctx) {
    const shape = ctx.inputs[0]!.shape;
    const body = `let g = (ldf(in0 + i) - ldf(in1 + i)) * ldf(in2 + i / ${rowsCols(shape).cols}u);\nstf(out0 + i, g);\nstf(out1 + i, -g);`;
    return [{ class: 'map', items: size(shape), pointwise: true, body }];
  },
  noGradient: 'second derivatives are not supported',
  reference([x, y, dz]) {
    const { cols } = rowsCols(x!.shape);
    const dx = new Float64Array(x!.data.length);
    for (let i = 0; i < dx.length; i++) dx[i] = (x!.data[i]! - y!.data[i]!) * dz!.data[Math.floor(i / cols)]!;
    const out = (data: Float64Array): HostTensor => ({ shape: [...x!.shape], data });
    return [out(dx), out(dx.map((v) => -v))];
  },
});
