/** SVG line charts: nice ticks, equal axes, data → pixel mapping, legend, errors. No GPU. */
import { describe, expect, it } from 'vitest';
import { formatTick, lineChart, logTicks, niceStep, niceTicks } from '../../src/viz/index.js';
import { allElements, parseXml, type XmlElement } from './xml_check.js';

/** A seeded LCG: this file needs no GPU helpers. */
function makeRng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

interface Parsed {
  els: XmlElement[];
  plot: { left: number; top: number; width: number; height: number };
  /** [data value, pixel] of each tick. */
  xTicks: Array<[number, number]>;
  yTicks: Array<[number, number]>;
  lines: Map<string, Array<[number, number]>>;
}

/** Reads a chart back from its SVG text alone, so expectations do not reuse the writer's arithmetic. */
function readChart(svg: string): Parsed {
  const els = allElements(parseXml(svg));
  const area = els.find((e) => e.name === 'rect' && e.attrs.class === 'plot-area')!;
  const plot = { left: +area.attrs.x!, top: +area.attrs.y!, width: +area.attrs.width!, height: +area.attrs.height! };
  const ticks = (cls: string, coord: 'x1' | 'y1'): Array<[number, number]> =>
    els
      .find((e) => e.attrs.class === cls)!
      .children.map((t) => [Number(t.attrs['data-value']), Number(t.children[0]!.attrs[coord])] as [number, number]);
  const lines = new Map<string, Array<[number, number]>>();
  for (const g of els.filter((e) => e.attrs.class === 'series')) {
    const poly = g.children.find((c) => c.name === 'polyline');
    const pts: Array<[number, number]> = poly
      ? poly.attrs.points!.split(' ').map((p) => p.split(',').map(Number) as [number, number])
      : g.children.filter((c) => c.name === 'circle').map((c) => [+c.attrs.cx!, +c.attrs.cy!] as [number, number]);
    lines.set(g.attrs['data-name']!, pts);
  }
  return { els, plot, xTicks: ticks('x-ticks', 'x1'), yTicks: ticks('y-ticks', 'y1'), lines };
}

const isNice = (step: number): boolean => {
  const m = step / 10 ** Math.floor(Math.log10(step) + 1e-12);
  return [1, 2, 5].some((n) => Math.abs(m - n) < 1e-9);
};

describe('ticks', () => {
  it('picks 1/2/5 × 10^k steps that cover the range with whole steps', () => {
    expect(niceTicks(0, 0.45)).toEqual({ min: 0, max: 0.5, step: 0.1, values: [0, 0.1, 0.2, 0.3, 0.4, 0.5] });
    expect(niceTicks(0, 99).values).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(-0.77634162, 1.95769441).values).toEqual([-1, -0.5, 0, 0.5, 1, 1.5, 2]);
    const rng = makeRng(7);
    for (let t = 0; t < 500; t++) {
      const scale = 10 ** Math.floor(rng() * 16 - 8);
      const lo = (rng() - 0.5) * 10 * scale;
      const hi = lo + rng() * 10 * scale + 1e-12;
      const ticks = niceTicks(lo, hi);
      expect(isNice(ticks.step)).toBe(true);
      expect(ticks.min).toBeLessThanOrEqual(lo);
      expect(ticks.max).toBeGreaterThanOrEqual(hi);
      expect(ticks.values.length - 1).toBeGreaterThanOrEqual(3);
      expect(ticks.values.length - 1).toBeLessThanOrEqual(13);
      for (const v of ticks.values) expect(Math.abs(v / ticks.step - Math.round(v / ticks.step))).toBeLessThan(1e-6);
    }
  });

  it('gives a constant series a span around its value', () => {
    expect(niceTicks(0, 0).values).toEqual([-1, -0.5, 0, 0.5, 1]);
    const t = niceTicks(5, 5);
    expect(t.min).toBeLessThan(5);
    expect(t.max).toBeGreaterThan(5);
    expect(niceStep(1, 5)).toBe(0.2);
  });

  it('prints ticks with the decimals the step needs', () => {
    expect(formatTick(0.1 + 0.2, 0.1)).toBe('0.3');
    expect(formatTick(-0, 0.5)).toBe('0');
    expect(formatTick(40, 20)).toBe('40');
    expect(formatTick(0.05, 0.05)).toBe('0.05');
    expect(formatTick(3e-5, 1e-5)).toBe('3e-5');
  });
});

