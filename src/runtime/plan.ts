/**
 * Planning a net: everything that can be done once is done here. Shapes are inferred and checked
 * for every op (host only, so user mistakes throw before any GPU call), output blobs get buffers,
 * kernels are compiled, uniforms written and bind groups built. What is left for a run is encoding.
 */
import type { NetDef } from '../core/netdef.js';
import { storageWords, type HostArray } from '../core/dtype.js';
import { MissingBlobError, ShapeError, fmtShape, knownBlobsHint } from '../core/errors.js';
import type { AnyOpSpec, BindingSource, FusedStage, KernelCall, TensorInfo } from '../ops/registry.js';
import { linearWorkgroups } from '../ops/shape.js';
import { checkOpStructure, makeOpContext, opWhere, runOnceOf } from '../ops/op_context.js';
import { packUniforms, type CompiledKernel } from './kernel_cache.js';
import { BLOB_USAGE, UNIFORM_USAGE, type GpuContext } from './gpu_context.js';
import { sameInfo, tensorBytes, type BlobStore } from './blob.js';
import { checkBytes, checkTensor, type SizeLimits } from './limits.js';
import { fusionLanes, planFusion, type FusedSegment } from './fusion.js';
import { FusedStep } from './fused_step.js';
import { encodeDispatch, type Dispatch } from './dispatch.js';
import { refillStreams, untilNextWindow, type PlanStream } from './stream.js';
import { size } from '../ops/shape.js';

/** One op after shape inference, before any GPU work. */
interface CheckedOp {
  spec: AnyOpSpec;
  index: number;
  where: string;
  input: string[];
  output: string[];
  outInfos: TensorInfo[];
  calls: KernelCall[];
  runOnce: boolean;
  random: boolean;
  /** The op's fusable form for these shapes, or null. */
  fused: FusedStage[] | null;
  /** Lines from the op's log words (Print, Summarize), or null for ops that keep no log. */
  report: ((words: Uint32Array) => string[]) | null;
}

/** An op's log buffer in a plan, with what turns its words into lines. */
export interface PlanLog {
  buffer: GPUBuffer;
  bytes: number;
  report: (words: Uint32Array) => string[];
}

/** A blob as the plan sees it at one point of the net: the buffer and the tensor it holds. */
interface Version {
  buffer: GPUBuffer;
  info: TensorInfo;
  /** A buffer this plan acquired (new blob, or a blob the net gives another shape or dtype). */
  fresh: boolean;
}

/** A planned net: replayable by encoding only. */
export class NetPlan {
  /** Iterations run so far (decides run_once fills and survives a re-plan). */
  runCount = 0;

  constructor(
    readonly net: NetDef,
    /** In order: dispatches bound as they are, and fused kernels with their arena copies. */
    private readonly steps: Array<Dispatch | FusedStep>,
    private readonly owned: GPUBuffer[],
    /** Each blob the plan binds, with the buffer and tensor it leaves in the workspace. */
    private readonly bound: Map<string, Version>,
    /**
     * True when the net reads a blob and later gives it another shape (Copy(Y→Z); ConstantFill(Y)):
     * the first run reads the old tensor, so every later run needs a new plan.
     */
    readonly reshapesWhatItReads: boolean,
    /** Log buffers of Print/Summarize ops, read back once when a RunNet of this plan completes. */
    readonly logs: readonly PlanLog[] = [],
    /** Fed blobs whose values the plan was built from, with the values it saw. */
    private readonly valuesRead: ReadonlyMap<string, HostArray | undefined> = new Map(),
    /** Buffers fed window by window (stream bindings); empty for almost every net. */
    private readonly streams: readonly PlanStream[] = [],
  ) {}

  /** Iterations that may go into one submit before a stream needs its next window (Infinity without streams). */
  get iterationsBeforeRefill(): number {
    return untilNextWindow(this.streams, this.runCount);
  }

  /** Uploads the window each stream needs for the next iteration, if not loaded (queue-ordered before the next submit). */
  refill(device: GPUDevice): void {
    refillStreams(device, this.streams, this.runCount);
  }

  /** Dispatches one iteration encodes (run_once fills counted); a fused whole net loops inside its one. */
  get dispatchCount(): number {
    return this.steps.reduce((a, d) => a + (d instanceof FusedStep ? d.dispatchesPerIteration : 1), 0);
  }

