/**
 * Workspaces: name → blob and name → created net, with Caffe2's module-level API on the current
 * one. Blobs live on the GPU; FeedBlob writes and FetchBlob reads are the only host copies.
 */
import type { NetLike, OperatorDef } from '../core/netdef.js';
import { cloneNetDef, cloneOp, netDefOf } from '../core/netdef.js';
import { ArgumentError, MissingBlobError, MissingNetError, didYouMean, knownBlobsHint } from '../core/errors.js';
import type { HostArray } from '../core/dtype.js';
import type { TensorInfo } from '../ops/registry.js';
import type { DeviceOptions } from './device.js';
import { BLOB_USAGE, initGpu, type GpuContext } from './gpu_context.js';
import { sameInfo, tensorBytes, type Blob, type BlobStore } from './blob.js';
import { flushLogs } from './op_log.js';
import { NetPlan, planNet } from './plan.js';
import { readBuffer } from './readback.js';
import { runWithHistory } from './history.js';
import { Tensor } from './tensor.js';
import { checkBytes, checkTensor, limitsOf, type SizeLimits } from './limits.js';

export type { NetLike };

/** What the workspaces share besides the device: device options and the caller's caps. */
export interface WorkspaceSettings {
  device: DeviceOptions;
  /** Largest blob a net or FeedBlob may create, in bytes (Infinity: only the adapter's limits). */
  maxBlobBytes: number;
  /** Most bytes of free buffers the pool keeps. */
  poolBytes: number;
}

/** Most dispatches encoded into one command buffer: long runs go in chunks so host memory stays flat. */
export const MAX_DISPATCHES_PER_SUBMIT = 16384;
/** Fed values kept on the host for shape-reading ops (input_as_shape, Iter): only small tensors. */
const HOST_VALUES_MAX = 4096;

/** One workspace. Most users only touch it through the module functions of workspace.ts. */
export class Workspace implements BlobStore {
  private readonly blobs = new Map<string, Blob>();
  private readonly nets = new Map<string, NetPlan>();
  private rngBuffer: GPUBuffer | null = null;
  private seed: number = Math.floor(Math.random() * 2 ** 32);

  constructor(
    readonly name: string,
    private readonly settings: () => WorkspaceSettings,
  ) {}

  // --- BlobStore -------------------------------------------------------------------------------
  get(name: string): Blob | undefined {
    return this.blobs.get(name);
  }

  set(blob: Blob): void {
    this.blobs.set(blob.name, blob);
  }

  names(): string[] {
    return [...this.blobs.keys()].sort();
  }

  get rng(): GPUBuffer {
    if (!this.rngBuffer) throw new Error('internal: RNG state used before the workspace met the GPU');
    return this.rngBuffer;
  }

  /** The blob `name` holding a buffer for `info`: kept if it already fits, else a new buffer. */
  private ensure(ctx: GpuContext, name: string, info: TensorInfo): Blob {
    const blob = this.blobs.get(name);
    if (blob?.buffer && sameInfo(blob, info)) return blob;
    // Acquire before releasing: should the new buffer fail, the old blob is still whole.
    const buffer = ctx.pool.acquire(tensorBytes(info), BLOB_USAGE, name);
    if (blob?.buffer) ctx.pool.release(blob.buffer);
    const next: Blob = { name, shape: [...info.shape], dtype: info.dtype, buffer };
    this.blobs.set(name, next);
    return next;
  }

  // --- GPU access ------------------------------------------------------------------------------
  private ctx: GpuContext | null = null;

  /** The GPU context when this workspace has one open (no waiting). */
  get openContext(): GpuContext | null {
    return this.ctx;
  }

  /** The GPU context, opening the device on first use. */
  async gpu(): Promise<GpuContext> {
    const ctx = await initGpu(this.settings().device);
    if (this.ctx !== ctx) {
      // A new device (first use, or after Shutdown): nothing from an older one is valid.
      this.dropAll(false);
      this.ctx = ctx;
      ctx.pool.setBudget(this.settings().poolBytes);
      this.rngBuffer = ctx.pool.acquire(16, BLOB_USAGE, `workspace "${this.name}" rng`);
      this.writeSeed();
    }
    ctx.check();
    return ctx;
  }

  limits(ctx: GpuContext): SizeLimits {
    return limitsOf(ctx.device, this.settings().maxBlobBytes);
  }

  private writeSeed(): void {
    if (!this.ctx || !this.rngBuffer) return;
    this.ctx.device.queue.writeBuffer(this.rngBuffer, 0, new Uint32Array([this.seed >>> 0, Math.floor(this.seed / 2 ** 32) >>> 0, 0, 0]));
  }

