/**
 * Random fills: UniformFill, UniformIntFill, GaussianFill, XavierFill, MSRAFill. Numbers come from
 * Philox-4x32-10 on the GPU keyed by the workspace seed, with the op's index in its net as the
 * stream and the run counter as the rest of the counter, so element i of a fill depends only on
 * (seed, op index, run, i) and RunNet(name, n) needs no host work per iteration.
 */
import { INT32_MAX, INT32_MIN } from '../core/dtype.js';
import { fmtShape } from '../core/errors.js';
import { arg, type ArgSchema } from './args.js';
import { fillShape, fillShapeArgs, valueBits } from './fill_common.js';
import { defineOp, f32Lit, type FusedStage, type KernelCall, type OpContext } from './registry.js';
import { ceilDiv, linearWorkgroups, size } from './shape.js';

/** Threads per workgroup of the random kernels (each thread runs one Philox block). */
const WG = 64;

const common = {
  inputs: ['input'],
  inputCount: [0, 1],
  outputs: ['Y'],
  inPlace: [[0, 0]],
  random: true,
  runOnce: true,
  noGradient: 'random fills do not depend on their input\'s values',
} as const;

/** The largest float32 below a float32 value: keeps a rounded `min + span * u` inside [min, max). */
function float32Below(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  if (x === 0) u[0] = 0x80000001;
  else if (x > 0) u[0]! -= 1;
  else u[0]! += 1;
  return f[0]!;
}

/** A uniform_fill.wgsl dispatch: float32 uniform in [min, max) (bounds already checked). */
function uniformCall<S extends ArgSchema>(ctx: OpContext<S>, n: number, min: number, max: number): KernelCall[] {
  if (n === 0) return [];
  const lo = Math.fround(min);
  const hi = Math.fround(max);
  return [
    {
      shader: 'uniform_fill.wgsl',
      bindings: { rng: { rng: true }, Y: { output: 0 } },
      uniforms: { n, stream: ctx.index, lo, span: Math.fround(hi - lo), top: float32Below(hi) },
      workgroups: linearWorkgroups(ceilDiv(n, 4), WG),
    },
  ];
}

/** A gaussian_fill.wgsl dispatch: float32 normal samples with the given mean and std. */
function gaussianCall<S extends ArgSchema>(ctx: OpContext<S>, n: number, mean: number, std: number): KernelCall[] {
  if (n === 0) return [];
  return [
    {
      shader: 'gaussian_fill.wgsl',
      bindings: { rng: { rng: true }, Y: { output: 0 } },
      uniforms: { n, stream: ctx.index, mean, stddev: std },
      workgroups: linearWorkgroups(ceilDiv(n, 4), WG),
    },
  ];
}

/**
 * A random fill as a fusable RNG stage: item i is Philox block i of the op's stream (its index in
 * the net), as in the fill kernels, so the numbers are the same fused or not. `prelude` derives
 * values from the block's words `w`; `value(k)` is element k of the block.
 */
function rngStage(n: number, blockElements: number, stream: number, prelude: string[], value: (k: number) => string): FusedStage[] {
  if (n === 0) return [];
  const puts = Array.from({ length: blockElements }, (_, k) => `if (i0 + ${k}u < ${n}u) {\n  stf(out0 + i0 + ${k}u, ${value(k)});\n}`);
  const body = [
    `let w = philox_block(vec4u(ldu(rng), ldu(rng + 1u), ldu(rng + 2u), ldu(rng + 3u)), ${stream}u, i);`,
    ...prelude,
    `let i0 = i * ${blockElements}u;`,
    ...puts,
  ].join('\n');
  return [{ class: 'rng', items: Math.ceil(n / blockElements), cost: 8, body, includes: ['philox.wgsl'] }];
}

/** uniform_fill.wgsl's values: min(lo + span·u, top). */
function uniformFused<S extends ArgSchema>(ctx: OpContext<S>, n: number, min: number, max: number): FusedStage[] {
  const lo = Math.fround(min);
  const hi = Math.fround(max);
  return rngStage(n, 4, ctx.index, [], (k) => `min(${f32Lit(lo)} + ${f32Lit(Math.fround(hi - lo))} * philox_unit(w[${k}]), ${f32Lit(float32Below(hi))})`);
}

