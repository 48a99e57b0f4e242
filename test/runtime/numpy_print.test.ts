import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatArray, formatFloat32 } from '../../src/core/numpy_format.js';
import { Tensor } from '../../src/index.js';

/**
 * str() of float32/int32 arrays as numpy 2.4 printed them (random shapes and scales, scientific
 * switch, nan/inf, wrapping at 75 columns, summaries past 1000 elements). Regenerate with numpy's
 * default print options if the rules ever need rechecking.
 */
interface Case {
  shape: number[];
  data: Array<number | string>;
  isFloat: boolean;
  str: string;
}
const cases = JSON.parse(readFileSync(join(import.meta.dirname, 'numpy_print_cases.json'), 'utf8')) as Case[];

describe('numpy printing', () => {
  it(`matches numpy's str() on ${cases.length} arrays`, () => {
    const mismatches = cases.flatMap((c) => {
      const data = c.isFloat ? Float32Array.from(c.data, Number) : Int32Array.from(c.data, Number);
      const got = formatArray(c.shape, data, c.isFloat);
      return got === c.str ? [] : [`shape [${c.shape}]\nnumpy:\n${c.str}\nours:\n${got}`];
    });
    expect(mismatches.slice(0, 3).join('\n\n')).toBe('');
  });

  it('prints the tutorial line as numpy does, padding the shorter fraction', () => {
    const t = new Tensor([1, 2], 'float32', Float32Array.from([-0.905963, -0.21433014]));
    expect(String(t)).toBe('[[-0.905963   -0.21433014]]');
    expect(String(new Tensor([3], 'float32', Float32Array.from([0, 1, 2.5])))).toBe('[0.  1.  2.5]');
    expect(String(new Tensor([2], 'int32', Int32Array.from([3, -10])))).toBe('[  3 -10]');
  });

  it('prints scalars as numpy scalars', () => {
    expect(formatFloat32(2)).toBe('2.0');
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(Math.fround(1e-5))).toBe('1e-05');
    expect(formatFloat32(Math.fround(1.5e16))).toBe('1.5e+16');
    expect(formatFloat32(-Infinity)).toBe('-inf');
    expect(String(new Tensor([], 'float32', Float32Array.from([0.5])))).toBe('0.5');
    expect(String(new Tensor([0, 3], 'float32', new Float32Array(0)))).toBe('[]');
  });
});