  /** Throws unless `seed` can seed the RNG (checked before a SetSeed is queued). */
  static checkSeed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) {
      throw new ArgumentError(`SetSeed: seed must be a non-negative integer, got ${seed}`);
    }
  }

  /** Makes every random fill from now on reproducible: same seed, same calls → same bits. */
  setSeed(seed: number): void {
    Workspace.checkSeed(seed);
    this.seed = seed;
    this.writeSeed();
  }

  /** The RNG state [seed_lo, seed_hi, counter_lo, counter_hi] (a readback: for checkpoints). */
  async rngState(): Promise<Uint32Array> {
    const ctx = await this.gpu();
    return new Uint32Array(await readBuffer(ctx, this.rng, 16, `workspace "${this.name}" rng`));
  }

  /** Restores an RNG state saved by rngState(), so training resumes with the same random numbers. */
  async setRngState(state: ArrayLike<number>): Promise<void> {
    if (state.length !== 4) throw new ArgumentError(`SetRngState: expected 4 words, got ${state.length}`);
    const words = Uint32Array.from(state);
    const ctx = await this.gpu();
    this.seed = words[0]! + words[1]! * 2 ** 32;
    ctx.device.queue.writeBuffer(this.rng, 0, words);
  }

  // --- blobs -----------------------------------------------------------------------------------
  /** Writes checked host values (see toHostTensor) to blob `name`; a too-large tensor changes nothing. */
  writeBlob(ctx: GpuContext, name: string, shape: readonly number[], dtype: Blob['dtype'], values: HostArray): void {
    checkTensor({ shape, dtype }, this.limits(ctx), `FeedBlob("${name}")`, name, false);
    const blob = this.ensure(ctx, name, { shape, dtype });
    ctx.device.queue.writeBuffer(blob.buffer!, 0, values.buffer, values.byteOffset, values.byteLength);
    if (values.length <= HOST_VALUES_MAX) blob.hostValues = values.slice();
    else delete blob.hostValues;
  }

  private missing(what: string, name: string): MissingBlobError {
    const names = this.names();
    return new MissingBlobError(
      `${what}: no blob named "${name}" in workspace "${this.name}".${knownBlobsHint(name, names)}`,
    );
  }

  async fetchBlob(name: string): Promise<Tensor> {
    const blob = this.blobs.get(name);
    if (!blob?.buffer) throw this.missing('FetchBlob', name);
    const ctx = await this.gpu();
    const bytes = tensorBytes(blob);
    const raw = await readBuffer(ctx, blob.buffer, bytes, name);
    const n = blob.shape.reduce((a, b) => a * b, 1);
    // uint8 widens to Int32Array, so that Tensor.data stays one of two array types for callers.
    const data = blob.dtype === 'float32' ? new Float32Array(raw, 0, n) : blob.dtype === 'int32' ? new Int32Array(raw, 0, n) : Int32Array.from(new Uint8Array(raw, 0, n));
    return new Tensor([...blob.shape], blob.dtype, data);
  }

  hasBlob(name: string): boolean {
    return this.blobs.has(name);
  }

  // --- nets ------------------------------------------------------------------------------------
  async createNet(net: NetLike, overwrite = false): Promise<boolean> {
    const def = cloneNetDef(netDefOf(net));
    if (this.nets.has(def.name) && !overwrite) {
      throw new ArgumentError(
        `CreateNet: a net named "${def.name}" already exists in workspace "${this.name}"; refusing to overwrite it (pass overwrite=true)`,
      );
    }
    const ctx = await this.gpu();
    const plan = await planNet(ctx, this, def, this.limits(ctx));
    this.nets.get(def.name)?.release(ctx);
    this.nets.set(def.name, plan);
    return true;
  }

  /** The created net `nameOrNet`, planned again if a blob it binds changed buffer or shape since. */
  private async currentPlan(what: string, nameOrNet: string | NetLike, numIter: number): Promise<{ ctx: GpuContext; plan: NetPlan }> {
    const name = typeof nameOrNet === 'string' ? nameOrNet : netDefOf(nameOrNet).name;
    if (!Number.isInteger(numIter) || numIter < 0) throw new ArgumentError(`${what}("${name}"): num_iter must be a non-negative integer, got ${numIter}`);
    let plan = this.nets.get(name);
    if (!plan) {
      throw new MissingNetError(`${what}: can't find net "${name}" in workspace "${this.name}".${didYouMean(name, this.nets.keys())} Create it with CreateNet first.`);
    }
    const ctx = await this.gpu();
    if (!plan.isCurrent(this)) {
      // A blob it binds was re-fed with another shape: plan again rather than run on stale buffers.
      const fresh = await planNet(ctx, this, plan.net, this.limits(ctx));
      fresh.runCount = plan.runCount;
      plan.release(ctx);
      this.nets.set(name, fresh);
      plan = fresh;
    }
    return { ctx, plan };
  }

  async runNet(nameOrNet: string | NetLike, numIter = 1): Promise<boolean> {
    let left = numIter;
    do {
      const { ctx, plan } = await this.currentPlan('RunNet', nameOrNet, numIter);
      // A net that reshapes a blob it reads needs a new plan after its first iteration.
      const now = plan.reshapesWhatItReads ? Math.min(1, left) : left;
      await this.submit(ctx, plan, now, plan.net.name);
      left -= now;
    } while (left > 0);
    return true;
  }

  async runNetWithHistory(nameOrNet: string | NetLike, numIter: number, blobs: readonly string[]): Promise<Record<string, Tensor>> {
    const { ctx, plan } = await this.currentPlan('RunNetWithHistory', nameOrNet, numIter);
    if (plan.reshapesWhatItReads && numIter > 1) {
      throw new ArgumentError(
        `RunNetWithHistory("${plan.net.name}"): the net gives a blob it reads another shape, so its iterations differ in shape; run it once with RunNet first`,
      );
    }
    if (numIter > plan.iterationsBeforeRefill) {
      throw new ArgumentError(
        `RunNetWithHistory("${plan.net.name}", ${numIter}): the net reads its data in windows uploaded between submits, and only ` +
          `${plan.iterationsBeforeRefill} more iterations fit the current window; record at most that many per call`,
      );
    }
    // The history of every iteration is one buffer: check its size before any GPU work.
    const perIteration = blobs.reduce((a, n) => a + (this.blobs.get(n) ? tensorBytes(this.blobs.get(n)!) : 0), 0);
    checkBytes(numIter * perIteration, this.limits(ctx), `RunNetWithHistory("${plan.net.name}", ${numIter})`, `history of ${blobs.join(', ')}`, true);
    const history = await runWithHistory(ctx, this, plan, numIter, blobs);
    await flushLogs(ctx, plan.logs);
    return history;
  }

  /**
   * Encodes `iterations` runs of `plan`: one command buffer when they fit MAX_DISPATCHES_PER_SUBMIT
   * dispatches, else chunks of that size with at most two in flight, so host memory stays flat.
   */
  private async submit(ctx: GpuContext, plan: NetPlan, iterations: number, label: string): Promise<void> {
    const perChunk = Math.max(1, Math.floor(MAX_DISPATCHES_PER_SUBMIT / Math.max(1, plan.dispatchCount)));
    let inFlight: Promise<void> | null = null;
    for (let done = 0; done < iterations; ) {
      // A net fed in windows (stream bindings) submits at each window boundary, after the next window's upload.
      const now = Math.min(perChunk, iterations - done, plan.iterationsBeforeRefill);
      plan.refill(ctx.device);
      const enc = ctx.device.createCommandEncoder({ label });
      ctx.counters.dispatches += plan.encode(enc, now);
      ctx.counters.iterations += now;
      ctx.device.queue.submit([enc.finish()]);
      ctx.counters.submits++;
      done += now;
      if (done < iterations) {
        if (inFlight) await inFlight;
        inFlight = ctx.device.queue.onSubmittedWorkDone();
      }
    }
    ctx.check();
    await flushLogs(ctx, plan.logs);
  }

  async runNetOnce(net: NetLike): Promise<boolean> {
    const ctx = await this.gpu();
    const plan = await planNet(ctx, this, cloneNetDef(netDefOf(net)), this.limits(ctx));
    try {
      await this.submit(ctx, plan, 1, plan.net.name);
    } finally {
      plan.release(ctx);
    }
    return true;
  }

  runOperatorOnce(op: OperatorDef): Promise<boolean> {
    return this.runNetOnce({ name: `RunOperatorOnce(${op.type})`, op: [cloneOp(op)], external_input: [], external_output: [] });
  }

  hasNet(name: string): boolean {
    return this.nets.has(name);
  }

  netNames(): string[] {
    return [...this.nets.keys()].sort();
  }

  deleteNet(name: string): boolean {
    const plan = this.nets.get(name);
    if (!plan) return false;
    if (this.ctx) plan.release(this.ctx);
    this.nets.delete(name);
    return true;
  }

  /** Drops every blob and net (buffers go back to the pool when the device is still ours). */
  dropAll(release = true): void {
    const ctx = release ? this.ctx : null;
    for (const plan of this.nets.values()) if (ctx) plan.release(ctx);
    for (const b of this.blobs.values()) if (ctx && b.buffer) ctx.pool.release(b.buffer);
    this.nets.clear();
    this.blobs.clear();
  }

  /** Forgets the device (after Shutdown): a later call opens a new one. */
  detach(): void {
    this.dropAll();
    if (this.ctx && this.rngBuffer) this.ctx.pool.release(this.rngBuffer);
    this.ctx = null;
    this.rngBuffer = null;
  }
}