  /** True when the whole iteration is one fused segment, which encodes n iterations itself (one dispatch when it loops). */
  get loopsInKernel(): boolean {
    return this.steps.length === 1 && this.steps[0] instanceof FusedStep;
  }

  /** False when a blob the plan binds was re-fed with another shape or given another buffer since, or one it read values of was re-fed. */
  isCurrent(store: BlobStore): boolean {
    if (this.reshapesWhatItReads && this.runCount > 0) return false;
    for (const [name, b] of this.bound) {
      const blob = store.get(name);
      if (!blob || blob.buffer !== b.buffer || !sameInfo(blob, b.info)) return false;
    }
    // A re-feed gives a blob new host values: a plan made from the old ones is stale.
    for (const [name, values] of this.valuesRead) if (store.get(name)?.hostValues !== values) return false;
    return true;
  }

  /**
   * Encodes `iterations` runs (compute passes and the fused kernels' copies); returns the number of
   * dispatches. A whole-net fused kernel runs all iterations in one dispatch.
   */
  encode(encoder: GPUCommandEncoder, iterations: number): number {
    if (iterations === 0) return 0;
    let count = 0;
    const only = this.steps[0];
    if (this.loopsInKernel && only instanceof FusedStep) {
      count = only.encode(encoder, iterations, this.runCount === 0);
    } else {
      let pass: GPUComputePassEncoder | null = null;
      for (let it = 0; it < iterations; it++) {
        const first = this.runCount + it === 0;
        for (const d of this.steps) {
          if (d instanceof FusedStep) {
            pass?.end();
            pass = null;
            count += d.encode(encoder, 1, first);
            continue;
          }
          if (d.runOnce && !first) continue;
          pass ??= encoder.beginComputePass({ label: this.net.name });
          encodeDispatch(pass, d);
          count++;
        }
      }
      pass?.end();
    }
    this.runCount += iterations;
    return count;
  }

  /** Gives the plan's own buffers (uniforms, scratch, temporaries, retired blobs) back to the pool. */
  release(ctx: GpuContext): void {
    for (const b of this.owned) ctx.pool.release(b);
    this.owned.length = 0;
  }
}

/** Phase 1, host only: every op's structure, arguments, input blobs and shapes. */
export function checkNet(store: BlobStore, net: NetDef, limits: SizeLimits, valuesRead?: Map<string, HostArray | undefined>): CheckedOp[] {
  const known = new Map<string, TensorInfo>();
  const writer = new Map<string, string>();
  const lookup = (name: string, where: string): TensorInfo => {
    const local = known.get(name);
    if (local) return local;
    const blob = store.get(name);
    if (!blob || !blob.buffer) {
      const names = [...new Set([...store.names(), ...known.keys()])];
      throw new MissingBlobError(
        `${where}: encountered a non-existing input blob "${name}" in workspace "${store.name}".${knownBlobsHint(name, names)}`,
      );
    }
    if (!valuesRead) return blob;
    // Ops that plan from a fed blob's values (input_as_shape, Reshape's new_shape, Split's split,
    // UniformFill's range) read them through this getter, so the plan can notice a re-feed.
    return {
      shape: blob.shape,
      dtype: blob.dtype,
      get hostValues() {
        valuesRead.set(name, blob.hostValues);
        return blob.hostValues;
      },
    };
  };
  return net.op.map((op, index) => {
    const where = opWhere(op, index, net.name);
    const spec = checkOpStructure(op, where);
    const inputs = op.input.map((name) => lookup(name, where));
    inputs.forEach((info, i) => checkTensor(info, limits, where, op.input[i]!, true));
    const ctx = makeOpContext(spec, op, index, net.name, inputs);
    const outInfos = spec.inferShape(ctx);
    op.output.forEach((name, o) => {
      const info = outInfos[o]!;
      checkTensor(info, limits, where, name, true);
      const k = op.input.indexOf(name);
      if (k >= 0 && !sameInfo(inputs[k]!, info)) {
        // In place, the output shares the input's buffer: it cannot change size or type.
        throw new ShapeError(
          `${where}: output ${name} is written in place over input #${k}, but would change from ${inputs[k]!.dtype} ${fmtShape(inputs[k]!.shape)} to ${info.dtype} ${fmtShape(info.shape)}`,
        );
      }
      const prev = known.get(name);
      if (prev && !sameInfo(prev, info)) {
        throw new ShapeError(
          `${where}: output ${name} would be ${info.dtype} ${fmtShape(info.shape)}, but ${writer.get(name)} made it ${prev.dtype} ${fmtShape(prev.shape)} earlier in the same net`,
        );
      }
      known.set(name, info);
      writer.set(name, where);
    });
    const calls = spec.kernels(ctx, outInfos);
    for (const call of calls) {
      for (const [b, src] of Object.entries(call.bindings ?? {})) {
        if ('scratch' in src) checkBytes(src.bytes, limits, where, `${call.shader} scratch ${b}`, true);
        if ('constant' in src) checkBytes(src.constant.byteLength, limits, where, `${call.shader} constant ${b}`, true);
        if ('stream' in src) checkBytes(src.stream.bytes, limits, where, `${call.shader} stream window ${b}`, true);
      }
    }
    const fused = spec.fusable?.(ctx, outInfos) ?? null;
    const report = spec.report ? (words: Uint32Array) => spec.report!(ctx, outInfos, words) : null;
    return { spec, index, where, input: op.input, output: op.output, outInfos, calls, runOnce: runOnceOf(spec, ctx.extraArgs), random: spec.random === true, fused, report };
  });
}