/** gaussian_fill.wgsl's values: Box-Muller on words (x, y) for elements 0, 1 and (z, w) for 2, 3. */
function gaussianFused<S extends ArgSchema>(ctx: OpContext<S>, n: number, mean: number, std: number): FusedStage[] {
  const prelude = ['let z = vec4f(philox_normal2(w.x, w.y), philox_normal2(w.z, w.w));'];
  return rngStage(n, 4, ctx.index, prelude, (k) => `${f32Lit(mean)} + ${f32Lit(std)} * z[${k}]`);
}

/** Checks that [min, max) is a non-empty float32 interval of finite width. */
function checkFloatRange<S extends ArgSchema>(ctx: OpContext<S>, min: number, max: number): void {
  if (!(min < max)) ctx.argError(`min (${min}) must be less than max (${max})`);
  const lo = Math.fround(min);
  const hi = Math.fround(max);
  if (!(lo < hi)) ctx.argError(`min (${min}) and max (${max}) are the same float32 value ${lo}; the range [min, max) would be empty`);
  if (!Number.isFinite(Math.fround(hi - lo))) ctx.argError(`max - min (${max} - ${min}) overflows float32`);
}

/**
 * UniformFill's range from its min and max input blobs (Caffe2's 3-input form): one float32 value
 * each, read when the net is planned (min > max makes the output's first dim 0); re-feeding them
 * makes the net plan again.
 */
function rangeFromInputs(ctx: OpContext<typeof uniformArgs>): { min: number; max: number } {
  for (const [name, given] of [['min', ctx.args.min], ['max', ctx.args.max]] as const) {
    if (given !== undefined) ctx.argError(`${name} is given by input ${ctx.op.input[name === 'min' ? 1 : 2]}; do not pass the ${name} argument as well`);
  }
  const [min, max] = [1, 2].map((k) => {
    const t = ctx.inputs[k]!;
    const name = ctx.op.input[k];
    if (t.dtype !== 'float32' || size(t.shape) !== 1) ctx.shapeError(`input ${name} must hold one float32 value (the ${k === 1 ? 'min' : 'max'}), got ${t.dtype} ${fmtShape(t.shape)}`);
    const values = t.hostValues;
    if (!values) {
      ctx.shapeError(`the value of input ${name} must be known when the net is planned (min > max makes the output empty): feed it with FeedBlob`);
    }
    return values![0]!;
  }) as [number, number];
  return { min, max };
}

const uniformArgs = { ...fillShapeArgs, min: arg.float(), max: arg.float() };

/** The range a UniformFill draws from: its min/max blobs (3 inputs) or arguments (default [0, 1)). */
function uniformRange(ctx: OpContext<typeof uniformArgs>): { min: number; max: number } {
  return ctx.inputs.length === 3 ? rangeFromInputs(ctx) : { min: ctx.args.min ?? 0, max: ctx.args.max ?? 1 };
}

/** A range of one float32 value: Caffe2 then fills that value (only the blob form allows it). */
function singleValue(r: { min: number; max: number }): boolean {
  return Math.fround(r.min) === Math.fround(r.max);
}

export const UniformFill = defineOp({
  type: 'UniformFill',
  doc: 'Fills the output with float32 samples uniform in [min, max); shape from args or input 0; with inputs [shape, min, max] the range comes from one-value blobs, and min > max gives an empty output (first dim 0).',
  ...common,
  inputs: ['input', 'min', 'max'],
  inputCount: [0, 3],
  args: uniformArgs,
  inferShape(ctx) {
    if (ctx.inputs.length === 2) ctx.argError('expected 0, 1 or 3 inputs ([shape], or [shape, min, max]), got 2');
    const shape = fillShape(ctx);
    const range = uniformRange(ctx);
    if (ctx.inputs.length < 3) {
      checkFloatRange(ctx, range.min, range.max);
    } else if (range.min > range.max) {
      // Caffe2: a reversed range from blobs gives an empty tensor, not an error.
      if (shape.length > 0) shape[0] = 0;
    } else if (!singleValue(range)) {
      checkFloatRange(ctx, range.min, range.max);
    }
    return [{ shape, dtype: 'float32' }];
  },
  kernels(ctx, [y]) {
    const n = size(y!.shape);
    const range = uniformRange(ctx);
    if (n > 0 && singleValue(range)) {
      const bits = valueBits(range.min, 'float32');
      return [{ shader: 'fill_constant.wgsl', bindings: { Y: { output: 0 } }, uniforms: { n, bits }, workgroups: linearWorkgroups(n) }];
    }
    return uniformCall(ctx, n, range.min, range.max);
  },
  fusable(ctx, [y]) {
    const range = uniformRange(ctx);
    return singleValue(range) ? null : uniformFused(ctx, size(y!.shape), range.min, range.max);
  },
});

