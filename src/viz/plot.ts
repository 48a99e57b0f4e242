/**
 * A small SVG line-chart writer (axes, nice ticks, grid, labels, legend) for training curves such as
 * the tutorial's w0-vs-w1 path and b-vs-iteration. Pure string output: no DOM, so the same code
 * writes a file in Node and feeds `svgElement` in a browser.
 */

/** One line of a chart. */
export interface Series {
  name: string;
  /** Defaults to 0, 1, 2, … (pyplot.plot(y)). */
  x?: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Any SVG colour; defaults to the palette. */
  color?: string;
  /** Also mark every point with a dot (a lone point is always marked). */
  points?: boolean;
  /** Join the points with a line (default true); false with `points` draws a scatter. */
  line?: boolean;
  /** Draw the line dashed: a reference (ground truth, a floor) that stays visible under a series on top of it. */
  dashed?: boolean;
}

/** Options of `lineChart`. */
export interface LineChartOptions {
  series: readonly Series[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** One unit spans as many pixels on x as on y (pyplot.axis('equal')). */
  equalAxes?: boolean;
  /** Pixels; default 640 × 420. */
  width?: number;
  height?: number;
  /** Default: shown when there are two or more series. */
  legend?: boolean;
  /** "log": a base-10 y axis (every y must be positive), for losses that fall by decades. */
  yScale?: 'linear' | 'log';
}

/** Tick positions of one axis: the axis spans [min, max]; ticks are multiples of step. */
export interface Ticks {
  min: number;
  max: number;
  step: number;
  values: number[];
  /** Tick text when it is not the value itself (a log axis: values are log10 positions). */
  labels?: string[];
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const FONT_SIZE = 12;
/** Helvetica digits are 0.556 em; a little more covers letters and the minus sign. */
const CHAR_WIDTH = 0.6 * FONT_SIZE;

/** The 1, 2 or 5 × 10^k step nearest (on a log scale) to splitting `span` into `count` intervals. */
export function niceStep(span: number, count: number): number {
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const f = raw / magnitude;
  // The thresholds are the geometric means of neighbouring steps: √2 (1|2), √10 (2|5), √50 (5|10).
  return (f >= Math.sqrt(50) ? 10 : f >= Math.sqrt(10) ? 5 : f >= Math.SQRT2 ? 2 : 1) * magnitude;
}

/** Multiples of `step` inside [lo, hi], rounded so 0.1 + 0.2 prints as 0.3. */
function multiples(lo: number, hi: number, step: number): number[] {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  const values: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k <= Math.floor(hi / step + 1e-9); k++) {
    values.push(Number((k * step).toFixed(Math.min(digits, 20))) || 0);
  }
  return values;
}

/** An axis widened to whole nice steps around [lo, hi] with about `count` intervals. */
export function niceTicks(lo: number, hi: number, count = 6): Ticks {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) {
    throw new RangeError(`niceTicks: need finite lo <= hi, got [${lo}, ${hi}]`);
  }
  if (lo === hi) {
    // A constant series still needs a visible span; centre it.
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, count);
  const min = Math.floor(lo / step + 1e-9) * step;
  const max = Math.ceil(hi / step - 1e-9) * step;
  const values = multiples(min, max, step);
  return { min: values[0]!, max: values[values.length - 1]!, step, values };
}

/** Tick text with just enough decimals for the step; exponent form for very large or small steps. */
export function formatTick(value: number, step: number): string {
  if (value === 0) return '0';
  if (step >= 1e6 || step < 1e-4) return value.toExponential(Math.max(0, Math.round(Math.log10(Math.abs(value) / step))));
  return value.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
}

/** A log-axis tick: plain digits between 0.001 and 10⁵, else "5e7". */
function logLabel(mantissa: number, exponent: number): string {
  const v = mantissa * 10 ** exponent;
  return exponent >= -3 && exponent < 5 ? String(Number(v.toPrecision(1))) : `${mantissa}e${exponent}`;
}

/**
 * Ticks of a base-10 log axis covering [lo, hi] (both > 0), widened to whole decades. Positions are
 * log10 values; labels are the numbers: 1, 2, 5 per decade over a short span, fewer over a long one.
 */
export function logTicks(lo: number, hi: number): Ticks {
  if (!(lo > 0) || !(hi >= lo) || !Number.isFinite(hi)) throw new RangeError(`logTicks: need 0 < lo <= hi, finite; got [${lo}, ${hi}]`);
  const min = Math.floor(Math.log10(lo) + 1e-9);
  const top = Math.max(min + 1, Math.ceil(Math.log10(hi) - 1e-9));
  const every = Math.ceil((top - min) / 7);
  // Over a long span ticks skip decades; the axis ends on a tick.
  const max = min + every * Math.ceil((top - min) / every);
  const decades = max - min;
  const mantissas = decades <= 2 ? [1, 2, 5] : decades <= 4 ? [1, 3] : [1];
  const values: number[] = [];
  const labels: string[] = [];
  for (let e = min; e <= max; e++) {
    if ((e - min) % every !== 0) continue;
    for (const m of mantissas) {
      if (e === max && m > 1) break;
      values.push(e + Math.log10(m));
      labels.push(logLabel(m, e));
    }
  }
  return { min, max, step: every, values, labels };
}

