/**
 * MaxPool and AveragePool (1-D and 2-D, NCHW or NHWC, explicit pads, global_pooling,
 * count_include_pad) and their gradients MaxPoolGradient / AveragePoolGradient [X, Y, dY] -> dX.
 */
import { fmtShape } from '../core/errors.js';
import { arg } from './args.js';
import { layoutIndex, referenceErrors, resolveWindow, windowArgs, windowConstants, windowOutputShape, type Window } from './conv_geometry.js';
import { defineOp, type HostTensor, type KernelCall, type OpContext, type TensorInfo } from './registry.js';
import { linearWorkgroups, requireDType, size } from './shape.js';

const maxPoolArgs = { ...windowArgs, global_pooling: arg.bool(0) };
const averagePoolArgs = { ...maxPoolArgs, count_include_pad: arg.bool(0) };

type PoolContext = OpContext<typeof maxPoolArgs> | OpContext<typeof averagePoolArgs>;
type PoolArgs = PoolContext['args'];

/** Checks X (input 0) and resolves the pooling window. */
function poolWindow(ctx: PoolContext): Window {
  ctx.inputs.forEach((t, i) => requireDType(ctx, ctx.op.input[i]!, t, 'float32'));
  return resolveWindow(ctx, ctx.args, ctx.inputs[0]!.shape, ctx.op.input[0]!, true);
}

/** The ConvGeom storage struct of shaders/conv_geom.wgsl (a pool keeps its channels: m = c). */
function geomBinding(g: Window): { constant: Int32Array<ArrayBuffer> } {
  return { constant: Int32Array.from([g.n, g.c, g.h, g.w, g.c, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, 1, 1, g.c, g.c, 1]) };
}

/**
 * Window positions above which a workgroup's threads share one output (a global pool of a large
 * image, pool.wgsl); up to it one thread walks each window (pool_direct.wgsl).
 */
const SHARED_WINDOW = 64;

/** Pipeline constants of the pool kernels. */
function poolOverrides(g: Window, max: boolean, args: PoolArgs): Record<string, number> {
  const includePad = 'count_include_pad' in args && args.count_include_pad === 1;
  return { NHWC: g.nhwc ? 1 : 0, MAX: max ? 1 : 0, COUNT_INCLUDE_PAD: includePad ? 1 : 0 };
}

function forwardCalls(ctx: PoolContext, max: boolean): KernelCall[] {
  const g = poolWindow(ctx);
  const outputs = g.n * g.c * g.oh * g.ow;
  if (outputs === 0) return [];
  const window = g.kh * g.kw;
  if (window <= SHARED_WINDOW) {
    return [
      {
        shader: 'pool_direct.wgsl',
        uniforms: { outputs },
        overrides: { ...windowConstants(g, g.c), ...poolOverrides(g, max, ctx.args) },
        workgroups: linearWorkgroups(outputs, 64),
      },
    ];
  }
  const lanes = window > 4 * SHARED_WINDOW ? 256 : 64;
  return [
    {
      shader: 'pool.wgsl',
      bindings: { geom: geomBinding(g) },
      uniforms: { outputs, lanes },
      overrides: poolOverrides(g, max, ctx.args),
      workgroups: linearWorkgroups(outputs * lanes),
    },
  ];
}

/** Whether the windows cover every input exactly once (stride = kernel, no padding, no leftover rows or columns). */
function tilesInput(g: Window): boolean {
  const unpadded = g.pt + g.pl + g.pb + g.pr === 0;
  return unpadded && g.dh === 1 && g.dw === 1 && g.sh === g.kh && g.sw === g.kw && g.h === g.oh * g.kh && g.w === g.ow * g.kw;
}

function gradientCalls(ctx: PoolContext, max: boolean): KernelCall[] {
  const g = poolWindow(ctx);
  const inputs = size(ctx.inputs[0]!.shape);
  if (inputs === 0) return [];
  if (tilesInput(g)) {
    const outputs = g.n * g.c * g.oh * g.ow;
    return [
      {
        shader: 'pool_grad_tiled.wgsl',
        bindings: { X: { input: 0 }, Y: { input: 1 }, dY: { input: 2 }, dX: { output: 0 } },
        uniforms: { outputs },
        overrides: { ...windowConstants(g, g.c), MAX: max ? 1 : 0 },
        workgroups: linearWorkgroups(outputs, 64),
      },
    ];
  }
  return [
    {
      shader: 'pool_grad.wgsl',
      bindings: { X: { input: 0 }, Y: { input: 1 }, dY: { input: 2 }, dX: { output: 0 } },
      uniforms: { inputs },
      overrides: { ...windowConstants(g, g.c), ...poolOverrides(g, max, ctx.args) },
      workgroups: linearWorkgroups(inputs, 64),
    },
  ];
}

/** The pool gradient's shape rule: Y and dY must both have the forward output's shape. */
function gradientShape(ctx: PoolContext): TensorInfo[] {
  const g = poolWindow(ctx);
  const want = windowOutputShape(g, g.c);
  for (const k of [1, 2]) {
    const t = ctx.inputs[k]!;
    if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
      ctx.shapeError(`input ${ctx.op.input[k]} has shape ${fmtShape(t.shape)}, but pooling ${ctx.op.input[0]} ${fmtShape(ctx.inputs[0]!.shape)} gives ${fmtShape(want)}`);
    }
  }
  return [{ shape: ctx.inputs[0]!.shape, dtype: 'float32' }];
}

