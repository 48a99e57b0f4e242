/**
 * Dawn in Node. Prefers a hardware adapter; on a machine without one, points the Vulkan loader at
 * SwiftShader (the CPU Vulkan driver Debian's chromium ships) and tries again.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, globals } from 'webgpu';
import { DeviceError } from '../core/errors.js';
import { openDevice, type DeviceOptions, type GpuHandle } from './device.js';

/** Default location of the SwiftShader ICD; CAFFE2_WEBGPU_SWIFTSHADER_ICD overrides it. */
export const DEFAULT_SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

function swiftshaderIcd(options: DeviceOptions): string {
  return options.swiftshaderIcd ?? process.env.CAFFE2_WEBGPU_SWIFTSHADER_ICD ?? DEFAULT_SWIFTSHADER_ICD;
}

/** The Vulkan loader and SwiftShader complain without XDG_RUNTIME_DIR; give them a private one. */
function ensureRuntimeDir(): void {
  if (!process.env.XDG_RUNTIME_DIR || !existsSync(process.env.XDG_RUNTIME_DIR)) {
    process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'caffe2-webgpu-xdg-'));
  }
}

async function tryAdapter(options: DeviceOptions): Promise<{ gpu: GPU; adapter: GPUAdapter } | null> {
  const gpu = create(options.toggles ?? []) as GPU;
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  return adapter ? { gpu, adapter } : null;
}

/** Acquires a Dawn device, falling back to SwiftShader; the error says what was tried. */
export async function acquireNodeDevice(options: DeviceOptions = {}): Promise<GpuHandle> {
  // Dawn's constants (GPUBufferUsage, GPUMapMode, …) are globals in a browser; make them so here.
  for (const [k, v] of Object.entries(globals)) {
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
  ensureRuntimeDir();
  const choice = options.adapter ?? (process.env.CAFFE2_WEBGPU_ADAPTER as DeviceOptions['adapter']) ?? 'auto';
  const tried: string[] = [];
  let found: { gpu: GPU; adapter: GPUAdapter } | null = null;
  if (choice !== 'software') {
    found = await tryAdapter(options);
    tried.push('Dawn with the system Vulkan/Metal/D3D drivers' + (found ? '' : ': no adapter'));
  }
  if (!found && choice !== 'hardware' && process.platform === 'linux') {
    const icd = swiftshaderIcd(options);
    if (existsSync(icd)) {
      // The loader reads this when Dawn creates its next Vulkan instance.
      process.env.VK_ICD_FILENAMES = icd;
      found = await tryAdapter(options);
      tried.push(`SwiftShader through VK_ICD_FILENAMES=${icd}` + (found ? '' : ': no adapter'));
    } else {
      tried.push(`SwiftShader: ${icd} does not exist`);
    }
  }
  if (!found) {
    throw new DeviceError(
      `No WebGPU adapter found. Tried: ${tried.join('; ')}. ` +
        'For the software adapter on Debian/Ubuntu run `apt-get install chromium libvulkan1` ' +
        '(or set CAFFE2_WEBGPU_SWIFTSHADER_ICD to a vk_swiftshader_icd.json).',
    );
  }
  const opened = await openDevice(found.adapter, 'dawn-node');
  // Keep the GPU object referenced while the device lives; destroying the device lets Node exit.
  const gpu = found.gpu;
  return {
    ...opened,
    destroy: () => {
      opened.device.destroy();
      void gpu;
    },
  };
}