/**
 * Plans a net against a store: checks everything, allocates, compiles and binds, then commits.
 * Atomic: until the last step nothing in the store changes (new and reshaped blobs get buffers on
 * the side), so a net that fails to plan leaves every blob as it was.
 */
export async function planNet(ctx: GpuContext, store: BlobStore, net: NetDef, limits: SizeLimits): Promise<NetPlan> {
  ctx.check();
  const valuesRead = new Map<string, HostArray | undefined>();
  const checked = checkNet(store, net, limits, valuesRead);
  const device = ctx.device;
  const owned: GPUBuffer[] = [];
  const staged: GPUBuffer[] = [];
  try {
    const [copyKernel, advanceKernel] = await Promise.all([
      ctx.kernels.get({ shader: 'copy.wgsl' }),
      ctx.kernels.get({ shader: 'rng_advance.wgsl' }),
    ]);
    const built = bindAll(ctx, store, net, checked, copyKernel, advanceKernel, owned, staged);
    // Fusion (fusion.ts): runs of ops with fusable forms become generated kernels; the rest bind as they are.
    const segments = planFusion(
      checked.map((c, i) => ({ ...c, inputs: built.versions[i]!.inputs.map(operand), outputs: built.versions[i]!.outputs.map(operand) })),
      fusionLanes(ctx.adapter.software),
      limits.maxBindingSize,
      device.limits.maxComputeWorkgroupsPerDimension,
      device.features.has('subgroups'),
    ).flatMap((p) => (p.kind === 'fused' ? [p.segment] : []));
    const fusedAt = new Map(segments.map((seg) => [seg.from, seg]));
    const unfused = (i: number): boolean => !segments.some((seg) => seg.from <= i && i < seg.to);
    const [compiled, fusedKernels] = await Promise.all([
      Promise.all(checked.map((c, i) => (unfused(i) ? Promise.all(c.calls.map((k) => ctx.kernels.get({ ...k, ...inPlaceAliases(c, k, built.versions[i]!) }))) : []))),
      Promise.all(segments.map((seg) => Promise.all(seg.kernels.map((k) => ctx.kernels.get({ shader: k.shader, generated: k.code }))))),
    ]);
    const fusedStep = (seg: FusedSegment): FusedStep =>
      FusedStep.create(ctx, seg, fusedKernels[segments.indexOf(seg)]!, store.rng, owned, `net "${net.name}" fused ops #${seg.from}-${seg.to - 1}`);
    device.pushErrorScope('validation');
    let dispatches: Array<Dispatch | FusedStep> = [];
    let buildError: unknown = null;
    try {
      dispatches = built.build(compiled, fusedAt, fusedStep, !unfused(checked.length));
    } catch (e) {
      buildError = e; // the scope must be popped either way
    }
    const err = await device.popErrorScope();
    if (buildError) throw buildError;
    if (err) throw new Error(`internal error while planning net "${net.name}": ${err.message}`);
    commit(ctx, store, built.view, built.readFromStore, checked, owned);
    ctx.counters.plans++;
    const reshapes = [...built.readFromStore.keys()].some((n) => built.view.get(n)!.fresh);
    return new NetPlan(net, dispatches, owned, built.view, reshapes, built.logs, valuesRead, built.streams);
  } catch (e) {
    for (const b of [...owned, ...staged]) ctx.pool.release(b);
    throw e;
  }
}