/**
 * Visits every output of a pool with its flat index and the flat indices of its window's in-image
 * inputs, plus the divisor an average uses: the pooling loop the references share.
 */
function forEachWindow(g: Window, includePad: boolean, visit: (o: number, window: number[], count: number) => void): void {
  for (let n = 0; n < g.n; n++) {
    for (let c = 0; c < g.c; c++) {
      for (let oy = 0; oy < g.oh; oy++) {
        for (let ox = 0; ox < g.ow; ox++) {
          const window: number[] = [];
          for (let y = Math.max(0, oy * g.sh - g.pt); y < Math.min(g.h, oy * g.sh - g.pt + g.kh); y++) {
            for (let x = Math.max(0, ox * g.sw - g.pl); x < Math.min(g.w, ox * g.sw - g.pl + g.kw); x++) {
              window.push(layoutIndex(g.nhwc, g.c, g.h, g.w, n, c, y, x));
            }
          }
          visit(layoutIndex(g.nhwc, g.c, g.oh, g.ow, n, c, oy, ox), window, includePad ? g.kh * g.kw : window.length);
        }
      }
    }
  }
}

function hostWindow(x: HostTensor, args: PoolArgs): Window {
  return resolveWindow(referenceErrors, args, x.shape, 'X', true);
}

function includePadOf(args: PoolArgs): boolean {
  return 'count_include_pad' in args && args.count_include_pad === 1;
}

/** Forward reference: max or mean of each window. */
function poolReference(x: HostTensor, args: PoolArgs, max: boolean): HostTensor {
  const g = hostWindow(x, args);
  const shape = windowOutputShape(g, g.c);
  const y = new Float64Array(size(shape));
  forEachWindow(g, includePadOf(args), (o, window, count) => {
    const values = window.map((i) => x.data[i]!);
    y[o] = max ? Math.max(...values) : values.reduce((a, b) => a + b, 0) / count;
  });
  return { shape, data: y };
}

/** Gradient reference: dY to every window maximum, or dY / count to every window position. */
function poolGradReference(x: HostTensor, y: HostTensor, dy: HostTensor, args: PoolArgs, max: boolean): HostTensor {
  const g = hostWindow(x, args);
  const dx = new Float64Array(x.data.length);
  forEachWindow(g, includePadOf(args), (o, window, count) => {
    for (const i of window) {
      if (!max) dx[i]! += dy.data[o]! / count;
      else if (Math.fround(x.data[i]!) === Math.fround(y.data[o]!)) dx[i]! += dy.data[o]!;
    }
  });
  return { shape: [...x.shape], data: dx };
}

const forward = {
  inputs: ['X'],
  outputs: ['Y'],
  inferShape(ctx: PoolContext): TensorInfo[] {
    const g = poolWindow(ctx);
    return [{ shape: windowOutputShape(g, g.c), dtype: 'float32' }];
  },
} as const;

const backward = {
  inputs: ['X', 'Y', 'dY'],
  outputs: ['dX'],
  inferShape: gradientShape,
  noGradient: 'second derivatives of pooling are not needed for training',
} as const;

export const MaxPool = defineOp({
  type: 'MaxPool',
  doc: 'Max over each window of X (1-D or 2-D, NCHW or NHWC, kernel/stride/pads, global_pooling); padding never wins.',
  ...forward,
  args: maxPoolArgs,
  kernels: (ctx) => forwardCalls(ctx, true),
  gradient: (g) => ({ ops: [g.op('MaxPoolGradient', [g.I(0), g.O(0), g.GO(0)!], [g.GI(0)])], inputGrads: [g.GI(0)] }),
  reference: ([x], args) => [poolReference(x!, args, true)],
});

export const AveragePool = defineOp({
  type: 'AveragePool',
  doc: 'Mean over each window of X, dividing by the in-image count (or kh*kw with count_include_pad=1); same window arguments as MaxPool.',
  ...forward,
  args: averagePoolArgs,
  kernels: (ctx) => forwardCalls(ctx, false),
  gradient: (g) => ({ ops: [g.op('AveragePoolGradient', [g.I(0), g.O(0), g.GO(0)!], [g.GI(0)])], inputGrads: [g.GI(0)] }),
  reference: ([x], args) => [poolReference(x!, args, false)],
});

export const MaxPoolGradient = defineOp({
  type: 'MaxPoolGradient',
  doc: 'Gradient of MaxPool from X, Y and dY: each window\'s dY goes to every input equal to its max (ties all receive it).',
  ...backward,
  args: maxPoolArgs,
  kernels: (ctx) => gradientCalls(ctx, true),
  reference: ([x, y, dy], args) => [poolGradReference(x!, y!, dy!, args, true)],
});

export const AveragePoolGradient = defineOp({
  type: 'AveragePoolGradient',
  doc: 'Gradient of AveragePool from X, Y and dY: each window position receives dY / count, count as in the forward pass.',
  ...backward,
  args: averagePoolArgs,
  kernels: (ctx) => gradientCalls(ctx, false),
  reference: ([x, y, dy], args) => [poolGradReference(x!, y!, dy!, args, false)],
});