export const UniformIntFill = defineOp({
  type: 'UniformIntFill',
  doc: 'Fills the output with int32 samples uniform in [min, max] (both ends included); shape from args or the input.',
  ...common,
  args: { ...fillShapeArgs, min: arg.int(0), max: arg.int(1) },
  inferShape(ctx) {
    const { min, max } = ctx.args;
    for (const [name, v] of [['min', min], ['max', max]] as const) {
      if (v < INT32_MIN || v > INT32_MAX) ctx.argError(`${name} = ${v} does not fit int32`);
    }
    if (!(min < max)) ctx.argError(`min (${min}) must be less than max (${max})`);
    return [{ shape: fillShape(ctx), dtype: 'int32' }];
  },
  kernels(ctx, [y]) {
    const n = size(y!.shape);
    if (n === 0) return [];
    return [
      {
        shader: 'uniform_int_fill.wgsl',
        bindings: { rng: { rng: true }, Y: { output: 0 } },
        // span_m1 = max - min, i.e. the number of values less one (2^32 values fit no u32).
        uniforms: { n, stream: ctx.index, lo: ctx.args.min, span_m1: ctx.args.max - ctx.args.min },
        workgroups: linearWorkgroups(ceilDiv(n, 2), WG),
      },
    ];
  },
});

export const GaussianFill = defineOp({
  type: 'GaussianFill',
  doc: 'Fills the output with float32 normal samples of the given mean and std; shape from args or the input.',
  ...common,
  args: { ...fillShapeArgs, mean: arg.float(0), std: arg.float(1) },
  inferShape(ctx) {
    if (!(ctx.args.std >= 0) || !Number.isFinite(ctx.args.std)) ctx.argError(`std must be a finite number >= 0, got ${ctx.args.std}`);
    return [{ shape: fillShape(ctx), dtype: 'float32' }];
  },
  kernels(ctx, [y]) {
    return gaussianCall(ctx, size(y!.shape), ctx.args.mean, ctx.args.std);
  },
  fusable: (ctx, [y]) => gaussianFused(ctx, size(y!.shape), ctx.args.mean, ctx.args.std),
});

/** numel / dims[axis], the fan Xavier and MSRA scale by; the output must have that axis. */
function fan<S extends ArgSchema>(ctx: OpContext<S>, shape: readonly number[], axis: number, why: string): number {
  if (shape.length <= axis) {
    ctx.shapeError(`output ${ctx.op.output[0]} has shape ${fmtShape(shape)}, but ${ctx.op.type} needs at least ${axis + 1} dimension${axis ? 's' : ''} (${why})`);
  }
  return size(shape) / shape[axis]!;
}

export const XavierFill = defineOp({
  type: 'XavierFill',
  doc: 'Fills the output uniformly in [-s, s) with s = sqrt(3 / fan_in), fan_in = numel / dims[0].',
  ...common,
  args: { ...fillShapeArgs },
  inferShape(ctx) {
    const shape = fillShape(ctx);
    fan(ctx, shape, 0, 'fan_in = numel / dims[0]');
    return [{ shape, dtype: 'float32' }];
  },
  kernels(ctx, [y]) {
    const n = size(y!.shape);
    if (n === 0) return [];
    const scale = Math.sqrt(3 / fan(ctx, y!.shape, 0, 'fan_in = numel / dims[0]'));
    return uniformCall(ctx, n, -scale, scale);
  },
});

export const MSRAFill = defineOp({
  type: 'MSRAFill',
  doc: 'Fills the output with normal samples of mean 0 and std sqrt(2 / fan_out), fan_out = numel / dims[1].',
  ...common,
  args: { ...fillShapeArgs },
  inferShape(ctx) {
    const shape = fillShape(ctx);
    fan(ctx, shape, 1, 'fan_out = numel / dims[1]');
    return [{ shape, dtype: 'float32' }];
  },
  kernels(ctx, [y]) {
    const n = size(y!.shape);
    if (n === 0) return [];
    return gaussianCall(ctx, n, 0, Math.sqrt(2 / fan(ctx, y!.shape, 1, 'fan_out = numel / dims[1]')));
  },
});