describe('lineChart', () => {
  it('maps data to pixels: axis ends at the plot corners, the middle at its centre', () => {
    const c = readChart(lineChart({ series: [{ name: 's', x: [0, 5, 10], y: [0, 50, 100] }], title: 't', xLabel: 'x', yLabel: 'y' }));
    const { left, top, width, height } = c.plot;
    const pts = c.lines.get('s')!;
    const close = (a: [number, number], b: [number, number]): void => {
      expect(a[0]).toBeCloseTo(b[0], 1);
      expect(a[1]).toBeCloseTo(b[1], 1);
    };
    close(pts[0]!, [left, top + height]);
    close(pts[1]!, [left + width / 2, top + height / 2]);
    close(pts[2]!, [left + width, top]);
    expect(c.xTicks.map(([v]) => v)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(c.yTicks.map(([v]) => v)).toEqual([0, 20, 40, 60, 80, 100]);
    // Each tick line sits where its value maps.
    for (const [v, p] of c.xTicks) expect(p).toBeCloseTo(left + (v / 10) * width, 1);
    for (const [v, p] of c.yTicks) expect(p).toBeCloseTo(top + height - (v / 100) * height, 1);
    const texts = c.els.filter((e) => e.name === 'text').map((e) => e.text);
    expect(texts).toEqual(expect.arrayContaining(['t', 'x', 'y', '0', '40', '100']));
  });

  it('defaults x to the point index (b vs iteration)', () => {
    const b = Array.from({ length: 100 }, (_, i) => 0.5 * (1 - Math.exp(-i / 20)));
    const c = readChart(lineChart({ series: [{ name: 'b', y: b }], xLabel: 'iteration', yLabel: 'b' }));
    expect(c.lines.get('b')).toHaveLength(100);
    expect(c.xTicks.map(([v]) => v)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(c.yTicks.map(([v]) => v)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(c.els.some((e) => e.attrs.class === 'legend')).toBe(false);
  });

  it('honours equal axes: one data unit is as many pixels on x as on y', () => {
    const series = [{ name: 'w', x: [-0.77, 0.4, 1.2, 1.9], y: [-0.88, 0.3, 1.1, 1.47] }];
    const pxPerUnit = (t: Array<[number, number]>): number => Math.abs((t[1]![1] - t[0]![1]) / (t[1]![0] - t[0]![0]));
    const eq = readChart(lineChart({ series, equalAxes: true, width: 640, height: 420 }));
    // Pixel coordinates are written to 0.01 px, hence the 1e-3 relative tolerance.
    expect(Math.abs(pxPerUnit(eq.xTicks) / pxPerUnit(eq.yTicks) - 1)).toBeLessThan(1e-3);
    expect(eq.xTicks[1]![0] - eq.xTicks[0]![0]).toBeCloseTo(eq.yTicks[1]![0] - eq.yTicks[0]![0], 12);
    // The data stays inside the plot.
    for (const [x, y] of eq.lines.get('w')!) {
      expect(x).toBeGreaterThanOrEqual(eq.plot.left);
      expect(x).toBeLessThanOrEqual(eq.plot.left + eq.plot.width);
      expect(y).toBeGreaterThanOrEqual(eq.plot.top);
      expect(y).toBeLessThanOrEqual(eq.plot.top + eq.plot.height);
    }
    const free = readChart(lineChart({ series, width: 640, height: 420 }));
    expect(Math.abs(pxPerUnit(free.xTicks) / pxPerUnit(free.yTicks) - 1)).toBeGreaterThan(0.1);
  });

  it('draws a legend for several series and escapes text', () => {
    const svg = lineChart({
      title: 'a < b & "c"',
      series: [
        { name: 'w<0>', y: [1, 2, 3] },
        { name: 'truth', x: [1], y: [2], color: '#000' },
      ],
    });
    const c = readChart(svg);
    const legend = c.els.find((e) => e.attrs.class === 'legend')!;
    expect(allElements(legend).filter((e) => e.name === 'text').map((e) => e.text)).toEqual(['w<0>', 'truth']);
    expect(c.els.find((e) => e.attrs.class === 'title')!.text).toBe('a < b & "c"');
    // A single point is drawn as a dot (no line), and its legend key is a dot too.
    expect(c.lines.get('truth')).toHaveLength(1);
    expect(legend.children.map((e) => e.name)).toEqual(['line', 'text', 'circle', 'text']);
    expect(lineChart({ series: [{ name: 'only', y: [1, 2] }], legend: true })).toContain('class="legend"');
  });

  it('rejects empty, NaN, infinite and mismatched data with messages naming the series', () => {
    expect(() => lineChart({ series: [] })).toThrow(/no series to plot/);
    expect(() => lineChart({ series: [{ name: 'b', y: [] }] })).toThrow(/series 0 \("b"\) has no points/);
    expect(() => lineChart({ series: [{ name: 'ok', y: [1] }, { name: 'loss', y: [1, NaN, 3] }] })).toThrow(
      /series 1 \("loss"\) y\[1\] is NaN; every value must be a finite number/,
    );
    expect(() => lineChart({ series: [{ name: 'w', x: [0, Infinity], y: [1, 2] }] })).toThrow(/series 0 \("w"\) x\[1\] is Infinity/);
    expect(() => lineChart({ series: [{ name: 'w', x: [0, 1, 2], y: [1, 2] }] })).toThrow(/has 3 x values but 2 y values/);
    expect(() => lineChart({ series: [{ name: 'w', y: [1, 2] }], width: 50, height: 50 })).toThrow(/leave no room/);
  });

  it('accepts typed arrays', () => {
    const c = readChart(lineChart({ series: [{ name: 'f', x: new Float32Array([0, 1]), y: new Float64Array([2, 4]) }] }));
    expect(c.lines.get('f')).toHaveLength(2);
  });
});

describe('log axis and scatter', () => {
  it('puts log ticks on whole decades, 1-2-5 over a short span and fewer over a long one', () => {
    const short = logTicks(0.41, 4.7);
    expect([short.min, short.max]).toEqual([-1, 1]);
    expect(short.labels).toEqual(['0.1', '0.2', '0.5', '1', '2', '5', '10']);
    expect(short.values.map((v) => Number((10 ** v).toPrecision(3)))).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10]);
    expect(logTicks(0.3, 2.1e7).labels).toEqual(['0.1', '10', '1000', '1e5', '1e7', '1e9']);
    expect(logTicks(3, 3).labels).toEqual(['1', '2', '5', '10']);
    expect(() => logTicks(0, 1)).toThrow(/need 0 < lo <= hi/);
  });

  it('maps y by its logarithm: each decade spans the same pixels, ticks carry the values', () => {
    const rng = makeRng(5);
    const y = Array.from({ length: 37 }, (_, i) => 3 * 0.8 ** i + 0.4 + 0.1 * rng());
    const c = readChart(lineChart({ series: [{ name: 'loss', y }], yScale: 'log' }));
    const at = new Map(c.yTicks);
    const decade = at.get(0.1)! - at.get(1)!;
    expect(decade).toBeGreaterThan(50);
    expect(at.get(1)! - at.get(10)!).toBeCloseTo(decade, 1);
    // A point's pixel, read back through the ticks, is its value.
    const [, py] = c.lines.get('loss')![5]!;
    expect(10 ** (Math.log10(0.1) + ((at.get(0.1)! - py) / decade))).toBeCloseTo(y[5]!, 2);
    expect(() => lineChart({ series: [{ name: 'loss', y: [1, 0] }], yScale: 'log' })).toThrow(/series 0 \("loss"\) y\[1\] is 0; a log axis needs positive values/);
    expect(() => lineChart({ series: [{ name: 'w', y: [1, 2] }], yScale: 'log', equalAxes: true })).toThrow(/exclude each other/);
  });

  it('draws a scatter (line: false) as dots only, and its legend key as a dot', () => {
    const svg = lineChart({ series: [{ name: 'batch', x: [0, 1, 2], y: [1, 3, 2], line: false }, { name: 'fit', x: [0, 2], y: [1, 2] }] });
    const els = allElements(parseXml(svg));
    const batch = els.find((e) => e.attrs['data-name'] === 'batch')!;
    expect(batch.children.map((e) => e.name)).toEqual(['circle', 'circle', 'circle']);
    const legend = els.find((e) => e.attrs.class === 'legend')!;
    expect(legend.children.map((e) => e.name)).toEqual(['circle', 'text', 'line', 'text']);
    expect(els.filter((e) => e.attrs['stroke-dasharray'] !== undefined)).toHaveLength(0);
    // A dashed reference line is dashed in the plot and in its legend key.
    const dashed = allElements(parseXml(lineChart({ series: [{ name: 'a', y: [1, 2] }, { name: 'truth', y: [1, 1], dashed: true }] })));
    expect(dashed.filter((e) => e.attrs['stroke-dasharray'] === '6 4').map((e) => e.name)).toEqual(['polyline', 'line']);
  });
});
