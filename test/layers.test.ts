import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Imports point down (DESIGN.md): each folder of src/ is a floor, and a file may import its own
 * folder or a lower floor. Folders on the same floor do not import each other.
 */
const FLOORS: Record<string, number> = { core: 0, ops: 1, autodiff: 2, runtime: 2, proto: 3, builder: 4, viz: 5, models: 6 };

const src = join(import.meta.dirname, '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function folderOf(file: string): string {
  const rel = relative(src, file);
  return rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : '';
}

describe('layers', () => {
  it('every src/ folder has a floor', () => {
    const folders = new Set(files(src).map(folderOf).filter((f) => f !== ''));
    for (const f of folders) expect(FLOORS, `floor of src/${f}/`).toHaveProperty(f);
  });

  it('no import points up or sideways (public index.ts barrels excepted)', () => {
    const bad: string[] = [];
    for (const file of files(src)) {
      const from = folderOf(file);
      if (from === '' || file.endsWith('/index.ts')) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/from '(\.[^']+)'/g)) {
        const to = folderOf(normalize(join(dirname(file), m[1]!)));
        if (to === from) continue;
        if (to === '' || FLOORS[to]! >= FLOORS[from]!) bad.push(`${relative(src, file)} imports ${m[1]}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
