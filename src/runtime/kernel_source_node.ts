/** Reads kernels/ and shaders/ from the package folder in Node (source tree or installed dist). */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KernelSourceProvider } from './kernel_source.js';

/** The nearest folder above this module that holds kernels/ (src/runtime or dist/src/runtime). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'kernels')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the caffe2-webgpu kernels/ folder above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** File-system provider for Node. */
export function nodeSources(): KernelSourceProvider {
  const root = packageRoot();
  return {
    kernel: (f) => readFile(join(root, 'kernels', f), 'utf8'),
    shader: (f) => readFile(join(root, 'shaders', f), 'utf8'),
  };
}
