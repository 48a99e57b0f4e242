/**
 * Workspaces: name → blob and name → created net, with Caffe2's module-level API on the current
 * one. Blobs live on the GPU; FeedBlob writes and FetchBlob reads are the only host copies.
 */
import type { NetDef, NetLike, OperatorDef } from '../core/netdef.js';
import { cloneNetDef, cloneOp, netDefOf } from '../core/netdef.js';
import { ArgumentError, MissingBlobError, didYouMean, knownBlobsHint } from '../core/errors.js';
import type { TensorInfo } from '../ops/registry.js';
import type { DeviceOptions, AdapterDescription } from './device.js';
import { BLOB_USAGE, initGpu, peekGpu, shutdownGpu, type GpuContext, type RuntimeStats } from './gpu_context.js';
import { sameInfo, tensorBytes, type Blob, type BlobStore } from './blob.js';
import { NetPlan, planNet } from './plan.js';
import { readBuffer } from './readback.js';
import { runWithHistory } from './history.js';
import { Tensor } from './tensor.js';
import { toHostTensor, type FeedData, type FeedOptions } from './host_data.js';

export type { NetLike };

/** One workspace. Most users only touch it through the module functions below. */
export class Workspace implements BlobStore {
  private readonly blobs = new Map<string, Blob>();
  private readonly nets = new Map<string, NetPlan>();
  private rngBuffer: GPUBuffer | null = null;
  private seed: number = Math.floor(Math.random() * 2 ** 32);

  constructor(
    readonly name: string,
    private readonly gpuOptions: () => DeviceOptions,
  ) {}

  // --- BlobStore -------------------------------------------------------------------------------
  get(name: string): Blob | undefined {
    return this.blobs.get(name);
  }

  names(): string[] {
    return [...this.blobs.keys()].sort();
  }

  get rng(): GPUBuffer {
    if (!this.rngBuffer) throw new Error('internal: RNG state used before the workspace met the GPU');
    return this.rngBuffer;
  }

  ensure(name: string, info: TensorInfo): Blob {
    const ctx = this.ctxNow();
    const blob = this.blobs.get(name);
    if (blob?.buffer && sameInfo(blob, info)) return blob;
    if (blob?.buffer) ctx.pool.release(blob.buffer);
    const next: Blob = {
      name,
      shape: [...info.shape],
      dtype: info.dtype,
      buffer: ctx.pool.acquire(tensorBytes(info), BLOB_USAGE, name),
    };
    this.blobs.set(name, next);
    return next;
  }

  // --- GPU access ------------------------------------------------------------------------------
  private ctx: GpuContext | null = null;

  private ctxNow(): GpuContext {
    if (!this.ctx) throw new Error('internal: workspace used before its GPU context was opened');
    return this.ctx;
  }

  /** The GPU context, opening the device on first use. */
  async gpu(): Promise<GpuContext> {
    const ctx = await initGpu(this.gpuOptions());
    if (this.ctx !== ctx) {
      // A new device (first use, or after Shutdown): nothing from an older one is valid.
      this.dropAll(false);
      this.ctx = ctx;
      this.rngBuffer = ctx.pool.acquire(16, BLOB_USAGE, `workspace "${this.name}" rng`);
      this.writeSeed();
    }
    ctx.check();
    return ctx;
  }

  private writeSeed(): void {
    if (!this.ctx || !this.rngBuffer) return;
    this.ctx.device.queue.writeBuffer(this.rngBuffer, 0, new Uint32Array([this.seed >>> 0, Math.floor(this.seed / 2 ** 32) >>> 0, 0, 0]));
  }

