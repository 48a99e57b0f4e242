/**
 * Iter, AtomicIter and CreateMutex: the training iteration counter, incremented in place by a GPU
 * kernel so that RunNet(name, n) counts n iterations without any upload or readback.
 */
import { INT32_MAX } from '../core/dtype.js';
import { fmtShape } from '../core/errors.js';
import type { ArgSchema } from './args.js';
import { defineOp, type FusedStage, type KernelCall, type OpContext, type TensorInfo } from './registry.js';
import { size } from './shape.js';

/** Checks the counter input (int32, one element, in place) and returns its info unchanged. */
function checkCounter(ctx: OpContext<ArgSchema>, k: number): TensorInfo {
  const name = ctx.op.input[k]!;
  const t = ctx.inputs[k]!;
  if (t.dtype !== 'int32') {
    ctx.dtypeError(`input ${name} has dtype ${t.dtype}, expected int32 (an INT32 or INT64 counter, e.g. ConstantFill with dtype INT32)`);
  }
  if (size(t.shape) !== 1) ctx.shapeError(`input ${name} has shape ${fmtShape(t.shape)}, expected a counter of one element (e.g. [1])`);
  if (ctx.op.output[0] !== name) {
    ctx.argError(`must run in place: output "${ctx.op.output[0]}" is not the counter "${name}" (write ${ctx.op.type} with output ${name})`);
  }
  const v = t.hostValues?.[0];
  if (v !== undefined && v < 0) ctx.argError(`the counter ${name} is negative (${v}); iterations count up from 0`);
  if (v === INT32_MAX) ctx.argError(`incrementing the counter ${name} (${v}) would overflow int32`);
  return { shape: t.shape, dtype: 'int32' };
}

const incrementKernel = (counter: number): KernelCall[] => [
  { shader: 'iter.wgsl', bindings: { ITER: { input: counter } }, workgroups: [1] },
];

/** iter.wgsl as a fusable scalar: saturating increment of input `counter` in place. */
const incrementFused = (counter: number): FusedStage[] => [
  { class: 'scalar', body: `let v = ldi(in${counter});\nif (v >= 0 && v < 2147483647) {\n  sti(out0, v + 1);\n}` },
];

const counterDoc =
  ' The counter is int32 on the GPU (INT64 counters are stored as int32); it saturates at 2^31-1 rather than wrap.';

export const Iter = defineOp({
  type: 'Iter',
  doc: 'Adds 1 to the iteration counter, in place (Iter(ITER, ITER)); placed before LearningRate, the first run sees 1.' + counterDoc,
  inputs: ['iter'],
  inputCount: [0, 1],
  outputs: ['iter'],
  args: {},
  inPlace: [[0, 0]],
  noGradient: 'a counter has no gradient',
  inferShape(ctx) {
    if (ctx.inputs.length === 0) {
      ctx.argError(
        `needs its counter as input: the 0-input form is deprecated in Caffe2 and not supported here. Create the counter first, ` +
          `e.g. ConstantFill([], "${ctx.op.output[0]}", { shape: [1], value: 0, dtype: INT32 }), then Iter("${ctx.op.output[0]}", "${ctx.op.output[0]}")`,
      );
    }
    return [checkCounter(ctx, 0)];
  },
  kernels: () => incrementKernel(0),
  fusable: () => incrementFused(0),
  reference: ([it]) => [{ shape: [...it!.shape], data: it!.data.map((v) => (v >= 0 && v < INT32_MAX ? v + 1 : v)), dtype: 'int32' }],
});

export const AtomicIter = defineOp({
  type: 'AtomicIter',
  doc:
    'Iter under a mutex: AtomicIter([mutex, ITER], ITER). Dispatches in one WebGPU queue run in order, so no two increments ' +
    'can race and the mutex (from CreateMutex) is nominal.' +
    counterDoc,
  inputs: ['mutex', 'iter'],
  outputs: ['iter'],
  args: {},
  inPlace: [[1, 0]],
  noGradient: 'a counter has no gradient',
  inferShape(ctx) {
    const m = ctx.inputs[0]!;
    if (m.dtype !== 'int32' || size(m.shape) !== 1) {
      ctx.dtypeError(`input ${ctx.op.input[0]} is ${m.dtype} ${fmtShape(m.shape)}, expected a mutex made by CreateMutex (int32 [1])`);
    }
    return [checkCounter(ctx, 1)];
  },
  kernels: () => incrementKernel(1),
  fusable: () => incrementFused(1),
  reference: ([, it]) => [{ shape: [...it!.shape], data: it!.data.map((v) => (v >= 0 && v < INT32_MAX ? v + 1 : v)), dtype: 'int32' }],
});

export const CreateMutex = defineOp({
  type: 'CreateMutex',
  doc:
    'Creates the mutex AtomicIter takes, as an int32 [1] blob holding 0. WebGPU runs the dispatches of one queue in order, ' +
    'so the GPU never needs a lock: the blob only keeps Caffe2 nets valid.',
  inputs: [],
  outputs: ['mutex'],
  args: {},
  noGradient: 'a mutex has no gradient',
  inferShape: () => [{ shape: [1], dtype: 'int32' }],
  kernels: () => [{ shader: 'fill_constant.wgsl', bindings: { Y: { output: 0 } }, uniforms: { n: 1, bits: 0 }, workgroups: [1] }],
  reference: () => [{ shape: [1], data: new Float64Array(1), dtype: 'int32' }],
});
