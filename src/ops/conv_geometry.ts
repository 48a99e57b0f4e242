/**
 * Window geometry shared by Conv and the pooling ops (Caffe2's ConvPoolOpBase): the kernel,
 * stride, pad and dilation arguments in all their spellings, resolved against an input's shape
 * into one 2-D description (a 1-D window is a 2-D one of height 1), plus the output size rule.
 */
import { fmtShape } from '../core/errors.js';
import { arg } from './args.js';

/** Arguments every window op accepts, with Caffe2's names; per-dim lists win over the shorthands. */
export const windowArgs = {
  kernel: arg.int(),
  kernel_h: arg.int(),
  kernel_w: arg.int(),
  kernels: arg.ints(),
  stride: arg.int(),
  stride_h: arg.int(),
  stride_w: arg.int(),
  strides: arg.ints(),
  pad: arg.int(),
  pad_t: arg.int(),
  pad_l: arg.int(),
  pad_b: arg.int(),
  pad_r: arg.int(),
  pads: arg.ints(),
  dilation: arg.int(),
  dilation_h: arg.int(),
  dilation_w: arg.int(),
  dilations: arg.ints(),
  order: arg.string('NCHW'),
  /** Caffe2's LegacyPadding: 0 NOTSET (explicit pads), 1 VALID, 2 SAME, 3 CAFFE_LEGACY_POOLING. */
  legacy_pad: arg.int(0),
  /** Accepted so Caffe2 nets that set them load; they tune CPU/cuDNN buffers we do not have. */
  shared_buffer: arg.int(0),
  exhaustive_search: arg.int(0),
  /** cuDNN's workspace cap in Caffe2; here it caps ConvGradient's column buffer (src/ops/conv_backward.ts). */
  ws_nbytes_limit: arg.int(),
};

/** The decoded values of `windowArgs` (plus global_pooling for the pools). */
export interface WindowArgValues {
  readonly kernel?: number | undefined;
  readonly kernel_h?: number | undefined;
  readonly kernel_w?: number | undefined;
  readonly kernels?: readonly number[] | undefined;
  readonly stride?: number | undefined;
  readonly stride_h?: number | undefined;
  readonly stride_w?: number | undefined;
  readonly strides?: readonly number[] | undefined;
  readonly pad?: number | undefined;
  readonly pad_t?: number | undefined;
  readonly pad_l?: number | undefined;
  readonly pad_b?: number | undefined;
  readonly pad_r?: number | undefined;
  readonly pads?: readonly number[] | undefined;
  readonly dilation?: number | undefined;
  readonly dilation_h?: number | undefined;
  readonly dilation_w?: number | undefined;
  readonly dilations?: readonly number[] | undefined;
  readonly order: string;
  readonly legacy_pad: number;
  readonly global_pooling?: number;
}

/** How a resolver reports a bad argument or shape (an OpContext, or a plain thrower for references). */
export interface WindowErrors {
  argError(message: string): never;
  shapeError(message: string): never;
}

/**
 * A window op's geometry, always 2-D: a 1-D op has h = kh = oh = sh = dh = 1 and no top/bottom pad.
 * `rank` is the number of spatial dims of the op's tensors (1 or 2), for output shapes.
 */
export interface Window {
  nhwc: boolean;
  rank: 1 | 2;
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  pt: number;
  pl: number;
  pb: number;
  pr: number;
  dh: number;
  dw: number;
  oh: number;
  ow: number;
}

/** One per-dim argument: the list form, else the 2-D shorthand(s), else the default. */
function perDim(
  e: WindowErrors,
  name: string,
  list: readonly number[] | undefined,
  both: number | undefined,
  hw: [number | undefined, number | undefined],
  rank: number,
  fallback: number | undefined,
): number[] {
  const given = [list !== undefined && `${name}s`, both !== undefined && name, hw.some((v) => v !== undefined) && `${name}_h/${name}_w`].filter(Boolean);
  if (given.length > 1) e.argError(`arguments ${given.join(' and ')} both set the ${name}; give one of them`);
  let v: number[] | undefined;
  if (list !== undefined) v = [...list];
  else if (both !== undefined) v = [both, both];
  else if (hw[0] !== undefined || hw[1] !== undefined) {
    if (hw[0] === undefined || hw[1] === undefined) e.argError(`argument ${name}_h needs ${name}_w and the other way round`);
    v = [hw[0], hw[1]];
  } else if (fallback !== undefined) v = Array<number>(rank).fill(fallback);
  if (v === undefined) return e.argError(`the ${name} size must be set (kernel, kernel_h and kernel_w, or kernels)`);
  if (v.length !== rank) {
    e.argError(`${name} has ${v.length} value(s) ${fmtShape(v)} but the input has ${rank} spatial dim(s)${rank === 1 ? ` (use ${name}s=[…] for 1-D)` : ''}`);
  }
  return v;
}

