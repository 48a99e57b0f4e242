import { defineConfig } from 'vitest/config';

// Dawn has crashed when an adapter is requested inside a worker thread: run each test file in
// its own forked process, one at a time (SwiftShader already uses both cores).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Every file is its own process: without this each would print the SwiftShader fallback line.
    env: { CAFFE2_WEBGPU_QUIET: '1' },
  },
});