/**
 * The last step of planning, the only one that touches the store: blobs the net creates or
 * reshapes take their new buffers (zeroed where the pool reused one, so no other blob's old data
 * shows through); an old buffer the net still reads on its first run moves to the plan.
 */
function commit(
  ctx: GpuContext,
  store: BlobStore,
  view: Map<string, Version>,
  readFromStore: Map<string, Version>,
  checked: readonly CheckedOp[],
  owned: GPUBuffer[],
): void {
  const dirty: GPUBuffer[] = [];
  for (const [name, v] of view) {
    const old = store.get(name);
    if (!v.fresh) continue;
    if (old?.buffer) {
      if (readFromStore.has(name)) owned.push(old.buffer);
      else ctx.pool.release(old.buffer);
    }
    if (ctx.pool.reused(v.buffer)) dirty.push(v.buffer);
    store.set({ name, shape: [...v.info.shape], dtype: v.info.dtype, buffer: v.buffer });
  }
  // Host copies of fed values go stale once an op writes the blob, unless the op declares the
  // values it writes (shape-valued outputs such as Reshape's old_shape, known at plan time).
  for (const c of checked) {
    c.output.forEach((name, o) => {
      const blob = store.get(name)!;
      const info = c.outInfos[o]!;
      if (info.hostValues) blob.hostValues = info.hostValues;
      else delete blob.hostValues;
    });
  }
  if (dirty.length) {
    const enc = ctx.device.createCommandEncoder({ label: 'zero new blobs' });
    for (const b of dirty) enc.clearBuffer(b);
    ctx.device.queue.submit([enc.finish()]);
    ctx.counters.submits++;
  }
}

/**
 * For a pointwise call, each input variable bound to the same buffer as an output variable, mapped
 * to that output variable: the kernel is compiled reading it through the output binding (WebGPU
 * forbids binding the buffer twice when one binding is writable). Other calls keep the general
 * rule in bindAll: compute into a temporary, then copy.
 */
function inPlaceAliases(c: CheckedOp, call: KernelCall, v: { inputs: Version[]; outputs: Version[] }): { aliases?: Record<string, string> } {
  if (!call.pointwise) return {};
  const names = new Set([...Object.keys(call.bindings ?? {}), ...c.spec.inputs, ...c.spec.outputs]);
  const bufferOf = (name: string, kind: 'input' | 'output'): GPUBuffer | undefined => {
    const src = call.bindings?.[name] ?? sourceByName(c.spec, name);
    if (kind === 'input') return src && 'input' in src ? v.inputs[src.input]?.buffer : undefined;
    return src && 'output' in src ? v.outputs[src.output]?.buffer : undefined;
  };
  const aliases: Record<string, string> = {};
  for (const name of names) {
    const buffer = bufferOf(name, 'input');
    const to = buffer && [...names].find((o) => bufferOf(o, 'output') === buffer);
    if (to) aliases[name] = to;
  }
  return Object.keys(aliases).length ? { aliases } : {};
}

/** Default binding of a WGSL variable: the op input or output of the same name in the schema. */
function sourceByName(spec: AnyOpSpec, name: string): BindingSource | null {
  const i = spec.inputs.indexOf(name);
  if (i >= 0) return { input: i };
  const o = spec.outputs.indexOf(name);
  if (o >= 0) return { output: o };
  return null;
}

/**
 * Gives every op's inputs and outputs the buffer of the blob's version at that op (an op that
 * reads Y before another op reshapes Y sees Y's old buffer), then returns a builder of the bind
 * groups and dispatches. New buffers go to `staged`, plan-owned ones to `owned`.
 */
