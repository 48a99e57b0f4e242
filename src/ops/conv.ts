/**
 * Conv (1-D and 2-D, NCHW or NHWC, groups, dilation, explicit pads) and ConvGradient. The forward
 * pass runs register-blocked, one thread per block of output pixels x filters
 * (kernels/conv_direct.wgsl, geometry compiled in). ConvGradient's kernels are planned in
 * conv_backward.ts.
 */
import { fmtShape } from '../core/errors.js';
import { arg } from './args.js';
import { layoutIndex, referenceErrors, resolveWindow, windowArgs, windowConstants, windowOutputShape, type Window } from './conv_geometry.js';
import { convGradientCalls } from './conv_backward.js';
import { defineOp, type HostTensor, type KernelCall, type OpContext, type TensorInfo } from './registry.js';
import { ceilDiv, linearWorkgroups, requireDType, size } from './shape.js';

const convArgs = {
  ...windowArgs,
  group: arg.int(1),
  /** Set by the gradient maker of a 2-input Conv: ConvGradient then has no db output. */
  no_bias: arg.bool(0),
  /** Accepted so Caffe2 nets that set it load; this runtime always computes in fp32. */
  float16_compute: arg.bool(0),
  /** Read by Conv's gradient maker: no X_grad output (e.g. a first layer over images). */
  no_gradient_to_input: arg.bool(0),
};

type ConvContext = OpContext<typeof convArgs>;

/** A Conv's window plus its channel split: M filters, `groups` groups of cg inputs and mg outputs. */
export interface ConvDims {
  win: Window;
  m: number;
  groups: number;
  cg: number;
  mg: number;
  /** Taps per filter: cg * kh * kw. */
  taps: number;
  yShape: number[];
}

/** The filter shape a Conv expects: [M, C/group, k…] for NCHW, [M, k…, C/group] for NHWC. */
function filterShape(win: Window, m: number, cg: number): number[] {
  const k = win.rank === 1 ? [win.kw] : [win.kh, win.kw];
  return win.nhwc ? [m, ...k, cg] : [m, cg, ...k];
}

/** Checks X and W of a Conv or ConvGradient and resolves its geometry. */
function convDims(ctx: ConvContext): ConvDims {
  const [x, w] = ctx.inputs as [TensorInfo, TensorInfo];
  const [xName, wName] = ctx.op.input as [string, string];
  ctx.inputs.forEach((t, i) => requireDType(ctx, ctx.op.input[i]!, t, 'float32'));
  const groups = ctx.args.group;
  if (groups < 1) ctx.argError(`group must be at least 1, got ${groups}`);
  const win = resolveWindow(ctx, ctx.args, x.shape, xName, false);
  if (w.shape.length !== x.shape.length) {
    ctx.shapeError(`input ${wName} has shape ${fmtShape(w.shape)}, but ${xName} has shape ${fmtShape(x.shape)} (expected a ${x.shape.length}-d filter)`);
  }
  const m = w.shape[0]!;
  if (win.c === 0 || m === 0) ctx.shapeError(`${xName} has ${win.c} channels and ${wName} ${m} filters; both must be non-zero`);
  if (win.c % groups !== 0) ctx.shapeError(`input ${xName} has ${win.c} channels, which group=${groups} does not divide`);
  if (m % groups !== 0) ctx.shapeError(`input ${wName} has ${m} filters (dim 0), which group=${groups} does not divide`);
  const cg = win.c / groups;
  const want = filterShape(win, m, cg);
  if (want.some((d, i) => d !== w.shape[i])) {
    ctx.shapeError(
      `input ${wName} has shape ${fmtShape(w.shape)}, but ${xName} ${fmtShape(x.shape)} with group=${groups} and kernel ` +
        `${fmtShape(win.rank === 1 ? [win.kw] : [win.kh, win.kw])} needs ${fmtShape(want)} (${ctx.args.order}: M, ` +
        `${win.nhwc ? 'kernel…, C/group' : 'C/group, kernel…'})`,
    );
  }
  return { win, m, groups, cg, mg: m / groups, taps: cg * win.kh * win.kw, yShape: windowOutputShape(win, m) };
}

/** The ConvGeom storage struct of shaders/conv_geom.wgsl, in its member order. */
export function geomBinding(d: ConvDims, parts = 1): { constant: Int32Array<ArrayBuffer> } {
  const g = d.win;
  return { constant: Int32Array.from([g.n, g.c, g.h, g.w, d.m, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.dh, g.dw, d.cg, d.mg, parts]) };
}

/** Output positions of one image and channel. */
export function outPixels(d: ConvDims): number {
  return d.win.oh * d.win.ow;
}

/**
 * A GEMM grid of fewer 64x64 tiles than this cannot fill a GPU, and on a software adapter its
 * barriers dominate: below it the conv kernels run one thread per output element instead.
 */
export const MIN_GEMM_TILES = 16;
/** 64x64 output tiles of a rows x cols GEMM per group, over all groups. */
export function gemmTiles(rows: number, cols: number, groups: number): number {
  return ceilDiv(rows, 64) * ceilDiv(cols, 64) * groups;
}

