/**
 * Dawn in Node. Prefers a hardware adapter; on a machine without one, points the Vulkan loader at
 * SwiftShader (the CPU Vulkan driver Debian's chromium ships) and tries again.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, globals } from 'webgpu';
import { DeviceError } from '../core/errors.js';
import { checkAdapterChoice, openDevice, type DeviceOptions, type GpuHandle } from './device.js';

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

/** The folders where the Vulkan loader looks for driver manifests on Linux, in its own order. */
function icdFolders(): string[] {
  const env = process.env;
  const home = homedir();
  const configDirs = [env.XDG_CONFIG_HOME || join(home, '.config'), ...(env.XDG_CONFIG_DIRS || '/etc/xdg').split(':'), '/etc', '/usr/local/etc'];
  const dataDirs = [env.XDG_DATA_HOME || join(home, '.local/share'), ...(env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':')];
  return [...configDirs, ...dataDirs].filter(Boolean).map((d) => join(d, 'vulkan', 'icd.d'));
}

/**
 * Whether asking Dawn for a hardware adapter can find one. On Linux with no Vulkan driver manifest
 * anywhere the loader looks, the answer is no, and asking anyway makes Dawn print a three-line
 * "vkCreateInstance: Found no drivers!" warning from native code (stderr, out of our reach), which
 * reads like a crash. Other platforms, and any explicit loader setting, are probed as usual.
 */
function mayHaveHardwareDriver(): boolean {
  if (process.platform !== 'linux') return true;
  const env = process.env;
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES || env.VK_ADD_DRIVER_FILES) return true;
  return icdFolders().some((dir) => {
    try {
      return readdirSync(dir).some((f) => f.endsWith('.json'));
    } catch {
      return false;
    }
  });
}

/** Printed once per process: the fallback is worth a line, not a warning block. */
let fallbackAnnounced = false;

function announceFallback(): void {
  // CAFFE2_WEBGPU_QUIET=1 keeps it out of logs that already know (the test runner sets it).
  if (fallbackAnnounced || process.env.CAFFE2_WEBGPU_QUIET === '1') return;
  fallbackAnnounced = true;
  process.stderr.write('caffe2-webgpu: no hardware GPU found; using SwiftShader (software)\n');
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
  const fromEnv = process.env.CAFFE2_WEBGPU_ADAPTER;
  const choice =
    options.adapter !== undefined
      ? checkAdapterChoice(options.adapter, 'Init({ adapter })')
      : fromEnv !== undefined && fromEnv !== ''
        ? checkAdapterChoice(fromEnv, 'CAFFE2_WEBGPU_ADAPTER')
        : 'auto';
  const tried: string[] = [];
  let found: { gpu: GPU; adapter: GPUAdapter } | null = null;
  if (choice !== 'software') {
    if (mayHaveHardwareDriver()) {
      found = await tryAdapter(options);
      tried.push('Dawn with the system Vulkan/Metal/D3D drivers' + (found ? '' : ': no adapter'));
    } else {
      tried.push(`Dawn with the system Vulkan drivers: none installed (no driver manifest in ${icdFolders().join(', ')})`);
    }
  }
  if (!found && choice !== 'hardware' && process.platform === 'linux') {
    const icd = swiftshaderIcd(options);
    if (existsSync(icd)) {
      // The loader reads this when Dawn creates its next Vulkan instance.
      process.env.VK_ICD_FILENAMES = icd;
      found = await tryAdapter(options);
      tried.push(`SwiftShader through VK_ICD_FILENAMES=${icd}` + (found ? '' : ': no adapter'));
      if (found && choice === 'auto') announceFallback();
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