function tickText(t: Ticks, i: number): string {
  return t.labels?.[i] ?? formatTick(t.values[i]!, t.step);
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmt = (v: number): string => String(Math.round(v * 100) / 100);

interface Checked {
  name: string;
  x: number[];
  y: number[];
  color: string;
  points: boolean;
  line: boolean;
  dashed: boolean;
}

function checkSeries(series: readonly Series[], yLog = false): Checked[] {
  if (!series || series.length === 0) throw new RangeError('lineChart: no series to plot (series is empty)');
  return series.map((s, k) => {
    const label = `series ${k} ("${s.name}")`;
    if (!s.y || s.y.length === 0) throw new RangeError(`lineChart: ${label} has no points (y is empty)`);
    const y = Array.from(s.y);
    const x = s.x === undefined ? y.map((_, i) => i) : Array.from(s.x);
    if (x.length !== y.length) throw new RangeError(`lineChart: ${label} has ${x.length} x values but ${y.length} y values`);
    for (const [axis, values] of [['x', x], ['y', y]] as const) {
      const bad = values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
      if (bad >= 0) throw new RangeError(`lineChart: ${label} ${axis}[${bad}] is ${values[bad]}; every value must be a finite number`);
    }
    if (yLog) {
      const bad = y.findIndex((v) => v <= 0);
      if (bad >= 0) throw new RangeError(`lineChart: ${label} y[${bad}] is ${y[bad]}; a log axis needs positive values`);
    }
    const line = s.line !== false;
    return {
      name: s.name,
      x,
      // A log axis is a linear one over log10(y); ticks carry the labels.
      y: yLog ? y.map(Math.log10) : y,
      color: s.color ?? PALETTE[k % PALETTE.length]!,
      points: s.points === true || y.length === 1 || !line,
      line,
      dashed: s.dashed === true,
    };
  });
}

const DASH = (s: Checked): string => (s.dashed ? ' stroke-dasharray="6 4"' : '');

function seriesOf(options: LineChartOptions): Checked[] {
  if (options.yScale === 'log' && options.equalAxes) throw new RangeError('lineChart: equalAxes and a log y axis exclude each other');
  return checkSeries(options.series, options.yScale === 'log');
}

/** Where everything goes: the plot rectangle in pixels and the ticks of both axes. */
export interface ChartLayout {
  width: number;
  height: number;
  plot: { left: number; top: number; width: number; height: number };
  x: Ticks;
  y: Ticks;
}

function extent(values: number[][]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) for (const e of v) {
    lo = Math.min(lo, e);
    hi = Math.max(hi, e);
  }
  return [lo, hi];
}

/** Equal axes: one units-per-pixel for both, the narrower data span centred, ticks sharing one step. */
function equalTicks(xr: [number, number], yr: [number, number], pw: number, ph: number): [Ticks, Ticks] {
  const span = Math.max(xr[1] - xr[0], yr[1] - yr[0]) || Math.max(Math.abs(xr[0]), Math.abs(yr[0]), 1);
  const unitsPerPixel = (Math.max((xr[1] - xr[0] || span) / pw, (yr[1] - yr[0] || span) / ph)) * 1.1;
  const axis = ([lo, hi]: [number, number], pixels: number): [number, number] => {
    const c = (lo + hi) / 2;
    return [c - (unitsPerPixel * pixels) / 2, c + (unitsPerPixel * pixels) / 2];
  };
  const [x0, x1] = axis(xr, pw);
  const [y0, y1] = axis(yr, ph);
  const step = niceStep(Math.min(x1 - x0, y1 - y0), 5);
  return [
    { min: x0, max: x1, step, values: multiples(x0, x1, step) },
    { min: y0, max: y1, step, values: multiples(y0, y1, step) },
  ];
}

/** Computes the chart's layout (exposed so tests and callers can map data to pixels). */
export function chartLayout(options: LineChartOptions): ChartLayout {
  const series = seriesOf(options);
  const width = options.width ?? 640;
  const height = options.height ?? 420;
  const xr = extent(series.map((s) => s.x));
  const yr = extent(series.map((s) => s.y));
  const showLegend = options.legend ?? series.length > 1;
  const legendWidth = showLegend ? 36 + CHAR_WIDTH * Math.max(...series.map((s) => s.name.length)) : 0;
  const top = options.title ? 40 : 16;
  const bottom = 30 + (options.xLabel ? 22 : 0);
  const right = 20 + legendWidth;
  const place = (left: number): ChartLayout => {
    const plot = { left, top, width: width - left - right, height: height - top - bottom };
    if (plot.width < 40 || plot.height < 40) {
      throw new RangeError(`lineChart: ${width}×${height} pixels leave no room for the plot; make the chart larger`);
    }
    const yTicks = options.yScale === 'log' ? logTicks(10 ** yr[0], 10 ** yr[1]) : niceTicks(yr[0], yr[1], 5);
    const [x, y] = options.equalAxes ? equalTicks(xr, yr, plot.width, plot.height) : [niceTicks(xr[0], xr[1]), yTicks];
    return { width, height, plot, x, y };
  };
  const leftFor = (l: ChartLayout): number =>
    Math.ceil(14 + CHAR_WIDTH * Math.max(...l.y.values.map((_, i) => tickText(l.y, i).length)) + (options.yLabel ? 24 : 0));
  // The y tick labels set the left margin, which (with equal axes) can change the ticks: settle twice.
  let layout = place(60);
  layout = place(leftFor(layout));
  return place(Math.max(leftFor(layout), layout.plot.left));
}