  /** Makes every random fill from now on reproducible: same seed, same calls → same bits. */
  setSeed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) {
      throw new ArgumentError(`SetSeed: seed must be a non-negative integer, got ${seed}`);
    }
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
    const ctx = await this.gpu();
    this.seed = state[0]! + state[1]! * 2 ** 32;
    ctx.device.queue.writeBuffer(this.rng, 0, Uint32Array.from(state));
  }

  // --- blobs -----------------------------------------------------------------------------------
  async feedBlob(name: string, data: FeedData, options: FeedOptions = {}): Promise<boolean> {
    const host = toHostTensor(data, options, `FeedBlob("${name}")`);
    const ctx = await this.gpu();
    const blob = this.ensure(name, { shape: host.shape, dtype: host.dtype });
    ctx.device.queue.writeBuffer(blob.buffer!, 0, host.values);
    blob.hostValues = host.values;
    return true;
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
    const data = blob.dtype === 'float32' ? new Float32Array(raw, 0, n) : new Int32Array(raw, 0, n);
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
    const plan = await planNet(ctx, this, def);
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
      throw new MissingBlobError(`${what}: can't find net "${name}" in workspace "${this.name}".${didYouMean(name, this.nets.keys())} Create it with CreateNet first.`);
    }
    const ctx = await this.gpu();
    if (!plan.isCurrent(this)) {
      // A blob it binds was re-fed with another shape: plan again rather than run on stale buffers.
      const fresh = await planNet(ctx, this, plan.net);
      fresh.runCount = plan.runCount;
      plan.release(ctx);
      this.nets.set(name, fresh);
      plan = fresh;
    }
    return { ctx, plan };
  }

  async runNet(nameOrNet: string | NetLike, numIter = 1): Promise<boolean> {
    const { ctx, plan } = await this.currentPlan('RunNet', nameOrNet, numIter);
    this.submit(ctx, plan, numIter, plan.net.name);
    return true;
  }

  async runNetWithHistory(nameOrNet: string | NetLike, numIter: number, blobs: readonly string[]): Promise<Record<string, Tensor>> {
    const { ctx, plan } = await this.currentPlan('RunNetWithHistory', nameOrNet, numIter);
    return runWithHistory(ctx, this, plan, numIter, blobs);
  }

  private submit(ctx: GpuContext, plan: NetPlan, iterations: number, label: string): void {
    if (iterations === 0) return;
    const enc = ctx.device.createCommandEncoder({ label });
    const pass = enc.beginComputePass({ label });
    ctx.counters.dispatches += plan.encode(pass, iterations);
    pass.end();
    ctx.device.queue.submit([enc.finish()]);
    ctx.counters.submits++;
  }

  async runNetOnce(net: NetLike): Promise<boolean> {
    const ctx = await this.gpu();
    const plan = await planNet(ctx, this, cloneNetDef(netDefOf(net)));
    try {
      this.submit(ctx, plan, 1, plan.net.name);
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

// --- the module-level API (Caffe2's `workspace`) --------------------------------------------------

let deviceOptions: DeviceOptions = {};
const workspaces = new Map<string, Workspace>();
let currentName = 'default';

function getWs(name: string): Workspace {
  let ws = workspaces.get(name);
  if (!ws) workspaces.set(name, (ws = new Workspace(name, () => deviceOptions)));
  return ws;
}

function cur(): Workspace {
  return getWs(currentName);
}

/** Opens the GPU with these options (optional: the first GPU call opens it with defaults). */
export async function Init(options: DeviceOptions = {}): Promise<AdapterDescription> {
  deviceOptions = options;
  return (await cur().gpu()).adapter;
}

/** The adapter in use (opens the device if needed). */
export async function Adapter(): Promise<AdapterDescription> {
  return (await cur().gpu()).adapter;
}

/** Stores a tensor under `name` (a copy); a created net that reads it sees the new values next run. */
export function FeedBlob(name: string, data: FeedData, options?: FeedOptions | readonly number[]): Promise<boolean> {
  const opts: FeedOptions = Array.isArray(options) ? { shape: options as readonly number[] } : ((options as FeedOptions | undefined) ?? {});
  return cur().feedBlob(name, data, opts);
}

/** Reads a blob back to the host: the only readback. */
export function FetchBlob(name: string): Promise<Tensor> {
  return cur().fetchBlob(name);
}

/** FetchBlob for several names. */
export function FetchBlobs(names: readonly string[]): Promise<Tensor[]> {
  return Promise.all(names.map((n) => cur().fetchBlob(n)));
}

/** True when the current workspace has a blob of that name. */
export function HasBlob(name: string): boolean {
  return cur().hasBlob(name);
}

/** Names of the blobs of the current workspace, sorted. */
export function Blobs(): string[] {
  return cur().names();
}

/** Plans a net, runs it once and forgets the plan; its blobs stay. */
export function RunNetOnce(net: NetLike): Promise<boolean> {
  return cur().runNetOnce(net);
}

/** Runs one operator once. */
export function RunOperatorOnce(op: OperatorDef): Promise<boolean> {
  return cur().runOperatorOnce(op);
}

/** Plans a net once and keeps it under its name for RunNet. */
export function CreateNet(net: NetLike, overwrite = false): Promise<boolean> {
  return cur().createNet(net, overwrite);
}

/** Runs a created net numIter times: one command buffer, one submit, no readback. */
export function RunNet(nameOrNet: string | NetLike, numIter = 1): Promise<boolean> {
  return cur().runNet(nameOrNet, numIter);
}

/**
 * Runs a created net numIter times and records `blobs` after every iteration on the GPU; one
 * submit and one readback. Returns each blob's history as a tensor of shape [numIter, ...shape].
 */
export function RunNetWithHistory(nameOrNet: string | NetLike, numIter: number, blobs: readonly string[]): Promise<Record<string, Tensor>> {
  return cur().runNetWithHistory(nameOrNet, numIter, blobs);
}

/** Names of the nets created in the current workspace. */
export function Nets(): string[] {
  return cur().netNames();
}

/** Forgets a created net. */
export function DeleteNet(name: string): boolean {
  return cur().deleteNet(name);
}

/** Drops every blob and net of the current workspace. */
export function ResetWorkspace(): boolean {
  cur().dropAll();
  return true;
}

/** Makes `name` the current workspace; a missing one is created only when `create` is true. */
export function SwitchWorkspace(name: string, create = false): boolean {
  if (!workspaces.has(name) && name !== 'default' && !create) {
    throw new MissingBlobError(`SwitchWorkspace: no workspace named "${name}" (pass create=true to make it).${didYouMean(name, workspaces.keys())}`);
  }
  getWs(name);
  currentName = name;
  return true;
}

/** Name of the current workspace. */
export function CurrentWorkspace(): string {
  return currentName;
}

/** Names of all workspaces. */
export function Workspaces(): string[] {
  getWs(currentName);
  return [...workspaces.keys()].sort();
}

/** Seeds the current workspace's GPU random numbers: same seed and calls give identical bits. */
export function SetSeed(seed: number): void {
  cur().setSeed(seed);
}

/** The current workspace's RNG state [seed_lo, seed_hi, counter_lo, counter_hi] (for checkpoints). */
export function GetRngState(): Promise<Uint32Array> {
  return cur().rngState();
}

/** Restores an RNG state from GetRngState. */
export function SetRngState(state: ArrayLike<number>): Promise<void> {
  return cur().setRngState(state);
}

/** Resolves when all GPU work submitted so far has finished (for timing). */
export async function Sync(): Promise<void> {
  const ctx = await cur().gpu();
  await ctx.device.queue.onSubmittedWorkDone();
  ctx.check();
}

/** Counters: submits, dispatches, mapAsyncs, pipelines, plans, live/pooled/created buffers and bytes. */
export async function Stats(): Promise<RuntimeStats> {
  return (await cur().gpu()).stats();
}

/**
 * Destroys the GPU device. Call it when done: in Node, Dawn keeps the process alive while a
 * device lives. Blobs and nets of every workspace are dropped; a later call opens a new device.
 */
export async function Shutdown(): Promise<void> {
  if (!peekGpu()) return;
  for (const ws of workspaces.values()) ws.detach();
  await shutdownGpu();
}

/** The Workspace object behind a name (advanced use: tests, the bench, history capture). */
export function GetWorkspace(name: string = currentName): Workspace {
  return getWs(name);
}
