/**
 * Adapter selection as a user meets it: bad choices are refused by name, and opening the device in a
 * fresh process prints at most our own one line, never Dawn's native Vulkan warning block.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/index.js';
import { acquireDevice, checkAdapterChoice } from '../../src/runtime/device.js';
import { acquireNodeDevice } from '../../src/runtime/device_node.js';

const root = join(import.meta.dirname, '../..');
const savedEnv = process.env.CAFFE2_WEBGPU_ADAPTER;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.CAFFE2_WEBGPU_ADAPTER;
  else process.env.CAFFE2_WEBGPU_ADAPTER = savedEnv;
});

describe('adapter choice', () => {
  it('accepts the three documented values and refuses anything else, naming where it came from', () => {
    for (const c of ['auto', 'hardware', 'software']) expect(checkAdapterChoice(c, 'x')).toBe(c);
    expect(() => checkAdapterChoice('gpu', 'CAFFE2_WEBGPU_ADAPTER')).toThrow(ArgumentError);
    expect(() => checkAdapterChoice('Software', 'CAFFE2_WEBGPU_ADAPTER')).toThrow(
      'CAFFE2_WEBGPU_ADAPTER must be one of "auto", "hardware", "software"; got "Software".',
    );
  });

  it('rejects CAFFE2_WEBGPU_ADAPTER=gpu before touching the GPU', async () => {
    process.env.CAFFE2_WEBGPU_ADAPTER = 'gpu';
    await expect(acquireNodeDevice()).rejects.toThrow(/^CAFFE2_WEBGPU_ADAPTER must be one of "auto", "hardware", "software"; got "gpu"\.$/);
  });

  it('rejects Init({ adapter }) with a value outside the type', async () => {
    await expect(acquireDevice({ adapter: 'gpu' as 'auto' })).rejects.toThrow(/^Init\(\{ adapter \}\) must be one of .*; got "gpu"\.$/);
  });
});

describe('opening the device in a fresh Node process', () => {
  it("prints no Dawn warning, and at most our one line about the software fallback", async () => {
    const script = "const m = await import('./src/index.ts'); const a = await m.workspace.Init(); console.log(JSON.stringify(a.software)); await m.workspace.Shutdown();";
    const env = { ...process.env };
    delete env.CAFFE2_WEBGPU_ADAPTER;
    delete env.VK_ICD_FILENAMES;
    delete env.CAFFE2_WEBGPU_QUIET;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, env, timeout: 60_000 });
    expect(stderr).not.toMatch(/vkCreateInstance|VulkanError|Warning:/);
    const software = JSON.parse(stdout.trim()) as boolean;
    // On a machine with a GPU nothing is printed; on one without, exactly our line.
    expect(['', 'caffe2-webgpu: no hardware GPU found; using SwiftShader (software)\n']).toContain(stderr);
    if (!software) expect(stderr).toBe('');
    // The runner's own processes keep quiet: the line is for people, once.
    const quiet = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, env: { ...env, CAFFE2_WEBGPU_QUIET: '1' }, timeout: 60_000 });
    expect(quiet.stderr).toBe('');
  }, 90_000);
});