/** The pads as [head..., tail...] per spatial dim. */
function resolvePads(e: WindowErrors, a: WindowArgValues, rank: number): number[] {
  const sides = [a.pad_t, a.pad_l, a.pad_b, a.pad_r];
  const given = [a.pads !== undefined && 'pads', a.pad !== undefined && 'pad', sides.some((v) => v !== undefined) && 'pad_t/pad_l/pad_b/pad_r'].filter(Boolean);
  if (given.length > 1) e.argError(`arguments ${given.join(' and ')} both set the padding; give one of them`);
  if (a.pads !== undefined) {
    if (a.pads.length !== 2 * rank) e.argError(`pads has ${a.pads.length} values ${fmtShape(a.pads)}, expected ${2 * rank} (heads then tails)`);
    return [...a.pads];
  }
  if (a.pad !== undefined) return Array<number>(2 * rank).fill(a.pad);
  if (sides.some((v) => v !== undefined)) {
    if (sides.some((v) => v === undefined)) e.argError('pad_t, pad_l, pad_b and pad_r must be given together');
    if (rank !== 2) e.argError(`pad_t/pad_l/pad_b/pad_r describe 2-D padding, but the input has ${rank} spatial dim(s) (use pads)`);
    return sides as number[];
  }
  return Array<number>(2 * rank).fill(0);
}

/** Caffe2's LegacyPadding values. */
/** Caffe2's LegacyPadding values. */
export const LEGACY = { NOTSET: 0, VALID: 1, SAME: 2, CAFFE_LEGACY_POOLING: 3 } as const;

/**
 * Head and tail pads of one spatial dim under a legacy padding mode (Caffe2's ComputeSizeAndPad),
 * chosen so that the usual floor rule of `outputLength` gives the mode's output length:
 * VALID: none. SAME: ceil(in / stride) outputs, the extra pad at the tail. CAFFE_LEGACY_POOLING:
 * old Caffe's ceil rule on the given head pad (the last window must start inside the image or its
 * head padding), with the tail pad grown to fit it.
 */
export function legacyPads(mode: number, input: number, kernel: number, stride: number, head: number): [number, number] {
  if (mode === LEGACY.VALID) return [0, 0];
  if (mode === LEGACY.SAME) {
    const needed = Math.max(0, (Math.ceil(input / stride) - 1) * stride + kernel - input);
    return [Math.floor(needed / 2), needed - Math.floor(needed / 2)];
  }
  let out = Math.ceil((input + 2 * head - kernel) / stride) + 1;
  if (head > 0 && (out - 1) * stride >= input + head) out--;
  const standard = Math.floor((input + 2 * head - kernel) / stride) + 1;
  return [head, head + stride * Math.max(0, out - standard)];
}

/** Output length of one spatial dim: floor((in + pads - effective kernel) / stride) + 1. */
export function outputLength(input: number, kernel: number, stride: number, padHead: number, padTail: number, dilation: number): number {
  return Math.floor((input + padHead + padTail - (dilation * (kernel - 1) + 1)) / stride) + 1;
}

/**
 * Resolves the window arguments against input `x` (named `xName`). `pooling` enables
 * global_pooling and the pool-only rules (pads below the kernel, no dilation).
 */
