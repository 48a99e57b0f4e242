/**
 * Where WGSL text comes from, and the one explicit include step: a line `#include "file.wgsl"`
 * is replaced by shaders/file.wgsl (each file at most once). Line origins are kept so that a
 * compile error can name the file and line the author wrote.
 */
import { KernelCompileError } from '../core/errors.js';

/** Supplies kernel (kernels/) and shared (shaders/) WGSL files by name. */
export interface KernelSourceProvider {
  kernel(file: string): Promise<string>;
  shader(file: string): Promise<string>;
}

/** Kernel text after includes, with each output line's origin. */
export interface ExpandedSource {
  code: string;
  origin: Array<{ file: string; line: number }>;
}

const INCLUDE = /^\s*#include\s+"([^"]+)"\s*$/;

/** Splices shared WGSL into a kernel; a prelude (e.g. `alias T = f32;`) goes first. */
export async function expandSource(
  provider: KernelSourceProvider,
  file: string,
  prelude: string[] = [],
): Promise<ExpandedSource> {
  const lines: string[] = [];
  const origin: ExpandedSource['origin'] = [];
  for (const p of prelude) {
    lines.push(p);
    origin.push({ file: '(prelude)', line: 1 });
  }
  const included = new Set<string>();
  const add = async (name: string, text: string): Promise<void> => {
    const src = text.split('\n');
    for (let i = 0; i < src.length; i++) {
      const m = INCLUDE.exec(src[i]!);
      if (m) {
        const inc = m[1]!;
        if (included.has(inc)) continue;
        included.add(inc);
        let body: string;
        try {
          body = await provider.shader(inc);
        } catch (e) {
          throw new KernelCompileError(`${name}:${i + 1}: cannot include "${inc}": ${(e as Error).message}`);
        }
        await add(inc, body);
        continue;
      }
      lines.push(src[i]!);
      origin.push({ file: name, line: i + 1 });
    }
  };
  await add(file, await provider.kernel(file));
  return { code: lines.join('\n'), origin };
}

/** Provider over in-memory tables, e.g. what a bundler's glob import gives a browser build. */
export function staticSources(kernels: Record<string, string>, shaders: Record<string, string>): KernelSourceProvider {
  const get = (table: Record<string, string>, dir: string, file: string): Promise<string> => {
    const text = table[file];
    return text === undefined ? Promise.reject(new Error(`no ${dir}/${file} in the bundled sources`)) : Promise.resolve(text);
  };
  return { kernel: (f) => get(kernels, 'kernels', f), shader: (f) => get(shaders, 'shaders', f) };
}

const STORAGE_DECL = /^\s*@group\(\d+\)\s*@binding\(\d+\)\s*var<storage,\s*(read|read_write)>\s+(\w+)\s*:\s*([^;]+);\s*$/;

/**
 * The alias step: each variable `from` of `aliases` is read through read_write variable `to`
 * instead, its declaration dropped and its uses renamed. WebGPU forbids one buffer range bound
 * twice when one binding is writable; the planner asks for this variant when a pointwise kernel
 * reads an input that is also its output (Scale X→X, the SGD update W ← W + lr·dW), so the op
 * file describes the math with distinct names and the update still runs in place. A `from` the
 * kernel does not declare is skipped (schema names need not all be kernel variables).
 */
export function aliasVariables(src: ExpandedSource, aliases: Readonly<Record<string, string>>, file: string): ExpandedSource {
  const decls = new Map<string, { access: string; type: string; line: number }>();
  src.code.split('\n').forEach((line, i) => {
    const m = STORAGE_DECL.exec(line);
    if (m) decls.set(m[2]!, { access: m[1]!, type: m[3]!.replace(/\s+/g, ''), line: i });
  });
  const renames = Object.entries(aliases).filter(([from]) => decls.has(from));
  if (!renames.length) return src;
  const dropped = new Set<number>();
  for (const [from, to] of renames) {
    const a = decls.get(from)!;
    const b = decls.get(to);
    if (!b || b.access !== 'read_write' || b.type !== a.type) {
      throw new KernelCompileError(`${file}: cannot read ${from} (${a.type}) through ${to} (${b ? `${b.access} ${b.type}` : 'not a storage variable'}): in-place aliasing needs a read_write variable of the same type`);
    }
    dropped.add(a.line);
  }
  const lines: string[] = [];
  const origin: ExpandedSource['origin'] = [];
  src.code.split('\n').forEach((line, i) => {
    if (dropped.has(i)) return;
    let out = line;
    // Identifiers only: not a member access (p.X) or part of a longer name.
    for (const [from, to] of renames) out = out.replace(new RegExp(`(?<![\\w.])${from}\\b`, 'g'), to);
    lines.push(out);
    origin.push(src.origin[i]!);
  });
  return { code: lines.join('\n'), origin };
}