function bindAll(
  ctx: GpuContext,
  store: BlobStore,
  net: NetDef,
  checked: readonly CheckedOp[],
  copyKernel: CompiledKernel,
  advanceKernel: CompiledKernel,
  owned: GPUBuffer[],
  staged: GPUBuffer[],
): {
  view: Map<string, Version>;
  readFromStore: Map<string, Version>;
  versions: Array<{ inputs: Version[]; outputs: Version[] }>;
  /** Binds every op not in a fused segment; a segment's FusedStep goes where its first op was. */
  build: (
    compiled: readonly CompiledKernel[][],
    fusedAt: ReadonlyMap<number, FusedSegment>,
    fusedStep: (seg: FusedSegment) => FusedStep,
    rngAdvanceFused: boolean,
  ) => Array<Dispatch | FusedStep>;
  /** Filled by build: the log buffers of ops that keep one. */
  logs: PlanLog[];
  /** Filled by build: buffers fed window by window between submits. */
  streams: PlanStream[];
} {
  const device = ctx.device;
  const view = new Map<string, Version>();
  const readFromStore = new Map<string, Version>();
  const logs: PlanLog[] = [];
  const streams: PlanStream[] = [];
  const fromStore = (name: string): Version | undefined => {
    const blob = store.get(name);
    if (!blob?.buffer) return undefined;
    const v = { buffer: blob.buffer, info: { shape: blob.shape, dtype: blob.dtype }, fresh: false };
    view.set(name, v);
    return v;
  };
  const versions = checked.map((c) => {
    const inputs = c.input.map((name) => {
      const v = view.get(name) ?? fromStore(name)!;
      if (!v.fresh) readFromStore.set(name, v);
      return v;
    });
    const outputs = c.output.map((name, o) => {
      const info = c.outInfos[o]!;
      const cur = view.get(name) ?? fromStore(name);
      if (cur && sameInfo(cur.info, info)) return cur;
      const buffer = ctx.pool.acquire(tensorBytes(info), BLOB_USAGE, name);
      staged.push(buffer);
      const v = { buffer, info, fresh: true };
      view.set(name, v);
      return v;
    });
    return { inputs, outputs };
  });

  const uniformBuffer = (kernel: CompiledKernel, values: KernelCall['uniforms'], where: string): GPUBuffer => {
    const bytes = packUniforms(kernel.uniform!, values ?? {}, `${where}, kernel ${kernel.file}`);
    const buf = ctx.pool.acquire(bytes.byteLength, UNIFORM_USAGE, `${where} ${kernel.file} uniforms`);
    owned.push(buf);
    device.queue.writeBuffer(buf, 0, bytes);
    return buf;
  };
  const build = (
    compiled: readonly CompiledKernel[][],
    fusedAt: ReadonlyMap<number, FusedSegment>,
    fusedStep: (seg: FusedSegment) => FusedStep,
    rngAdvanceFused: boolean,
  ): Array<Dispatch | FusedStep> => {
    const dispatches: Array<Dispatch | FusedStep> = [];
    let fusedUntil = 0;
    const push = (kernel: CompiledKernel, entries: BoundEntry[], wg: KernelCall['workgroups'], runOnce: boolean, label: string): void => {
      dispatches.push({
        pipeline: kernel.pipeline,
        bindGroup: device.createBindGroup({
          layout: kernel.bindGroupLayout,
          entries: entries.map((e) => ({ binding: e.binding, resource: { buffer: e.buffer, size: e.size } })),
          label,
        }),
        workgroups: [wg[0], wg[1] ?? 1, wg[2] ?? 1],
        runOnce,
      });
    };
    // Word copy `from` -> `to` with copy.wgsl (bindings: params, X, Y).
    const pushCopy = (from: GPUBuffer, to: GPUBuffer, bytes: number, runOnce: boolean, where: string): void => {
      const words = bytes / 4;
      const params = uniformBuffer(copyKernel, { n: words }, where);
      push(
        copyKernel,
        [
          { binding: 0, buffer: params, size: params.size, writable: false },
          { binding: 1, buffer: from, size: bytes, writable: false },
          { binding: 2, buffer: to, size: bytes, writable: true },
        ],
        linearWorkgroups(words),
        runOnce,
        `${where} in-place copy`,
      );
    };
    for (const [ci, c] of checked.entries()) {
      const seg = fusedAt.get(ci);
      if (seg) {
        dispatches.push(fusedStep(seg));
        fusedUntil = seg.to;
      }
      if (ci < fusedUntil) continue;
      const scratch = new Map<string, GPUBuffer>();
      const blobBinding = (v: Version): { buffer: GPUBuffer; size: number } => ({ buffer: v.buffer, size: tensorBytes(v.info) });
      c.calls.forEach((call, k) => {
        const kernel = compiled[ci]![k]!;
        const entries: BoundEntry[] = [];
        for (const b of kernel.bindings) {
          if (b.kind === 'uniform') {
            const buf = uniformBuffer(kernel, call.uniforms, c.where);
            entries.push({ binding: b.binding, buffer: buf, size: buf.size, writable: false });
            continue;
          }
          const src = call.bindings?.[b.name] ?? sourceByName(c.spec, b.name);
          const fail = (why: string): never => {
            throw new Error(`${c.where}: kernel ${call.shader} binding "${b.name}" ${why}`);
          };
          let target: { buffer: GPUBuffer; size: number };
          if (!src) target = fail('matches no input, output or explicit binding');
          else if ('input' in src) target = blobBinding(versions[ci]!.inputs[src.input] ?? fail(`wants input #${src.input}, which the op does not have`));
          else if ('output' in src) target = blobBinding(versions[ci]!.outputs[src.output] ?? fail(`wants output #${src.output}, which the op does not have`));
          else if ('scratch' in src) {
            let buf = scratch.get(src.scratch);
            if (!buf) {
              buf = ctx.pool.acquire(src.bytes, BLOB_USAGE, `${c.where} scratch ${src.scratch}`);
              owned.push(buf);
              scratch.set(src.scratch, buf);
            }
            target = { buffer: buf, size: Math.max(4, Math.ceil(src.bytes / 4) * 4) };
          } else if ('log' in src) {
            let log = logs.find((l) => l.report === c.report);
            if (!log) {
              if (!c.report) fail('is a log, but the operator has no report');
              const bytes = Math.max(4, Math.ceil(src.log / 4) * 4);
              const buffer = ctx.pool.acquire(bytes, BLOB_USAGE, `${c.where} log`);
              owned.push(buffer);
              device.queue.writeBuffer(buffer, 0, new Uint8Array(bytes));
              logs.push((log = { buffer, bytes, report: c.report! }));
            }
            target = { buffer: log.buffer, size: log.bytes };
          } else if ('constant' in src) {
            const bytes = Math.max(4, src.constant.byteLength);
            const buf = ctx.pool.acquire(bytes, BLOB_USAGE, `${c.where} constant ${b.name}`);
            owned.push(buf);
            if (src.constant.byteLength) device.queue.writeBuffer(buf, 0, src.constant);
            target = { buffer: buf, size: bytes };
          } else if ('stream' in src) {
            const bytes = Math.max(4, Math.ceil(src.stream.bytes / 4) * 4);
            let stream = streams.find((st) => st.source === src.stream);
            if (!stream) {
              const buffer = ctx.pool.acquire(bytes, BLOB_USAGE, `${c.where} stream ${b.name}`);
              owned.push(buffer);
              streams.push((stream = { buffer, source: src.stream, loaded: -1 }));
            }
            target = { buffer: stream.buffer, size: bytes };
          } else target = { buffer: store.rng, size: 16 };
          entries.push({ binding: b.binding, ...target, writable: !b.readOnly });
        }
        // WebGPU forbids a buffer bound writable and bound again in the same dispatch: an op computed
        // in place writes a temporary, and a copy dispatch then moves the result into the blob.
        const copies: Array<[GPUBuffer, GPUBuffer, number]> = [];
        for (const e of entries) {
          if (!e.writable || entries.filter((o) => o.buffer === e.buffer).length < 2) continue;
          const tmp = ctx.pool.acquire(e.size, BLOB_USAGE, `${c.where} in-place temporary`);
          owned.push(tmp);
          copies.push([tmp, e.buffer, e.size]);
          e.buffer = tmp;
        }
        push(kernel, entries, call.workgroups, c.runOnce, `${c.where} ${call.shader}`);
        for (const [from, to, bytes] of copies) pushCopy(from, to, bytes, c.runOnce, c.where);
      });
    }
    if (checked.some((c) => c.spec.random) && !rngAdvanceFused) {
      push(advanceKernel, [{ binding: 0, buffer: store.rng, size: 16, writable: true }], [1], false, `net "${net.name}" rng advance`);
    }
    return dispatches;
  };
  return { view, readFromStore, versions, build, logs, streams };
}

/** A blob version as the fusion pass sees it. */
function operand(v: Version): { key: Version; words: number } {
  return { key: v, words: storageWords(v.info.dtype, size(v.info.shape)) };
}

interface BoundEntry {
  binding: number;
  buffer: GPUBuffer;
  size: number;
  writable: boolean;
}
