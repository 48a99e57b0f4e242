/** Host checks of what Init and SetLimits are given, so a bad option is an ArgumentError, never a raw Dawn error. */
import { ArgumentError } from '../core/errors.js';
import { checkAdapterChoice, type DeviceOptions } from './device.js';

/** What SetLimits accepts. */
export interface WorkspaceLimits {
  /** Largest blob a net or FeedBlob may create, in bytes; Infinity for the adapter's limits only. */
  maxBlobBytes?: number;
  /** Most bytes of free buffers the pool keeps for reuse; the oldest beyond it are destroyed. */
  poolBytes?: number;
}

const POWER = ['low-power', 'high-performance'];

/** Throws an ArgumentError for an option Init cannot use. */
export function checkDeviceOptions(options: DeviceOptions): void {
  if (typeof options !== 'object' || options === null) throw new ArgumentError(`Init: options must be an object, got ${String(options)}`);
  const known = ['adapter', 'toggles', 'powerPreference', 'swiftshaderIcd'];
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length) throw new ArgumentError(`Init: unknown option(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  if (options.adapter !== undefined) checkAdapterChoice(options.adapter, 'Init({ adapter })');
  if (options.powerPreference !== undefined && !POWER.includes(options.powerPreference)) {
    throw new ArgumentError(`Init: unknown powerPreference "${String(options.powerPreference)}"; expected one of ${POWER.join(', ')}`);
  }
  if (options.toggles !== undefined) {
    if (!Array.isArray(options.toggles)) throw new ArgumentError(`Init: toggles must be an array of "name=value" strings`);
    for (const t of options.toggles as unknown[]) {
      // Dawn's Node flags are key=value pairs; anything else makes create() throw a raw Error.
      if (typeof t !== 'string' || !/^[^=\s]+=\S*$/.test(t)) {
        throw new ArgumentError(`Init: toggle ${JSON.stringify(t)} is not of the form "name=value" (e.g. "enable-dawn-features=allow_unsafe_apis")`);
      }
    }
  }
  if (options.swiftshaderIcd !== undefined && typeof options.swiftshaderIcd !== 'string') {
    throw new ArgumentError(`Init: swiftshaderIcd must be a path string`);
  }
}

/** Throws an ArgumentError unless every given limit is a non-negative number of bytes. */
export function checkLimits(limits: WorkspaceLimits): void {
  for (const [k, v] of Object.entries(limits)) {
    if (k !== 'maxBlobBytes' && k !== 'poolBytes') throw new ArgumentError(`SetLimits: unknown limit "${k}"; known: maxBlobBytes, poolBytes`);
    if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v) || v < 0)) {
      throw new ArgumentError(`SetLimits: ${k} must be a non-negative number of bytes (Infinity allowed), got ${String(v)}`);
    }
  }
}

/** The options `wanted` sets to something other than `current` has, as "name=value" texts. */
export function changedDeviceOptions(wanted: DeviceOptions, current: DeviceOptions): string[] {
  return Object.entries(wanted)
    .filter(([k, v]) => v !== undefined && JSON.stringify(v) !== JSON.stringify(current[k as keyof DeviceOptions]))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
}
