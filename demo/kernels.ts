/**
 * The WGSL the runtime compiles, bundled into the page: in Node the runtime reads kernels/ and
 * shaders/ from disk, here Vite inlines every file as text at build time.
 */
import { setKernelSources, staticSources } from '../src/index.js';

const kernelFiles: Record<string, string> = import.meta.glob('../kernels/*.wgsl', { query: '?raw', import: 'default', eager: true });
const shaderFiles: Record<string, string> = import.meta.glob('../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true });

/** Keys are "../kernels/fc.wgsl"; the runtime asks for "fc.wgsl". */
function byFileName(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, text]) => [path.slice(path.lastIndexOf('/') + 1), text]));
}

/** Hands the bundled WGSL to the runtime; must run before the first GPU use. */
export function installKernelSources(): void {
  setKernelSources(staticSources(byFileName(kernelFiles), byFileName(shaderFiles)));
}
