/**
 * The operator table. Each operator is one declarative spec (schema, shape rule, kernels, gradient,
 * CPU reference) registered by `defineOp` from its own file; the net builder, planner and autodiff
 * only ever read specs from here.
 */
import type { DType, HostArray } from '../core/dtype.js';
import type { Argument, ArgValue, OperatorDef } from '../core/netdef.js';
import { UnknownOperatorError, didYouMean } from '../core/errors.js';
import type { ArgSchema, ArgValues, ExtraArgKind } from './args.js';

/** A blob as the planner sees it: shape and dtype, no data. */
export interface TensorInfo {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /**
   * Values known on the host at plan time: blobs fed by FeedBlob that no op has written since, and
   * outputs whose op declares the values it writes (shapes, such as Reshape's old_shape).
   */
  readonly hostValues?: HostArray;
}

/** A float64 host tensor: what CPU references compute on (int tensors hold integral values). */
export interface HostTensor {
  shape: number[];
  data: Float64Array;
  dtype?: DType;
}

/** Everything a shape rule or kernel builder may look at for one operator in one net. */
export interface OpContext<S extends ArgSchema> {
  readonly op: OperatorDef;
  /** Index of the op in its net, and the net's name (for messages and RNG streams). */
  readonly index: number;
  readonly netName: string;
  readonly args: ArgValues<S>;
  /** Arguments accepted through `extraArgs` (e.g. LearningRate's composite sub-policies). */
  readonly extraArgs: Readonly<Record<string, ArgValue>>;
  readonly inputs: readonly TensorInfo[];
  /** "FC (op #4 in net "train")": the prefix of every message about this op. */
  readonly where: string;
  /** Throws a ShapeError prefixed with `where`. */
  shapeError(message: string): never;
  /** Throws a DTypeError prefixed with `where`. */
  dtypeError(message: string): never;
  /** Throws an ArgumentError prefixed with `where`. */
  argError(message: string): never;
}

/** Where a kernel binding's buffer comes from. */
export type BindingSource =
  | { input: number }
  | { output: number }
  /** A plan-owned scratch buffer of the given byte size, shared by the op's dispatches under that name. */
  | { scratch: string; bytes: number }
  /** The workspace's RNG state: u32 [seed_lo, seed_hi, counter_lo, counter_hi]. */
  | { rng: true }
  /** Constant data uploaded once at plan time into a plan-owned buffer (GivenTensorFill's values). */
  | { constant: HostArray }
  /** Host data uploaded in windows between submits (a DB bigger than its GPU budget): see StreamSource. One buffer per source object. */
  | { stream: StreamSource }
  /**
   * The op's log: a zeroed plan-owned buffer of this many bytes that its kernels append records to
   * (Print, Summarize); the workspace reads it back once when RunNet completes and gives the op's
   * `report` the words, then zeroes it again except word 0 (a counter that lasts across calls).
   */
  | { log: number };

/**
 * Host data shown to a kernel one window at a time: window k serves runs k·iterations …
 * (k+1)·iterations − 1 of the net. The runtime uploads a window between submits (a RunNet over a
 * window boundary becomes several submits), never inside one: at the first run of a window, and
 * at the first run of a new plan (so state derived from the run count survives a re-plan).
 */
export interface StreamSource {
  /** Bytes of the largest window (the buffer's size). */
  bytes: number;
  /** Net iterations one window serves (Infinity: one window, uploaded when a plan first runs). */
  iterations: number;
  /** Window k's data, uploaded before run `runCount` (the net's runs so far). */
  window(k: number, runCount: number): HostArray;
}