/** An SVG document (string) of a line chart with axes, nice ticks, grid, labels and a legend. */
export function lineChart(options: LineChartOptions): string {
  const series = seriesOf(options);
  const L = chartLayout(options);
  const { left, top, width: pw, height: ph } = L.plot;
  const px = (v: number): number => left + ((v - L.x.min) / (L.x.max - L.x.min)) * pw;
  const py = (v: number): number => top + ph - ((v - L.y.min) / (L.y.max - L.y.min)) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" viewBox="0 0 ${L.width} ${L.height}" font-family="Helvetica, Arial, sans-serif" font-size="${FONT_SIZE}">`,
    `<rect width="${L.width}" height="${L.height}" fill="white"/>`,
  ];
  if (options.title) {
    out.push(`<text class="title" x="${fmt(left + pw / 2)}" y="26" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`);
  }
  out.push('<g class="x-ticks">');
  for (const [i, v] of L.x.values.entries()) {
    const x = fmt(px(v));
    out.push(
      `<g class="tick" data-value="${v}"><line x1="${x}" y1="${top}" x2="${x}" y2="${top + ph}" stroke="#e3e3e3"/>` +
        `<line x1="${x}" y1="${top + ph}" x2="${x}" y2="${top + ph + 5}" stroke="#333"/>` +
        `<text x="${x}" y="${top + ph + 18}" text-anchor="middle">${tickText(L.x, i)}</text></g>`,
    );
  }
  out.push('</g>', '<g class="y-ticks">');
  for (const [i, v] of L.y.values.entries()) {
    const y = fmt(py(v));
    out.push(
      `<g class="tick" data-value="${options.yScale === 'log' ? Number((10 ** v).toPrecision(6)) : v}"><line x1="${left}" y1="${y}" x2="${left + pw}" y2="${y}" stroke="#e3e3e3"/>` +
        `<line x1="${left - 5}" y1="${y}" x2="${left}" y2="${y}" stroke="#333"/>` +
        `<text x="${left - 8}" y="${y}" dy="0.35em" text-anchor="end">${tickText(L.y, i)}</text></g>`,
    );
  }
  out.push('</g>');
  out.push(`<rect class="plot-area" x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  if (options.xLabel) {
    out.push(`<text class="x-label" x="${fmt(left + pw / 2)}" y="${L.height - 10}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
  }
  if (options.yLabel) {
    const cy = fmt(top + ph / 2);
    out.push(`<text class="y-label" x="16" y="${cy}" dy="0.35em" text-anchor="middle" transform="rotate(-90 16 ${cy})">${escapeXml(options.yLabel)}</text>`);
  }
  for (const s of series) {
    const name = escapeXml(s.name);
    out.push(`<g class="series" data-name="${name}">`);
    if (s.line && s.x.length > 1) {
      const pts = s.x.map((x, i) => `${fmt(px(x))},${fmt(py(s.y[i]!))}`).join(' ');
      out.push(`<polyline fill="none" stroke="${escapeXml(s.color)}" stroke-width="2" stroke-linejoin="round"${DASH(s)} points="${pts}"/>`);
    }
    if (s.points) {
      for (let i = 0; i < s.x.length; i++) out.push(`<circle cx="${fmt(px(s.x[i]!))}" cy="${fmt(py(s.y[i]!))}" r="3.5" fill="${escapeXml(s.color)}"/>`);
    }
    out.push('</g>');
  }
  if (options.legend ?? series.length > 1) {
    const lx = left + pw + 14;
    out.push('<g class="legend">');
    series.forEach((s, k) => {
      const ly = top + 10 + k * 20;
      const color = escapeXml(s.color);
      // The key shows what the series draws: its line, its dots, or both.
      if (s.line && s.x.length > 1) out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 18}" y2="${ly}" stroke="${color}" stroke-width="2"${DASH(s)}/>`);
      if (s.points) out.push(`<circle cx="${lx + 9}" cy="${ly}" r="3.5" fill="${color}"/>`);
      out.push(`<text x="${lx + 24}" y="${ly}" dy="0.35em">${escapeXml(s.name)}</text>`);
    });
    out.push('</g>');
  }
  out.push('</svg>', '');
  return out.join('\n');
}
