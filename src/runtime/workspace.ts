/**
 * Caffe2's `workspace` module: the current workspace, the named ones, and the calls on them.
 *
 * Every call takes effect in the order it was made, awaited or not: asynchronous calls go through
 * one queue (call_queue.ts), and calls with a synchronous result run at once when nothing is
 * queued, else behind what is. A call that fails leaves the workspace as it was.
 */
import type { OperatorDef } from '../core/netdef.js';
import { ArgumentError, Caffe2Error, DeviceError, MissingWorkspaceError, didYouMean } from '../core/errors.js';
import type { AdapterDescription, DeviceOptions } from './device.js';
import { peekGpu, shutdownGpu, type RuntimeStats } from './gpu_context.js';
import { CallQueue } from './call_queue.js';
import { configureFusion } from './fusion.js';
import { DEFAULT_POOL_BUDGET } from './buffer_pool.js';
import { toHostTensor, type FeedData, type FeedOptions } from './host_data.js';
import { Tensor } from './tensor.js';
import { setLogSink } from './op_log.js';
import { Workspace, type NetLike, type WorkspaceSettings } from './workspace_core.js';
import { changedDeviceOptions, checkDeviceOptions, checkLimits, type WorkspaceLimits } from './workspace_checks.js';

export { Workspace, MAX_DISPATCHES_PER_SUBMIT } from './workspace_core.js';
export type { NetLike, WorkspaceLimits };

/** A blob name, or anything whose String() is one (a BlobReference), as Caffe2 stringifies it. */
export type BlobName = string | { toString(): string };

const settings: WorkspaceSettings = { device: {}, maxBlobBytes: Infinity, poolBytes: DEFAULT_POOL_BUDGET };
const workspaces = new Map<string, Workspace>();
let currentName = 'default';
const queue = new CallQueue();

function getWs(name: string): Workspace {
  let ws = workspaces.get(name);
  if (!ws) workspaces.set(name, (ws = new Workspace(name, () => settings)));
  return ws;
}

function cur(): Workspace {
  return getWs(currentName);
}

/** Caffe2's StringifyBlobName: a string as it is, anything else by its String(). */
function blobName(name: BlobName, what: string): string {
  if (typeof name === 'string') return name;
  if (name === null || name === undefined || (typeof name !== 'object' && typeof name !== 'number')) {
    throw new ArgumentError(`${what}: a blob name must be a string or a BlobReference, got ${String(name)}`);
  }
  return String(name);
}

/** Queues `job`: it runs after every call made before it. */
function later<T>(job: () => T | Promise<T>): Promise<T> {
  return queue.enqueue(job);
}

/**
 * `prepare` runs now: it checks the arguments and captures what the call needs at call time (the
 * current workspace, the names); what it throws rejects the call. The job it returns is queued.
 */
function queued<T>(prepare: () => () => T | Promise<T>): Promise<T> {
  let job: () => T | Promise<T>;
  try {
    job = prepare();
  } catch (e) {
    return Promise.reject(e);
  }
  return queue.enqueue(job);
}

/** Init's options: the device's, and `fusion` (default on unless CAFFE2_WEBGPU_FUSION=0) for nets created afterwards. */
export interface InitOptions extends DeviceOptions {
  fusion?: boolean;
}

/** Opens the GPU with these options (optional: the first GPU call opens it with defaults). A failed Init changes nothing. */
export function Init(options: InitOptions = {}): Promise<AdapterDescription> {
  let device: DeviceOptions = options;
  let fusion: unknown;
  try {
    if (typeof options === 'object' && options !== null && 'fusion' in options) ({ fusion, ...device } = options);
    if (fusion !== undefined && typeof fusion !== 'boolean') throw new ArgumentError(`Init: fusion must be true or false, got ${String(fusion)}`);
    checkDeviceOptions(device);
  } catch (e) {
    return Promise.reject(e);
  }
  const ws = cur();
  const wanted: DeviceOptions = { ...device, toggles: device.toggles ? [...device.toggles] : undefined };
  return later(async () => {
    const before = settings.device;
    if (peekGpu()) {
      // The device is open: options it was not opened with cannot take effect, so say so.
      const clash = changedDeviceOptions(wanted, before);
      if (clash.length) {
        throw new ArgumentError(`Init: the device is already open without ${clash.join(', ')}; call workspace.Shutdown() first to open one with other options`);
      }
    } else settings.device = wanted;
    try {
      const adapter = (await ws.gpu()).adapter;
      if (typeof fusion === 'boolean') configureFusion({ enabled: fusion });
      return adapter;
    } catch (e) {
      settings.device = before;
      throw e instanceof Caffe2Error ? e : new DeviceError(`Init: could not open a WebGPU device: ${(e as Error).message}`);
    }
  });
}

