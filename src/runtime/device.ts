/**
 * Device acquisition, the one place that knows whether we run in Node (Dawn through the `webgpu`
 * package) or in a browser (navigator.gpu). Everything else only sees a GPUDevice.
 */
import { ArgumentError, DeviceError } from '../core/errors.js';

/** Which adapter to ask for. "auto" prefers hardware and falls back to the software adapter. */
export type AdapterChoice = 'auto' | 'hardware' | 'software';

const ADAPTER_CHOICES: readonly AdapterChoice[] = ['auto', 'hardware', 'software'];

/**
 * `value` as an AdapterChoice; anything else (a typo, "gpu") is an ArgumentError naming where it
 * came from, rather than being silently read as "auto".
 */
export function checkAdapterChoice(value: unknown, where: string): AdapterChoice {
  if (typeof value === 'string' && (ADAPTER_CHOICES as readonly string[]).includes(value)) return value as AdapterChoice;
  throw new ArgumentError(`${where} must be one of ${ADAPTER_CHOICES.map((c) => `"${c}"`).join(', ')}; got ${JSON.stringify(value)}.`);
}

export interface DeviceOptions {
  adapter?: AdapterChoice;
  /** Dawn toggles, passed to `create()` in Node (e.g. "enable_immediate_error_handling"). */
  toggles?: string[];
  powerPreference?: GPUPowerPreference;
  /** Path of the SwiftShader Vulkan ICD JSON (Node on Linux); defaults to Chromium's. */
  swiftshaderIcd?: string;
}

/** What the adapter is, as users and the bench report it. */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for a CPU implementation such as SwiftShader. */
  software: boolean;
  /** "dawn-node" or "browser". */
  runtime: string;
  features: string[];
}

/** A live device plus what it is and how to let it go. */
export interface GpuHandle {
  device: GPUDevice;
  adapter: AdapterDescription;
  /** Destroys the device; in Node this lets the process exit. */
  destroy(): void;
}

/** Limits worth raising to the adapter's maximum: big tensors and many bindings. */
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
] as const;

/** Requests a device with raised limits and describes its adapter. */
export async function openDevice(adapter: GPUAdapter, runtime: string): Promise<Omit<GpuHandle, 'destroy'>> {
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const features = [...adapter.features].filter((f): f is GPUFeatureName => f === 'timestamp-query' || f === 'subgroups');
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures: features, label: 'caffe2-webgpu' });
  const info = adapter.info;
  const software =
    (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
    /swiftshader|llvmpipe|lavapipe|software/i.test(`${info.vendor} ${info.architecture} ${info.description}`);
  return {
    device,
    adapter: {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      software,
      runtime,
      features: [...adapter.features].sort(),
    },
  };
}

/** Acquires a device wherever we run: navigator.gpu when present, else Dawn in Node. */
export async function acquireDevice(options: DeviceOptions = {}): Promise<GpuHandle> {
  if (options.adapter !== undefined) checkAdapterChoice(options.adapter, 'Init({ adapter })');
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) {
    const adapter = await nav.gpu.requestAdapter({
      powerPreference: options.powerPreference ?? 'high-performance',
      forceFallbackAdapter: options.adapter === 'software',
    });
    if (!adapter) {
      throw new DeviceError('navigator.gpu.requestAdapter() returned no adapter: WebGPU is exposed but no GPU is usable here.');
    }
    const opened = await openDevice(adapter, 'browser');
    return { ...opened, destroy: () => opened.device.destroy() };
  }
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (!isNode) {
    throw new DeviceError('This browser does not expose WebGPU (navigator.gpu is missing). Use a current Chrome or Edge, or enable WebGPU.');
  }
  // A variable specifier keeps browser bundlers from pulling Dawn in.
  const nodeModule = './device_node.js';
  const { acquireNodeDevice } = (await import(/* @vite-ignore */ nodeModule)) as typeof import('./device_node.js');
  return acquireNodeDevice(options);
}