/** One dispatch of one WGSL kernel. Bindings and uniform layout are read from the WGSL itself. */
export interface KernelCall {
  /** File name in kernels/, e.g. "fc.wgsl". */
  shader: string;
  /** When set, the kernel source is prefixed with `alias T = f32;` (or i32). */
  dtype?: DType;
  /** WGSL variable name → buffer. Variables not listed bind by the op schema's input/output names. */
  bindings?: Record<string, BindingSource>;
  /** Values of the members of the kernel's uniform struct, by member name. */
  uniforms?: Record<string, number | readonly number[]>;
  /** Pipeline-overridable constants (part of the pipeline cache key). */
  overrides?: Record<string, number>;
  workgroups: readonly [number, number?, number?];
  /**
   * An input bound to the same blob as an output (in place) is read by each invocation only at the
   * elements it writes, before writing them. The planner then reads that input through the output's
   * binding (a cached kernel variant) instead of computing into a temporary and copying back.
   */
  pointwise?: boolean;
}

/**
 * A fusable form: the op's work as WGSL pieces the fusion pass (src/runtime/fusion.ts) stitches
 * into one generated kernel with its neighbours. A body reads and writes blobs through the arena
 * helpers `ldf/ldi/ldu(addr)` and `stf/sti/stu(addr, v)`, with `in<k>` / `out<k>` the word offset of
 * input / output k and `rng` the offset of the RNG state [seed_lo, seed_hi, counter_lo, counter_hi].
 * Sizes are known when the form is built, so bodies write them as literals. Work items are spread
 * over the lanes of one workgroup (or a grid of them); the pass puts a barrier (or a new dispatch)
 * between stages that depend on each other. `reads` / `writes`: the indices of the inputs a stage
 * reads (a fill that takes its shape from an input reads none) and the outputs it writes, when not
 * all, so stages that share no data need no barrier between them.
 */
export type FusedStage = { reads?: readonly number[]; writes?: readonly number[] } & (
  /**
   * Elementwise or row-wise map (`rowmap`: one item per row), in-place update, or RNG fill: `body`
   * handles item `i`. `pointwise`: item i touches word i, and no other, of every operand whose word
   * count equals `items` (`'outputs'`: of every such output), so a stage reading what such a stage
   * wrote needs no barrier between them.
   */
  | { class: 'map' | 'rowmap' | 'update' | 'rng'; items: number; body: string; cost?: number; pointwise?: boolean | 'outputs'; includes?: readonly string[] }
  /** One invocation runs `body` (counters, learning rates, single values). */
  | { class: 'scalar'; body: string; includes?: readonly string[] }
  /** For each output item `i`: `acc` = Σ over `j` < terms of `term`, then `finish` stores it. */
  | { class: 'reduction'; items: number; terms: number; term: string; finish: string; includes?: readonly string[] }
);

/** WGSL literal of a float32 value, exact (the bit pattern), for fusable bodies. */
export function f32Lit(x: number): string {
  const f = new Float32Array([x]);
  return `bitcast<f32>(${new Uint32Array(f.buffer)[0]!}u)`;
}

/** What a gradient maker sees: the forward op and the names of its output gradients. */
export interface GradientContext {
  readonly def: OperatorDef;
  /** Forward input k's name. */
  I(k: number): string;
  /** Forward output k's name. */
  O(k: number): string;
  /** Gradient of forward output k, or undefined when none flows into it. */
  GO(k: number): string | undefined;
  /** The conventional gradient name of forward input k: `<input>_grad`. */
  GI(k: number): string;
  /** Builds a gradient OperatorDef (forward args are appended by the autodiff unless `copyArgs` is false). */
  op(type: string, input: string[], output: string[], arg?: Argument[]): OperatorDef;
}

/** A gradient maker's answer: ops to emit and, per forward input, its gradient blob (or null). */
export interface GradientResult {
  ops: OperatorDef[];
  inputGrads: (string | null)[];
}

export type GradientMaker = (g: GradientContext) => GradientResult;

/** Either a gradient maker or the reason there is none: forgetting both does not compile. */
export type GradientDecl =
  | { gradient: GradientMaker; noGradient?: never; copyArgs?: boolean }
  | { noGradient: string; gradient?: never }
  /** Caffe2's SHOULD_NOT_DO_GRADIENT: asking for it (a gradient reaching an output) is an error. */
  | { shouldNotDoGradient: string; gradient?: never; noGradient?: never };

