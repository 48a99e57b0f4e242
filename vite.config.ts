/**
 * The browser demo (demo/): `npm run demo` serves it, `npm run build:demo` writes dist-demo/.
 * The runtime reaches Dawn and node: modules only through variable dynamic imports marked
 * @vite-ignore, so nothing Node-only is bundled; the guard below makes a regression fail the build
 * instead of shipping a page that cannot load.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const nodeOnly = /^(node:|webgpu$)/;

function refuseNodeOnly(): Plugin {
  return {
    name: 'caffe2-webgpu:refuse-node-only',
    enforce: 'pre',
    resolveId(source, importer) {
      if (nodeOnly.test(source)) {
        throw new Error(`the demo bundle must not import "${source}" (imported by ${importer ?? 'an entry'}): keep Node-only modules behind the runtime's dynamic imports`);
      }
      return null;
    },
  };
}

export default defineConfig({
  // Absolute, so building through Vite's JS API from another folder (the e2e test) finds the page.
  root: fileURLToPath(new URL('./demo', import.meta.url)),
  base: './',
  plugins: [refuseNodeOnly()],
  build: {
    outDir: fileURLToPath(new URL('./dist-demo', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Graphviz's WebAssembly build is one ~1.4 MB chunk, loaded lazily by the net drawer.
    chunkSizeWarningLimit: 1500,
    // Two pages: the Toy Regression (index.html) and Digits (digits.html), sharing the library chunk.
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('./demo/index.html', import.meta.url)),
        digits: fileURLToPath(new URL('./demo/digits.html', import.meta.url)),
      },
    },
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