/** A one-thread-per-element dispatch of a *_direct.wgsl conv kernel over `total` outputs. */
export function directCall(shader: string, total: number, bindings: KernelCall['bindings'], overrides: Record<string, number>): KernelCall {
  return { shader, bindings, uniforms: { total }, overrides, workgroups: linearWorkgroups(total, 64) };
}

/** The window of host tensors for the references (the planner has checked the arguments). */
function hostDims(x: HostTensor, w: HostTensor, args: ConvContext['args']): ConvDims {
  const win = resolveWindow(referenceErrors, args, x.shape, 'X', false);
  const m = w.shape[0]!;
  const cg = win.c / args.group;
  return { win, m, groups: args.group, cg, mg: m / args.group, taps: cg * win.kh * win.kw, yShape: windowOutputShape(win, m) };
}

/**
 * Visits every (image, filter, output pixel, tap) of a Conv whose input position lies inside X,
 * with the flat indices of X, W and Y: the one loop the forward and gradient references share.
 */
function forEachTap(d: ConvDims, visit: (xi: number, wi: number, yi: number) => void): void {
  const g = d.win;
  for (let n = 0; n < g.n; n++) {
    for (let m = 0; m < d.m; m++) {
      const grp = Math.floor(m / d.mg);
      for (let oy = 0; oy < g.oh; oy++) {
        for (let ox = 0; ox < g.ow; ox++) {
          const yi = layoutIndex(g.nhwc, d.m, g.oh, g.ow, n, m, oy, ox);
          for (let c = 0; c < d.cg; c++) {
            for (let ky = 0; ky < g.kh; ky++) {
              const y = oy * g.sh - g.pt + ky * g.dh;
              if (y < 0 || y >= g.h) continue;
              for (let kx = 0; kx < g.kw; kx++) {
                const x = ox * g.sw - g.pl + kx * g.dw;
                if (x < 0 || x >= g.w) continue;
                const wi = g.nhwc ? ((m * g.kh + ky) * g.kw + kx) * d.cg + c : ((m * d.cg + c) * g.kh + ky) * g.kw + kx;
                visit(layoutIndex(g.nhwc, g.c, g.h, g.w, n, grp * d.cg + c, y, x), wi, yi);
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Conv's forward pass on conv_direct.wgsl: one thread per block of up to 8 output pixels (of one
 * image) x 8 filters (of one group), blocks shrunk where the image or the group is smaller. NCHW
 * rows of 8 or more outputs at unit stride and dilation along x take blocks of 8 neighbours of one
 * row, whose inputs slide through registers (SLIDE: ~15-35 % faster again at LeNet's and a 3x3
 * ResNet layer's shapes). On
 * SwiftShader, where every storage read with a computed index is a per-lane gather and a barrier
 * costs tens of µs, this register block beat the implicit GEMM on the 64x64 and 128x128 tiles at
 * every shape measured (LeNet's layers 1.4-20x, a 3x3 64->64 layer on 28x28 ~1.2x), above all
 * where few filters left most of a GEMM tile idle.
 */
function directForwardCall(d: ConvDims, hasBias: boolean): KernelCall {
  const pixels = outPixels(d);
  const px = pixels >= 8 ? 8 : pixels >= 4 ? 4 : pixels >= 2 ? 2 : 1;
  const fq = d.mg > 4 ? 2 : 1;
  const fBlocks = ceilDiv(d.mg, 4 * fq);
  // Rows of at least 8 outputs at unit stride and dilation along x (NCHW): sliding blocks.
  const slide = !d.win.nhwc && d.win.sw === 1 && d.win.dw === 1 && d.win.ow >= 8;
  const xBlocks = ceilDiv(d.win.ow, 8);
  const slab = slide ? d.win.oh * xBlocks : ceilDiv(pixels, px);
  const threads = d.win.n * d.groups * fBlocks * slab;
  return {
    shader: 'conv_direct.wgsl',
    ...(!hasBias && { bindings: { b: { scratch: 'no_bias', bytes: 4 } } }),
    uniforms: { total: threads },
    overrides: {
      ...windowConstants(d.win, d.m),
      HAS_BIAS: hasBias ? 1 : 0,
      CG: d.cg,
      MG: d.mg,
      GROUPS: d.groups,
      F_BLOCKS: fBlocks,
      PX: px,
      FQ: fq,
      SLAB: slab,
      SLIDE: slide ? 1 : 0,
      X_BLOCKS: xBlocks,
    },
    workgroups: linearWorkgroups(threads, 64),
  };
}

export const Conv = defineOp({
  type: 'Conv',
  doc:
    'Convolution (cross-correlation) of X with filters W plus optional bias b: 1-D or 2-D, order NCHW (W [M,C/group,k…]) or ' +
    'NHWC (W [M,k…,C/group]), with kernel/stride/pad/dilation in Caffe2\'s spellings and group.',
  inputs: ['X', 'W', 'b'],
  inputCount: [2, 3],
  outputs: ['Y'],
  args: convArgs,
  inferShape(ctx) {
    const d = convDims(ctx);
    if (ctx.inputs.length === 3) {
      const [bName, b] = [ctx.op.input[2]!, ctx.inputs[2]!];
      if (b.shape.length !== 1 || b.shape[0] !== d.m) {
        ctx.shapeError(`input ${bName} has shape ${fmtShape(b.shape)}, but ${ctx.op.input[1]} holds ${d.m} filters (expected ${bName} of shape [${d.m}])`);
      }
    }
    return [{ shape: d.yShape, dtype: 'float32' }];
  },
  kernels(ctx) {
    const d = convDims(ctx);
    if (d.win.n * outPixels(d) === 0) return [];
    const hasBias = ctx.inputs.length === 3;
    return [directForwardCall(d, hasBias)];
  },
  gradient: (g) => {
    // As Caffe2's GetConvGradient: dX is left out (no output, no work) when the Conv asks for it.
    const dX = g.def.arg.some((a) => a.name === 'no_gradient_to_input' && a.i === 1) ? [] : [g.GI(0)];
    const xGrad = dX[0] ?? null;
    if (g.def.input.length === 3) {
      return { ops: [g.op('ConvGradient', [g.I(0), g.I(1), g.GO(0)!], [g.GI(1), g.GI(2), ...dX])], inputGrads: [xGrad, g.GI(1), g.GI(2)] };
    }
    return {
      ops: [g.op('ConvGradient', [g.I(0), g.I(1), g.GO(0)!], [g.GI(1), ...dX], [{ name: 'no_bias', i: 1 }])],
      inputGrads: [xGrad, g.GI(1)],
    };
  },
  reference([x, w, b], args) {
    const d = hostDims(x!, w!, args);
    const y = new Float64Array(size(d.yShape));
    forEachTap(d, (xi, wi, yi) => {
      y[yi]! += x!.data[xi]! * w!.data[wi]!;
    });
    if (b) {
      for (let i = 0; i < y.length; i++) {
        const m = d.win.nhwc ? i % d.m : Math.floor(i / outPixels(d)) % d.m;
        y[i]! += b.data[m]!;
      }
    }
    return [{ shape: d.yShape, data: y }];
  },
});

export const ConvGradient = defineOp({
  type: 'ConvGradient',
  doc: 'Gradients of Conv from X, W and dY: outputs [dW, db, dX], or [dW, dX] with no_bias=1; dX is computed only when its output is named.',
  inputs: ['X', 'W', 'dY'],
  outputs: ['dW', 'db', 'dX'],
  outputCount: [1, 3],
  args: convArgs,
  noGradient: 'second derivatives of Conv are not needed for training',
  inferShape(ctx) {
    const d = convDims(ctx);
    const noBias = ctx.args.no_bias === 1;
    const count = ctx.op.output.length;
    if (noBias ? count > 2 : count < 2) {
      ctx.argError(`has ${count} outputs; expected ${noBias ? '[dW] or [dW, dX] with no_bias=1' : '[dW, db] or [dW, db, dX] (set no_bias=1 for a 2-input Conv)'}`);
    }
    const [dyName, dy] = [ctx.op.input[2]!, ctx.inputs[2]!];
    if (dy.shape.length !== d.yShape.length || dy.shape.some((v, i) => v !== d.yShape[i])) {
      ctx.shapeError(`input ${dyName} has shape ${fmtShape(dy.shape)}, but Conv of ${ctx.op.input[0]} and ${ctx.op.input[1]} gives Y of shape ${fmtShape(d.yShape)}`);
    }
    const [x, w] = ctx.inputs as [TensorInfo, TensorInfo];
    const dW: TensorInfo = { shape: w.shape, dtype: 'float32' };
    const dX: TensorInfo = { shape: x.shape, dtype: 'float32' };
    const outs = noBias ? [dW, dX] : [dW, { shape: [d.m], dtype: 'float32' as const }, dX];
    return outs.slice(0, count);
  },
  kernels(ctx) {
    const noBias = ctx.args.no_bias === 1;
    return convGradientCalls(convDims(ctx), noBias, ctx.op.output.length > (noBias ? 1 : 2), ctx.args.ws_nbytes_limit);
  },
  reference([x, w, dy], args) {
    const d = hostDims(x!, w!, args);
    const dW = new Float64Array(w!.data.length);
    const dX = new Float64Array(x!.data.length);
    const db = new Float64Array(d.m);
    forEachTap(d, (xi, wi, yi) => {
      dW[wi]! += dy!.data[yi]! * x!.data[xi]!;
      dX[xi]! += dy!.data[yi]! * w!.data[wi]!;
    });
    for (let i = 0; i < dy!.data.length; i++) {
      const m = d.win.nhwc ? i % d.m : Math.floor(i / outPixels(d)) % d.m;
      db[m]! += dy!.data[i]!;
    }
    const wT = { shape: [...w!.shape], data: dW };
    const xT = { shape: [...x!.shape], data: dX };
    return args.no_bias === 1 ? [wT, xT] : [wT, { shape: [d.m], data: db }, xT];
  },
});