interface OpSpecBase<S extends ArgSchema> {
  type: string;
  /** Input names (they double as default WGSL binding names); `variadicInputs` repeats the last. */
  inputs: readonly string[];
  outputs: readonly string[];
  /** Smallest and largest input count; defaults to exactly `inputs.length`. */
  inputCount?: readonly [number, number];
  outputCount?: readonly [number, number];
  args: S;
  extraArgs?: ExtraArgKind;
  doc: string;
  /** Output blobs that may name the same blob as an input: pairs [input, output]; others are errors. */
  inPlace?: readonly (readonly [number, number])[] | 'any';
  /** Shape and dtype of every output. Throws through ctx.*Error with the op, blob and sizes named. */
  inferShape(ctx: OpContext<S>): TensorInfo[];
  /** Dispatches, in order, that compute the outputs; empty when nothing needs to run. */
  kernels(ctx: OpContext<S>, outputs: readonly TensorInfo[]): KernelCall[];
  /** True when the op draws random numbers (the planner then advances the RNG counter per run). */
  random?: boolean;
  /** Fills accept Caffe2's `run_once`: with run_once=1 the op runs on a created net's first run only. */
  runOnce?: boolean;
  /**
   * The op as fusable WGSL pieces for these shapes, or null when this instance cannot fuse (it
   * then runs as its own dispatches). Optional: fusion is an optimisation, never a requirement.
   */
  fusable?: (ctx: OpContext<S>, outputs: readonly TensorInfo[]) => FusedStage[] | null;
  /**
   * Turns the op's log words (see the `log` binding) into lines for the log sink; called on the host
   * after a RunNet, never during one.
   */
  report?: (ctx: OpContext<S>, outputs: readonly TensorInfo[], words: Uint32Array) => string[];
  /** float64 CPU version, for tests and bench checks; omitted for random ops (tested statistically). */
  reference?: (inputs: HostTensor[], args: ArgValues<S>, extraArgs: Readonly<Record<string, ArgValue>>) => HostTensor[];
}

export type OpSpec<S extends ArgSchema = ArgSchema> = OpSpecBase<S> & GradientDecl;

/** Any registered spec, with its argument types erased. */
export type AnyOpSpec = OpSpec<ArgSchema>;

const registry = new Map<string, AnyOpSpec>();

/** Registers an operator and returns its spec (a second registration of a type is a bug). */
export function defineOp<const S extends ArgSchema>(spec: OpSpec<S>): OpSpec<S> {
  if (registry.has(spec.type)) throw new Error(`operator ${spec.type} is registered twice`);
  registry.set(spec.type, spec as unknown as AnyOpSpec);
  return spec;
}

/** The spec of an operator type, or an UnknownOperatorError with the nearest registered names. */
export function getOpSpec(type: string, where = ''): AnyOpSpec {
  const spec = registry.get(type);
  if (!spec) {
    throw new UnknownOperatorError(
      `${where ? where + ': ' : ''}"${type}" is not a registered operator.${didYouMean(type, registry.keys())}`,
    );
  }
  return spec;
}

/** True when an operator type is registered. */
export function hasOp(type: string): boolean {
  return registry.has(type);
}

/** Every registered operator type, sorted. */
export function registeredOps(): string[] {
  return [...registry.keys()].sort();
}

/** Min and max input counts of a spec. */
export function inputRange(spec: AnyOpSpec): readonly [number, number] {
  return spec.inputCount ?? [spec.inputs.length, spec.inputs.length];
}

/** Min and max output counts of a spec. */
export function outputRange(spec: AnyOpSpec): readonly [number, number] {
  return spec.outputCount ?? [spec.outputs.length, spec.outputs.length];
}
