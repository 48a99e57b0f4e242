/**
 * The README as a newcomer uses it from a clone: the "Using it" snippet runs as pasted (only the
 * package name is pointed at this checkout) and prints what the README shows; every relative link
 * in the README and docs/ resolves inside the repository; every `npm run` script it names exists.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'caffe2-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The first fenced block of `lang` after `marker`. */
function block(text: string, marker: string, lang: string): string {
  const at = text.indexOf(marker);
  expect(at, `README has "${marker}"`).toBeGreaterThanOrEqual(0);
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(text.slice(at));
  expect(m, `a \`\`\`${lang} block after "${marker}"`).not.toBeNull();
  return m![1]!;
}

/** The text with every number replaced by "#", and the numbers. */
function split(text: string): { shape: string; numbers: number[] } {
  const re = /-?\d+(?:\.\d*)?(?:e[-+]?\d+)?/gi;
  return { shape: text.replace(re, '#'), numbers: (text.match(re) ?? []).map(Number) };
}

describe('README', () => {
  it('"Using it" runs as pasted and prints what the README shows', async () => {
    const snippet = block(readme, '## Using it', 'js');
    expect(snippet).toContain("from 'caffe2-webgpu'");
    expect(snippet).not.toMatch(/…|\.\.\./);
    const file = join(dir, 'toy.mjs');
    writeFileSync(file, snippet.replace("from 'caffe2-webgpu'", `from '${pathToFileURL(join(root, 'src/index.ts')).href}'`));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], { cwd: root, timeout: 120_000 });
    const shown = split(block(readme, 'It prints', 'text').trim());
    const got = split(stdout.trim());
    expect(got.shape).toBe(shown.shape);
    // Bit for bit on SwiftShader; a hardware adapter may sum in another order.
    got.numbers.forEach((v, i) => expect(v, `number ${i} of:\n${stdout}`).toBeCloseTo(shown.numbers[i]!, 2));
  }, 150_000);

  it('shows what `npm start -- --seed=1701` prints', async () => {
    const shown = block(readme, '`npm start` prints', 'text').trim().split('\n');
    // Our stderr note comes first in a terminal; the runner sets CAFFE2_WEBGPU_QUIET, so skip it.
    expect(shown[0]).toBe('caffe2-webgpu: no hardware GPU found; using SwiftShader (software)');
    const out = join(dir, 'out');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'examples/toy_regression.ts', '--seed=1701', `--out=${out}`], {
      cwd: root,
      timeout: 120_000,
    });
    const got = stdout.trim().split('\n');
    const expected = shown.slice(1);
    expect(got.length, stdout).toBe(expected.length);
    expected.forEach((line, i) => {
      const real = got[i]!.replace(out, '…/out');
      // The adapter is whatever this machine has; timings and GPU counters vary with it and with
      // the runtime's fusion, so only their wording is compared.
      if (line.startsWith('Adapter:')) return expect(real).toMatch(/^Adapter: /);
      const a = split(line);
      const b = split(real);
      expect(b.shape, `line ${i + 2}`).toBe(a.shape);
      if (/iterations in|^GPU work/.test(line)) return;
      b.numbers.forEach((v, k) => expect(v, `line ${i + 2}: ${real}`).toBeCloseTo(a.numbers[k]!, 2));
    });
  }, 150_000);

  it('links only to files inside the repository, and they exist', () => {
    for (const doc of ['README.md', 'docs/ARCHITECTURE.md', 'bench/RESULTS.md']) {
      const text = readFileSync(join(root, doc), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const path = resolve(dirname(join(root, doc)), target!);
        expect(relative(root, path), `${doc} links ${target}`).not.toMatch(/^\.\./);
        expect(existsSync(path), `${doc} links ${target}`).toBe(true);
      }
    }
    expect(readme).not.toMatch(/shared\/DESIGN|\.\.\/shared/);
  });

  it('names only files that exist (so the docs follow the code when it moves)', () => {
    const all = (d: string): string[] =>
      readdirSync(join(root, d), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? all(join(d, e.name)) : [join(d, e.name)]));
    const sources = new Set(['src', 'demo', 'bench'].flatMap(all).map((f) => basename(f)));
    for (const doc of ['README.md', 'docs/ARCHITECTURE.md']) {
      const text = readFileSync(join(root, doc), 'utf8');
      for (const [, path] of text.matchAll(/`((?:src|test|kernels|shaders|bench|demo|docs|examples|\.ci)\/[^`\s]*)`/g)) {
        if (/NAME|STEM/.test(path!)) continue;
        expect(existsSync(join(root, path!)), `${doc} names ${path}`).toBe(true);
      }
      // A bare file name ("limits.ts") is one of the sources.
      for (const [, file] of text.matchAll(/`([a-z_]+\.ts)`/g)) expect(sources.has(file!), `${doc} names ${file}`).toBe(true);
    }
  });

  it('names only npm scripts that exist', () => {
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const named = [...readme.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(3);
    for (const name of named) expect(Object.keys(scripts), `npm run ${name}`).toContain(name);
  });
});
