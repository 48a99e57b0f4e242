import { describe, expect, it } from 'vitest';
import { workspace, KernelCompileError } from '../../src/index.js';
import { initGpu } from '../../src/runtime/gpu_context.js';
import { KernelCache, kernelKey, packUniforms } from '../../src/runtime/kernel_cache.js';
import { staticSources } from '../../src/runtime/kernel_source.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

const shaders = {
  'helper.wgsl': 'fn twice(x: f32) -> f32 {\n  return x * 2.0;\n}\nfn broken() -> f32 { return undefined_thing; }\n',
};
const kernels = {
  'good.wgsl': [
    'struct Params { n: u32, scale: f32, shape: array<vec4<u32>, 2>, }',
    '@group(0) @binding(0) var<uniform> params: Params;',
    '@group(0) @binding(1) var<storage, read> X: array<T>;',
    '@group(0) @binding(2) var<storage, read_write> Y: array<T>;',
    '@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) { if (g.x < params.n) { Y[g.x] = X[g.x]; } }',
  ].join('\n'),
  'broken.wgsl': '@group(0) @binding(0) var<storage, read_write> Y: array<f32>;\n@compute @workgroup_size(1)\nfn main() { Y[0] = 1.0 + nope; }\n',
  'includes_broken.wgsl': '#include "helper.wgsl"\n@group(0) @binding(0) var<storage, read_write> Y: array<f32>;\n@compute @workgroup_size(1) fn main() { Y[0] = twice(1.0); }\n',
};

async function cache(): Promise<KernelCache> {
  await workspace.Init();
  const ctx = await initGpu();
  return new KernelCache(ctx.device, staticSources(kernels, shaders));
}

describe('kernel cache', () => {
  it('reads bindings and the uniform layout from the WGSL', async () => {
    const k = await (await cache()).get({ shader: 'good.wgsl', dtype: 'float32' });
    expect(k.bindings.map((b) => [b.name, b.binding, b.kind, b.readOnly])).toEqual([
      ['params', 0, 'uniform', true],
      ['X', 1, 'storage', true],
      ['Y', 2, 'storage', false],
    ]);
    expect(k.uniform!.fields.map((f) => [f.name, f.offset, f.scalar, f.count])).toEqual([
      ['n', 0, 'u32', 1],
      ['scale', 4, 'f32', 1],
      ['shape', 16, 'u32', 8],
    ]);
    const bytes = new DataView(packUniforms(k.uniform!, { n: 7, scale: 0.5, shape: [1, 2, 3, 4, 5] }, 'test'));
    expect(bytes.getUint32(0, true)).toBe(7);
    expect(bytes.getFloat32(4, true)).toBe(0.5);
    expect([16, 20, 24, 28, 32].map((o) => bytes.getUint32(o, true))).toEqual([1, 2, 3, 4, 5]);
    expect(() => packUniforms(k.uniform!, { n: 1, scale: 1, shape: [], extra: 3 }, 'test')).toThrow(/"extra" has no member/);
    expect(() => packUniforms(k.uniform!, { n: 1, shape: [] }, 'test')).toThrow(/no value for uniform member "scale"/);
  });

  it('compiles once per (file, dtype, overrides)', async () => {
    const c = await cache();
    const a = await c.get({ shader: 'good.wgsl', dtype: 'float32' });
    expect(await c.get({ shader: 'good.wgsl', dtype: 'float32' })).toBe(a);
    expect(await c.get({ shader: 'good.wgsl', dtype: 'int32' })).not.toBe(a);
    expect(c.size).toBe(2);
    expect(kernelKey({ shader: 'x.wgsl', overrides: { B: 2, A: 1 } })).toBe(kernelKey({ shader: 'x.wgsl', overrides: { A: 1, B: 2 } }));
  });

  it('compiles an in-place variant reading an input through the read_write output, cached apart', async () => {
    const c = await cache();
    const plain = await c.get({ shader: 'good.wgsl', dtype: 'float32' });
    const inPlace = await c.get({ shader: 'good.wgsl', dtype: 'float32', aliases: { X: 'Y' } });
    expect(inPlace).not.toBe(plain);
    expect(await c.get({ shader: 'good.wgsl', dtype: 'float32', aliases: { X: 'Y' } })).toBe(inPlace);
    expect(inPlace.bindings.map((b) => [b.name, b.readOnly])).toEqual([['params', true], ['Y', false]]);
    expect(inPlace.code).toContain('Y[g.x] = Y[g.x]');
    // A variable the kernel does not declare is no alias to make; a read-only target is refused.
    expect((await c.get({ shader: 'good.wgsl', dtype: 'float32', aliases: { Z: 'Y' } })).bindings).toHaveLength(3);
    await expect(c.get({ shader: 'good.wgsl', dtype: 'float32', aliases: { Y: 'X' } })).rejects.toThrow(/cannot read Y .* through X .*read_write/);
  });

  it('names the kernel file and line of a WGSL compile error', async () => {
    const c = await cache();
    await expect(c.get({ shader: 'broken.wgsl' })).rejects.toThrow(KernelCompileError);
    await expect(c.get({ shader: 'broken.wgsl' })).rejects.toThrow(/broken\.wgsl:3:\d+: .*nope/);
  });

  it('maps an error inside an included shader to that shader\'s file and line', async () => {
    await expect((await cache()).get({ shader: 'includes_broken.wgsl' })).rejects.toThrow(/helper\.wgsl:4:\d+: .*undefined_thing/);
  });

  it('names a missing include', async () => {
    const c = new KernelCache((await initGpu()).device, staticSources({ 'k.wgsl': '#include "nowhere.wgsl"\n' }, {}));
    await expect(c.get({ shader: 'k.wgsl' })).rejects.toThrow(/k\.wgsl:1: cannot include "nowhere\.wgsl"/);
  });
});

describe('pipeline errors', () => {
  it('an unknown override constant is a KernelCompileError and leaves the device usable', async () => {
    const c = await cache();
    await expect(c.get({ shader: 'good.wgsl', dtype: 'float32', overrides: { NOT_DECLARED: 1 } })).rejects.toThrow(/good\.wgsl: pipeline creation failed/);
    await workspace.FeedBlob('after', [1, 2]);
    expect(Array.from((await workspace.FetchBlob('after')).data)).toEqual([1, 2]);
  });
});