export function resolveWindow(e: WindowErrors, a: WindowArgValues, x: readonly number[], xName: string, pooling: boolean): Window {
  if (a.order !== 'NCHW' && a.order !== 'NHWC') e.argError(`order must be "NCHW" or "NHWC", got "${a.order}"`);
  const legacy = a.legacy_pad;
  if (!(Object.values(LEGACY) as number[]).includes(legacy)) {
    e.argError(`legacy_pad=${legacy} is not a LegacyPadding value (0 NOTSET, 1 VALID, 2 SAME, 3 CAFFE_LEGACY_POOLING)`);
  }
  const padArgs = a.pads !== undefined || a.pad !== undefined || [a.pad_t, a.pad_l, a.pad_b, a.pad_r].some((v) => v !== undefined);
  if ((legacy === LEGACY.VALID || legacy === LEGACY.SAME) && padArgs) {
    e.argError('If you use legacy padding VALID or SAME, you should not specify any specific padding values');
  }
  const nhwc = a.order === 'NHWC';
  const rank = x.length - 2;
  if (rank !== 1 && rank !== 2) {
    e.shapeError(`input ${xName} has shape ${fmtShape(x)}; expected 3 or 4 dims (1-D or 2-D ${a.order} data)${rank === 3 ? ', 3-D windows are not supported' : ''}`);
  }
  const spatial = nhwc ? x.slice(1, 1 + rank) : x.slice(2);
  const channels = nhwc ? x[x.length - 1]! : x[1]!;
  const global = pooling && a.global_pooling === 1;
  const stride = perDim(e, 'stride', a.strides, a.stride, [a.stride_h, a.stride_w], rank, 1);
  const dilation = perDim(e, 'dilation', a.dilations, a.dilation, [a.dilation_h, a.dilation_w], rank, 1);
  const pads = resolvePads(e, a, rank);
  let kernel: number[];
  if (global) {
    const setKernel = a.kernels !== undefined || a.kernel !== undefined || a.kernel_h !== undefined || a.kernel_w !== undefined;
    if (setKernel) e.argError('global_pooling takes the whole image as the window; do not set a kernel');
    if (stride.some((s) => s !== 1) || pads.some((p) => p !== 0) || dilation.some((d) => d !== 1)) {
      e.argError('If global_pooling is set pad, dilation and stride shouldn\'t be set (they must keep their defaults)');
    }
    kernel = [...spatial];
  } else {
    kernel = perDim(e, 'kernel', a.kernels, a.kernel, [a.kernel_h, a.kernel_w], rank, undefined);
  }
  kernel.forEach((k, i) => {
    if (!(k > 0) && !global) e.argError(`kernel size must be positive, got ${fmtShape(kernel)} (dim ${i})`);
    if (!(stride[i]! > 0)) e.argError(`stride must be positive, got ${fmtShape(stride)}`);
    if (!(dilation[i]! > 0)) e.argError(`dilation must be positive, got ${fmtShape(dilation)}`);
    if (pads[i]! < 0 || pads[rank + i]! < 0) e.argError(`pads must be non-negative, got ${fmtShape(pads)}`);
    if (pooling && dilation[i] !== 1) e.argError(`pooling does not support dilation, got ${fmtShape(dilation)}`);
    if (pooling && !global && (pads[i]! >= k || pads[rank + i]! >= k)) {
      e.argError(`pads ${fmtShape(pads)} must be smaller than the kernel ${fmtShape(kernel)} (a window would lie wholly in the padding)`);
    }
  });
  if (legacy !== LEGACY.NOTSET && !global) {
    if (dilation.some((d) => d !== 1)) e.argError(`legacy_pad=${legacy} does not support dilation, got ${fmtShape(dilation)}`);
    spatial.forEach((len, i) => {
      const [head, tail] = legacyPads(legacy, len, kernel[i]!, stride[i]!, pads[i]!);
      pads[i] = head;
      pads[rank + i] = tail;
    });
  }
  const out = spatial.map((len, i) => outputLength(len, kernel[i]!, stride[i]!, pads[i]!, pads[rank + i]!, dilation[i]!));
  if (!global && out.some((o) => o < 1)) {
    e.shapeError(
      `input ${xName} has shape ${fmtShape(x)}: its ${a.order} spatial dims ${fmtShape(spatial)} with pads ${fmtShape(pads)} are smaller than the ` +
        `dilated kernel ${fmtShape(kernel.map((k, i) => dilation[i]! * (k - 1) + 1))}, which leaves no output`,
    );
  }
  // Lift 1-D to 2-D with a unit height.
  const lift = (v: number[], one: number): [number, number] => (rank === 1 ? [one, v[0]!] : [v[0]!, v[1]!]);
  const [h, w] = lift(spatial, 1);
  const [kh, kw] = lift(kernel, 1);
  const [sh, sw] = lift(stride, 1);
  const [dh, dw] = lift(dilation, 1);
  const [oh, ow] = lift(global ? spatial.map(() => 1) : out, 1);
  const [pt, pl] = lift(pads.slice(0, rank), 0);
  const [pb, pr] = lift(pads.slice(rank), 0);
  return { nhwc, rank, n: x[0]!, c: channels, h, w, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, oh, ow };
}

/** The shape of a window op's output with `channels` channels, in the op's order and rank. */
export function windowOutputShape(g: Window, channels: number): number[] {
  const spatial = g.rank === 1 ? [g.ow] : [g.oh, g.ow];
  return g.nhwc ? [g.n, ...spatial, channels] : [g.n, channels, ...spatial];
}

/** Index of element (n, c, y, x) of a [n, c, h, w]-sized tensor in the window's order. */
export function layoutIndex(nhwc: boolean, c: number, h: number, w: number, n: number, ch: number, y: number, x: number): number {
  return nhwc ? ((n * h + y) * w + x) * c + ch : ((n * c + ch) * h + y) * w + x;
}

/** Error reporting for CPU references, whose inputs the planner has already checked. */
export const referenceErrors: WindowErrors = {
  argError(message: string): never {
    throw new Error(message);
  },
  shapeError(message: string): never {
    throw new Error(message);
  },
};

/**
 * The pipeline constants of shaders/window_consts.wgsl for window `g` with `outChannels` output
 * channels: the geometry of the kernels that compile their sizes in.
 */
export function windowConstants(g: Window, outChannels: number): Record<string, number> {
  const padded = g.pt + g.pl + g.pb + g.pr > 0;
  return {
    IN_C: g.c,
    IN_H: g.h,
    IN_W: g.w,
    OUT_C: outChannels,
    OUT_H: g.oh,
    OUT_W: g.ow,
    K_H: g.kh,
    K_W: g.kw,
    S_H: g.sh,
    S_W: g.sw,
    P_T: g.pt,
    P_L: g.pl,
    D_H: g.dh,
    D_W: g.dw,
    PADDED: padded ? 1 : 0,
    NHWC: g.nhwc ? 1 : 0,
  };
}