/** The adapter in use (opens the device if needed). */
export function Adapter(): Promise<AdapterDescription> {
  const ws = cur();
  return later(async () => (await ws.gpu()).adapter);
}

/**
 * Caps what nets and feeds may allocate (for untrusted nets: a 150-byte NetDef can ask for GiBs)
 * and how many bytes of free buffers the pool keeps. Takes effect in call order.
 */
export function SetLimits(limits: WorkspaceLimits): void {
  checkLimits(limits);
  queue.runOrEnqueue(() => {
    if (limits.maxBlobBytes !== undefined) settings.maxBlobBytes = limits.maxBlobBytes;
    if (limits.poolBytes !== undefined) {
      settings.poolBytes = limits.poolBytes;
      for (const ws of workspaces.values()) ws.openContext?.pool.setBudget(limits.poolBytes);
    }
  });
}

/** Stores a tensor under `name` (a copy taken at call time); a created net that reads it sees the new values next run. */
export function FeedBlob(name: BlobName, data: FeedData, options?: FeedOptions | readonly number[]): Promise<boolean> {
  try {
    const n = blobName(name, 'FeedBlob');
    const opts: FeedOptions = Array.isArray(options) ? { shape: options as readonly number[] } : ((options as FeedOptions | undefined) ?? {});
    const host = toHostTensor(data, opts, `FeedBlob("${n}")`);
    const ws = cur();
    const ctx = ws.openContext;
    if (!queue.busy && ctx) {
      // Nothing queued and the device open: write now, so the caller's array is copied at call time.
      ctx.check();
      ws.writeBlob(ctx, n, host.shape, host.dtype, host.values);
      return Promise.resolve(true);
    }
    // Queued: snapshot the caller's array (one native copy), so later changes to it do not leak in.
    const values = host.borrowed ? host.values.slice() : host.values;
    return later(async () => {
      ws.writeBlob(await ws.gpu(), n, host.shape, host.dtype, values);
      return true;
    });
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Reads a blob back to the host: the only readback. */
export function FetchBlob(name: BlobName): Promise<Tensor> {
  return queued(() => {
    const n = blobName(name, 'FetchBlob');
    const ws = cur();
    return () => ws.fetchBlob(n);
  });
}

/** FetchBlob for several names. */
export function FetchBlobs(names: readonly BlobName[]): Promise<Tensor[]> {
  return queued(() => {
    const ns = names.map((n) => blobName(n, 'FetchBlobs'));
    const ws = cur();
    return () => Promise.all(ns.map((n) => ws.fetchBlob(n)));
  });
}

/** True when the current workspace has a blob of that name (as of the calls that have finished). */
export function HasBlob(name: BlobName): boolean {
  return cur().hasBlob(blobName(name, 'HasBlob'));
}

/** Names of the blobs of the current workspace, sorted (as of the calls that have finished). */
export function Blobs(): string[] {
  return cur().names();
}

/** Plans a net, runs it once and forgets the plan; its blobs stay. */
export function RunNetOnce(net: NetLike): Promise<boolean> {
  const ws = cur();
  return later(() => ws.runNetOnce(net));
}

/** Runs one operator once. */
export function RunOperatorOnce(op: OperatorDef): Promise<boolean> {
  const ws = cur();
  return later(() => ws.runOperatorOnce(op));
}

/** Plans a net once and keeps it under its name for RunNet. A failed CreateNet leaves every blob as it was. */
export function CreateNet(net: NetLike, overwrite = false): Promise<boolean> {
  const ws = cur();
  return later(() => ws.createNet(net, overwrite));
}

/** Runs a created net numIter times: one submit per MAX_DISPATCHES_PER_SUBMIT dispatches, no readback. */
export function RunNet(nameOrNet: string | NetLike, numIter = 1): Promise<boolean> {
  const ws = cur();
  return later(() => ws.runNet(nameOrNet, numIter));
}

/**
 * Runs a created net numIter times and records `blobs` after every iteration on the GPU; one
 * submit and one readback. Returns each blob's history as a tensor of shape [numIter, ...shape].
 */
export function RunNetWithHistory(nameOrNet: string | NetLike, numIter: number, blobs: readonly BlobName[]): Promise<Record<string, Tensor>> {
  return queued(() => {
    const ns = blobs.map((n) => blobName(n, 'RunNetWithHistory'));
    const ws = cur();
    return () => ws.runNetWithHistory(nameOrNet, numIter, ns);
  });
}

/** Names of the nets created in the current workspace (as of the calls that have finished). */
export function Nets(): string[] {
  return cur().netNames();
}

/** Forgets a created net; resolves to whether there was one. */
export function DeleteNet(name: string): Promise<boolean> {
  const ws = cur();
  return later(() => ws.deleteNet(name));
}

/** Drops every blob and net of the current workspace and frees the pool's spare buffers. */
export function ResetWorkspace(): boolean {
  const ws = cur();
  queue.runOrEnqueue(() => {
    ws.dropAll();
    ws.openContext?.pool.trim();
  });
  return true;
}

/** Makes `name` the current workspace for the calls made after it; a missing one is created only when `create` is true. */
export function SwitchWorkspace(name: string, create = false): boolean {
  if (!workspaces.has(name) && name !== 'default' && !create) {
    throw new MissingWorkspaceError(`SwitchWorkspace: no workspace named "${name}" (pass create=true to make it).${didYouMean(name, workspaces.keys())}`);
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

/**
 * Where Print and Summarize lines go (default console.log; null restores it). The lines of one
 * RunNet call arrive together when its work is done, read back from the GPU in one go.
 */
export function SetLogSink(sink: ((line: string) => void) | null): void {
  setLogSink(sink);
}

/** Seeds the current workspace's GPU random numbers: same seed and calls give identical bits. */
export function SetSeed(seed: number): void {
  Workspace.checkSeed(seed);
  const ws = cur();
  queue.runOrEnqueue(() => ws.setSeed(seed));
}

/** The current workspace's RNG state [seed_lo, seed_hi, counter_lo, counter_hi] (for checkpoints). */
export function GetRngState(): Promise<Uint32Array> {
  const ws = cur();
  return later(() => ws.rngState());
}

/** Restores an RNG state from GetRngState. */
export function SetRngState(state: ArrayLike<number>): Promise<void> {
  const words = Array.from(state);
  const ws = cur();
  return later(() => ws.setRngState(words));
}

/** Resolves when every call made so far and all GPU work they submitted have finished. */
export function Sync(): Promise<void> {
  const ws = cur();
  return later(async () => {
    const ctx = await ws.gpu();
    await ctx.device.queue.onSubmittedWorkDone();
    ctx.check();
  });
}

/** Counters: submits, dispatches, iterations, mapAsyncs, pipelines, plans, live/pooled/created buffers and bytes. */
export function Stats(): Promise<RuntimeStats> {
  const ws = cur();
  return later(async () => (await ws.gpu()).stats());
}

/**
 * Destroys the GPU device. Call it when done: in Node, Dawn keeps the process alive while a
 * device lives. Blobs and nets of every workspace are dropped; a later call opens a new device.
 */
export function Shutdown(): Promise<void> {
  return later(async () => {
    if (!peekGpu()) return;
    for (const ws of workspaces.values()) ws.detach();
    await shutdownGpu();
  });
}

/** The Workspace object behind a name (advanced use: tests, the bench, history capture). */
export function GetWorkspace(name: string = currentName): Workspace {
  return getWs(name);
}
