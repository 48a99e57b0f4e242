/**
 * Compiles WGSL kernels once per distinct (file, dtype, overrides) and reads each kernel's bindings
 * and uniform struct layout from the WGSL with wgsl_reflect, so the host side cannot drift from it.
 */
import { WgslReflect, type TypeInfo } from 'wgsl_reflect/wgsl_reflect.module.js';
import { KernelCompileError } from '../core/errors.js';
import { wgslType, type DType } from '../core/dtype.js';
import { aliasVariables, expandSource, type ExpandedSource, type KernelSourceProvider } from './kernel_source.js';

/** One binding of a kernel, as declared in its WGSL. */
export interface BindingInfo {
  name: string;
  binding: number;
  kind: 'uniform' | 'storage';
  readOnly: boolean;
}

/** One scalar slot of a uniform struct: member name, byte offset, scalar type, element count. */
export interface UniformField {
  name: string;
  offset: number;
  scalar: 'f32' | 'i32' | 'u32';
  /** Number of scalars (1 for a scalar, N for vecN, C*N for array<vecN, C>). */
  count: number;
  /** Byte distance between consecutive array elements (0 when not an array). */
  stride: number;
  /** Scalars per array element (N of vecN). */
  lanes: number;
}

export interface UniformLayout {
  binding: number;
  size: number;
  fields: UniformField[];
}

export interface CompiledKernel {
  key: string;
  file: string;
  pipeline: GPUComputePipeline;
  bindGroupLayout: GPUBindGroupLayout;
  bindings: BindingInfo[];
  uniform: UniformLayout | null;
  code: string;
}

export interface KernelRequest {
  shader: string;
  /** Generated WGSL (fused kernels): compiled instead of kernels/<shader>; `shader` then names it by a hash of this text. */
  generated?: string;
  dtype?: DType;
  overrides?: Record<string, number>;
  /** Variables read through another, read_write one (kernel_source.ts aliasVariables): in-place variants. */
  aliases?: Readonly<Record<string, string>>;
}

/** The cache key: small and explicit, never the shape. */
export function kernelKey(req: KernelRequest): string {
  const ov = req.overrides ? Object.entries(req.overrides).sort().map(([k, v]) => `${k}=${v}`).join(',') : '';
  const al = req.aliases ? Object.entries(req.aliases).sort().map(([k, v]) => `${k}>${v}`).join(',') : '';
  return `${req.shader}|${req.dtype ?? ''}|${ov}${al && `|${al}`}`;
}

function scalarOf(t: TypeInfo, where: string): 'f32' | 'i32' | 'u32' {
  const name = (t as TypeInfo & { format?: TypeInfo }).format?.name ?? t.name;
  if (name === 'f32' || name === 'i32' || name === 'u32') return name;
  throw new KernelCompileError(`${where}: uniform member type ${t.name} is not supported (use f32/i32/u32, vecN of them, or arrays of those)`);
}

function lanesOf(name: string): number {
  const m = /^vec([234])/.exec(name);
  return m ? Number(m[1]) : 1;
}

function uniformLayout(file: string, u: { binding: number; size: number; type: TypeInfo }): UniformLayout {
  const members = (u.type as TypeInfo & { members?: Array<{ name: string; offset: number; type: TypeInfo }> }).members;
  if (!members) throw new KernelCompileError(`${file}: the uniform binding ${u.binding} must be a struct`);
  const fields = members.map((m): UniformField => {
    const t = m.type as TypeInfo & { format?: TypeInfo; count?: number; stride?: number };
    const where = `${file}: uniform member ${m.name}`;
    if (t.name === 'array') {
      const elem = t.format!;
      const lanes = lanesOf(elem.name);
      return { name: m.name, offset: m.offset, scalar: scalarOf(elem, where), count: (t.count ?? 0) * lanes, stride: t.stride ?? 16, lanes };
    }
    const lanes = lanesOf(t.name);
    return { name: m.name, offset: m.offset, scalar: scalarOf(t, where), count: lanes, stride: 0, lanes };
  });
  return { binding: u.binding, size: u.size, fields };
}

/** Packs named values into a uniform buffer's bytes following the reflected layout. */
export function packUniforms(layout: UniformLayout, values: Record<string, number | readonly number[]>, where: string): ArrayBuffer {
  const buf = new ArrayBuffer(Math.max(16, Math.ceil(layout.size / 16) * 16));
  const view = new DataView(buf);
  const names = new Set(layout.fields.map((f) => f.name));
  for (const k of Object.keys(values)) {
    if (!names.has(k)) throw new Error(`${where}: uniform value "${k}" has no member in the kernel's struct (members: ${[...names].join(', ')})`);
  }
  for (const f of layout.fields) {
    const v = values[f.name];
    if (v === undefined) throw new Error(`${where}: no value for uniform member "${f.name}"`);
    const list = typeof v === 'number' ? [v] : v;
    if (list.length > f.count) throw new Error(`${where}: uniform member "${f.name}" holds ${f.count} values, got ${list.length}`);
    list.forEach((x, i) => {
      const off = f.stride ? f.offset + Math.floor(i / f.lanes) * f.stride + (i % f.lanes) * 4 : f.offset + i * 4;
      if (f.scalar === 'f32') view.setFloat32(off, x, true);
      else if (f.scalar === 'i32') view.setInt32(off, x, true);
      else view.setUint32(off, x >>> 0, true);
    });
  }
  return buf;
}

