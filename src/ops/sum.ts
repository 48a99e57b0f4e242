/** Sum: Y = Σ X_i over 1..N inputs of identical shape (float32 or int32); in place only on input 0. */
import { defineOp, type KernelCall, type TensorInfo } from './registry.js';
import { linearWorkgroups, requireSameShape, size, unpackedDType } from './shape.js';

export const Sum = defineOp({
  type: 'Sum',
  doc: 'Y = X_0 + X_1 + … (identical shapes, float32 or int32); the output may be input 0.',
  inputs: ['data_0'],
  inputCount: [1, Infinity],
  outputs: ['sum'],
  args: {},
  inPlace: [[0, 0]],
  inferShape(ctx) {
    const names = ctx.op.input;
    const first = ctx.inputs[0]!;
    unpackedDType(ctx, 0);
    ctx.inputs.forEach((x: TensorInfo, i) => {
      if (x.dtype !== first.dtype) ctx.dtypeError(`input ${names[i]} has dtype ${x.dtype}, but ${names[0]} has dtype ${first.dtype} (expected the same dtype)`);
      requireSameShape(ctx, names[0]!, first, names[i]!, x);
    });
    return [{ shape: first.shape, dtype: first.dtype }];
  },
  kernels(ctx, [y]) {
    const n = size(y!.shape);
    const workgroups = linearWorkgroups(n);
    const calls: KernelCall[] = [];
    // In place the output already holds input 0; otherwise start from a copy of it.
    if (ctx.op.input[0] !== ctx.op.output[0]) {
      calls.push({ shader: 'copy.wgsl', bindings: { X: { input: 0 }, Y: { output: 0 } }, uniforms: { n }, workgroups });
    }
    for (let i = 1; i < ctx.inputs.length; i++) {
      calls.push({
        shader: 'sum_accumulate.wgsl',
        dtype: y!.dtype,
        bindings: { X: { input: i }, Y: { output: 0 } },
        uniforms: { n },
        workgroups,
      });
    }
    return calls;
  },
  fusable(ctx, [y]) {
    // Added in input order from input 0, as the copy + accumulate dispatches do.
    const [ld, st] = y!.dtype === 'int32' ? ['ldi', 'sti'] : ['ldf', 'stf'];
    const terms = ctx.op.input.map((_, k) => `${ld}(in${k} + i)`);
    return [{ class: 'map', items: size(y!.shape), pointwise: true, body: `${st}(out0 + i, ${terms.join(' + ')});` }];
  },
  // Caffe2's maker emits no op: the output gradient is every input's gradient.
  gradient: (g) => ({ ops: [], inputGrads: g.def.input.map(() => g.GO(0)!) }),
  reference(inputs) {
    const data = Float64Array.from(inputs[0]!.data);
    for (const x of inputs.slice(1)) x.data.forEach((v, j) => (data[j] = data[j]! + v));
    const dtype = inputs[0]!.dtype;
    return [{ shape: [...inputs[0]!.shape], data: dtype === 'int32' ? data.map((v) => (v | 0)) : data, ...(dtype ? { dtype } : {}) }];
  },
});
