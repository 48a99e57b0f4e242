/**
 * The peer we measure against: TensorFlow.js's WebGPU backend, in this process, on the adapter our
 * runtime opened. tfjs looks for `navigator.gpu`; Node has none, so we hand it a Dawn instance
 * created after our runtime has chosen its adapter (and set the Vulkan loader's environment for
 * it), which makes Dawn offer tfjs the same adapter.
 */
import { createRequire, register } from 'node:module';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { create } from 'webgpu';
import type * as Tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/** The adapter as tfjs's device reports it. */
export interface PeerAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

/** A ready tfjs-webgpu backend plus what the bench reports about it. */
export interface TfjsPeer {
  tf: typeof Tf;
  backend: WebGPUBackend;
  adapter: PeerAdapter;
  versions: { tfjsCore: string; tfjsBackendWebgpu: string };
  /** tfjs's environment flags now, the WebGPU backend's all evaluated (e.g. WEBGPU_CPU_FORWARD). */
  flags(): Record<string, unknown>;
  /** Submits tfjs's pending commands and resolves once the GPU has finished them. */
  sync(): Promise<void>;
  /** Runs `fn` with tfjs's flag `name` set to `value`, restoring it afterwards. */
  withFlag<T>(name: string, value: boolean | number, fn: () => Promise<T>): Promise<T>;
  /** Disposes tfjs's tensors and backend and destroys its device. */
  close(): void;
}

const require = createRequire(import.meta.url);

/** tfjs is an optional peer dependency: only the bench needs it, so installing us does not pull it in. */
const TFJS_PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu'] as const;

/** The command that adds what the bench needs (the versions it was measured with). */
export const TFJS_INSTALL = `npm install ${TFJS_PACKAGES.map((p) => `${p}@^4.22.0`).join(' ')}`;

/** The tfjs packages that `resolve` (this module's require.resolve by default) cannot find. */
export function missingTfjs(resolve: (name: string) => string = require.resolve): string[] {
  return TFJS_PACKAGES.filter((name) => {
    try {
      resolve(name);
      return false;
    } catch {
      return true;
    }
  });
}

/** What the bench says when tfjs is missing: which package, and the command that adds it. */
export function missingTfjsMessage(missing: readonly string[]): string {
  const one = missing.length === 1;
  return `the bench measures against TensorFlow.js, and ${missing.join(' and ')} ${one ? 'is' : 'are'} not installed.\nAdd ${one ? 'it' : 'them'} with: ${TFJS_INSTALL}`;
}

/** The version in the package.json of an installed package (found from its resolved entry point). */
export function packageVersion(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version) return pkg.version;
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}

/**
 * Resolve/load hooks for tfjs-core's ESM build (dist/*.js): its relative imports lack file
 * extensions and its package.json does not declare ESM, so Node needs both filled in.
 */
const TFJS_ESM_HOOKS = `
const inDist = (url) => url.includes('/@tensorflow/tfjs-core/dist/') && !url.includes('/dist/tf-core.');
export async function resolve(specifier, context, next) {
  if (context.parentURL && inDist(context.parentURL) && specifier.startsWith('.') && !/\\.[cm]?js$/.test(specifier)) {
    try {
      return await next(specifier + '.js', context);
    } catch {
      return next(specifier + '/index.js', context);
    }
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  return next(url, inDist(url) && url.endsWith('.js') ? { ...context, format: 'module' } : context);
}`;

let gradientsRegistered = false;

/** The tfjs-webgpu flags that change what it runs; the report lists their values. */
const WEBGPU_FLAGS = [
  'WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE',
  'WEBGPU_CPU_FORWARD',
  'WEBGPU_MATMUL_PROGRAM_TYPE',
  'WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD',
  'WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL',
];

/**
 * tfjs-core's Node bundle has no gradients: the @tensorflow/tfjs package adds them by importing
 * tfjs-core's dist/register_all_gradients, which we load the same way (its registrations go to
 * tfjs's process-wide registry, shared with the bundle).
 */
async function registerTfjsGradients(): Promise<void> {
  if (gradientsRegistered) return;
  register(`data:text/javascript,${encodeURIComponent(TFJS_ESM_HOOKS)}`);
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  gradientsRegistered = true;
}

/**
 * Opens tfjs-webgpu on a fresh Dawn instance. Call it after our runtime opened its device, so the
 * loader environment it chose (e.g. SwiftShader's ICD) is already in place.
 */
export async function openTfjsPeer(): Promise<TfjsPeer> {
  const gpu = create([]) as GPU;
  const global = globalThis as { navigator?: object };
  const hadNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: { ...(global.navigator ?? {}), gpu }, configurable: true, writable: true });
  // tfjs-webgpu registers its backend at import time, only if navigator.gpu exists by then.
  const tf = await import('@tensorflow/tfjs-core');
  await registerTfjsGradients();
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs: the webgpu backend failed to initialize on this adapter');
  await tf.ready();
  const backend = tf.backend() as WebGPUBackend;
  const info = backend.device.adapterInfo;
  const restoreNavigator = (): void => {
    if (hadNavigator) Object.defineProperty(globalThis, 'navigator', hadNavigator);
    else delete global.navigator;
  };
  return {
    tf,
    backend,
    adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description },
    versions: { tfjsCore: tf.version_core, tfjsBackendWebgpu: packageVersion('@tensorflow/tfjs-backend-webgpu') },
    flags() {
      // Flags are evaluated lazily; read the backend's so the report shows every one in effect.
      for (const name of WEBGPU_FLAGS) tf.env().get(name);
      return { ...tf.env().getFlags() };
    },
    async sync() {
      // tfjs's own flush sequence (as before a readback): close the open pass, then submit.
      backend.ensureCommandEncoderReady();
      backend.endComputePassEncoder();
      backend.submitQueue();
      await backend.queue.onSubmittedWorkDone();
    },
    async withFlag(name, value, fn) {
      const before = tf.env().get(name);
      tf.env().set(name, value);
      try {
        return await fn();
      } finally {
        tf.env().set(name, before);
      }
    },
    close() {
      tf.disposeVariables();
      const device = backend.device;
      tf.removeBackend('webgpu');
      device.destroy();
      restoreNavigator();
      // Dawn's instance must outlive the device it made.
      void gpu;
    },
  };
}