function compileMessage(file: string, src: ExpandedSource, info: GPUCompilationInfo): string | null {
  const errors = info.messages.filter((m) => m.type === 'error');
  if (!errors.length) return null;
  return errors
    .map((m) => {
      const o = src.origin[m.lineNum - 1];
      const at = o ? `${o.file}:${o.line}:${m.linePos}` : `${file}:?`;
      return `${at}: ${m.message}`;
    })
    .join('\n');
}

export class KernelCache {
  private readonly kernels = new Map<string, Promise<CompiledKernel>>();
  /** Print the final WGSL of each kernel as it is compiled (CAFFE2_WEBGPU_DEBUG_WGSL=1). */
  debugWgsl = false;

  constructor(
    private readonly device: GPUDevice,
    private readonly sources: KernelSourceProvider,
  ) {}

  /** Number of pipelines compiled so far. */
  get size(): number {
    return this.kernels.size;
  }

  /** The compiled kernel for a request, compiling it on first use. */
  get(req: KernelRequest): Promise<CompiledKernel> {
    const key = kernelKey(req);
    let k = this.kernels.get(key);
    if (!k) {
      k = this.compile(key, req);
      this.kernels.set(key, k);
      k.catch(() => this.kernels.delete(key));
    }
    return k;
  }

  private async compile(key: string, req: KernelRequest): Promise<CompiledKernel> {
    const prelude = req.dtype ? [`alias T = ${wgslType(req.dtype)};`] : [];
    const generated = req.generated;
    const sources: KernelSourceProvider =
      generated === undefined ? this.sources : { kernel: () => Promise.resolve(generated), shader: (f) => this.sources.shader(f) };
    const expanded = await expandSource(sources, req.shader, prelude);
    const src = req.aliases ? aliasVariables(expanded, req.aliases, req.shader) : expanded;
    if (this.debugWgsl) console.log(`// ---- ${key}\n${src.code}`);
    let reflect: WgslReflect;
    try {
      reflect = new WgslReflect(src.code);
    } catch (e) {
      throw new KernelCompileError(`${req.shader}: cannot parse WGSL: ${(e as Error).message}`);
    }
    const bindings: BindingInfo[] = [];
    let uniform: UniformLayout | null = null;
    for (const u of reflect.uniforms) {
      if (u.group !== 0) throw new KernelCompileError(`${req.shader}: binding ${u.name} must be in @group(0)`);
      bindings.push({ name: u.name, binding: u.binding, kind: 'uniform', readOnly: true });
      if (uniform) throw new KernelCompileError(`${req.shader}: a kernel has at most one uniform struct`);
      uniform = uniformLayout(req.shader, u);
    }
    for (const s of reflect.storage) {
      if (s.group !== 0) throw new KernelCompileError(`${req.shader}: binding ${s.name} must be in @group(0)`);
      bindings.push({ name: s.name, binding: s.binding, kind: 'storage', readOnly: String(s.access) !== 'read_write' });
    }
    bindings.sort((a, b) => a.binding - b.binding);
    // Capture the shader's own validation error here, so a bad kernel is reported once, with its
    // file and line, instead of also poisoning the device's uncaptured-error slot.
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ code: src.code, label: req.shader });
    const err = compileMessage(req.shader, src, await module.getCompilationInfo());
    const moduleErr = await this.device.popErrorScope();
    if (err) throw new KernelCompileError(`WGSL compile error in ${req.shader}:\n${err}`);
    if (moduleErr) throw new KernelCompileError(`${req.shader}: shader module creation failed: ${moduleErr.message}`);
    const bindGroupLayout = this.device.createBindGroupLayout({
      label: req.shader,
      entries: bindings.map((b) => ({
        binding: b.binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: b.kind === 'uniform' ? 'uniform' : b.readOnly ? 'read-only-storage' : 'storage' },
      })),
    });
    this.device.pushErrorScope('validation');
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await this.device.createComputePipelineAsync({
        label: req.shader,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [bindGroupLayout], label: req.shader }),
        compute: { module, entryPoint: 'main', ...(req.overrides ? { constants: req.overrides } : {}) },
      });
    } catch (e) {
      throw new KernelCompileError(`${req.shader}: pipeline creation failed: ${(e as Error).message}`);
    } finally {
      const scopeErr = await this.device.popErrorScope();
      if (scopeErr) throw new KernelCompileError(`${req.shader}: pipeline creation failed: ${scopeErr.message}`);
    }
    return { key, file: req.shader, pipeline, bindGroupLayout, bindings, uniform, code: src.code };
  }
}
