/**
 * Caffe2's scope module: a name prefix and a device option that apply to every operator built while
 * they are current. Python uses `with core.NameScope("conv1"):`; TypeScript takes a callback.
 */
import type { DeviceOption } from '../core/netdef.js';
import { cloneDeviceOption } from '../core/netdef.js';
import { BlobReference } from './blob_reference.js';

/** Caffe2's _NAMESCOPE_SEPARATOR. */
export const NAMESCOPE_SEPARATOR = '/';

let nameScope = '';
let deviceScope: DeviceOption | null = null;

/** The current name prefix, "" or ending in "/" ("conv1/", "a/b/"). */
export function CurrentNameScope(): string {
  return nameScope;
}

/** The current device option, or null outside any DeviceScope. */
export function CurrentDeviceScope(): DeviceOption | null {
  return deviceScope ? cloneDeviceOption(deviceScope) : null;
}

/** `name` with the current name scope in front (Caffe2's ScopedName). */
export function ScopedName(name: string): string {
  return nameScope + name;
}

/** A BlobReference to `name` with the current name scope in front (Caffe2's core.ScopedBlobReference). */
export function ScopedBlobReference(name: string): BlobReference {
  return new BlobReference(ScopedName(name));
}

/** Runs `fn` with the scope set, restoring it afterwards even when `fn` throws (or its promise rejects). */
export function within<T>(enter: () => void, leave: () => void, fn: () => T): T {
  enter();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    leave();
    throw e;
  }
  if (result instanceof Promise) return result.finally(leave) as T;
  leave();
  return result;
}

/**
 * Blob names built inside `fn` get `prefix + "/"` in front: `NameScope("conv1", () => net.FC(…, "y"))`
 * writes "conv1/y". Scopes nest ("a/b/"); `reset` starts from the top; an empty prefix adds nothing.
 */
export function NameScope<T>(prefix: string | null, fn: () => T, options: { reset?: boolean } = {}): T {
  if (prefix !== null && typeof prefix !== 'string') throw new TypeError(`NameScope takes in a string as its argument, got ${typeof prefix}`);
  const old = nameScope;
  const add = prefix ? prefix + NAMESCOPE_SEPARATOR : '';
  return within(
    () => {
      nameScope = options.reset ? add : old + add;
    },
    () => {
      nameScope = old;
    },
    fn,
  );
}

/** Operators built inside `fn` carry `option` as their device_option (unless they pass their own). */
export function DeviceScope<T>(option: DeviceOption | null, fn: () => T): T {
  const old = deviceScope;
  return within(
    () => {
      deviceScope = option ? cloneDeviceOption(option) : null;
    },
    () => {
      deviceScope = old;
    },
    fn,
  );
}

/** caffe2_pb2's device types. */
export const DeviceType = { CPU: 0, CUDA: 1, MKLDNN: 2, OPENGL: 3, OPENCL: 4, IDEEP: 5, HIP: 6 } as const;

/** core.DeviceOption(device_type, device_id, random_seed, node_name, numa_node_id, extra_info). */
export function DeviceOption(
  device_type: number,
  device_id = 0,
  random_seed?: number,
  node_name?: string,
  numa_node_id?: number,
  extra_info?: readonly string[],
): DeviceOption {
  const d: DeviceOption = { device_type, device_id };
  if (random_seed !== undefined) d.random_seed = random_seed;
  if (node_name !== undefined) d.node_name = node_name;
  if (numa_node_id !== undefined) d.numa_node_id = numa_node_id;
  if (extra_info !== undefined) d.extra_info = [...extra_info];
  return d;
}
