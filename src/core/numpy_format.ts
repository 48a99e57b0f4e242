/**
 * numpy's printing rules (arrayprint.py, numpy ≥ 1.14 defaults: precision 8, floatmode "maxprec",
 * line width 75, summarised past 1000 elements with 3 edge items), so a tutorial's `print(blob)`
 * reads the same here. Float32 values print their shortest round-tripping digits.
 */

/** numpy's print options that matter here. */
const PRECISION = 8;
const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;

/** The fewest significant digits (1–9) that read back as the same float32. */
function shortestDigits(v: number): number {
  for (let p = 1; p < 9; p++) if (Math.fround(Number(v.toPrecision(p))) === v) return p;
  return 9;
}

/** Positional digits of a float32: shortest unique, at most `PRECISION` after the point; "1." for integers. */
function positional(v: number): string {
  const p = shortestDigits(v);
  const rounded = Number(v.toPrecision(p));
  const exp = rounded === 0 ? 0 : Math.floor(Math.log10(Math.abs(rounded)));
  const fraction = Math.max(0, p - 1 - exp);
  let s = fraction > PRECISION ? v.toFixed(PRECISION) : rounded.toFixed(fraction);
  if (s.includes('.')) s = s.replace(/0+$/, '');
  else s += '.';
  return Object.is(v, -0) && !s.startsWith('-') ? `-${s}` : s;
}

/** Scientific digits of a float32 split into mantissa and exponent: shortest unique, at most `PRECISION` mantissa decimals. */
function scientific(v: number): { mantissa: string; exponent: number } {
  const p = Math.min(shortestDigits(v), PRECISION + 1);
  const [m, e] = v.toExponential(p - 1).split('e') as [string, string];
  return { mantissa: m.includes('.') ? m : `${m}.`, exponent: Number(e) };
}

function exponentText(e: number, digits: number): string {
  return `e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(digits, '0')}`;
}

function nonFinite(v: number): string {
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

/** One formatter for all elements of a float array: numpy's FloatingFormat.fillFormat. */
function floatFormatter(values: readonly number[]): (v: number) => string {
  const finite = values.filter(Number.isFinite);
  const nonZero = finite.filter((v) => v !== 0).map(Math.abs);
  const max = nonZero.length ? Math.max(...nonZero) : 0;
  const min = nonZero.length ? Math.min(...nonZero) : 0;
  const exp = nonZero.length > 0 && (max >= 1e8 || min < 1e-4 || max / min > 1000);
  let padLeft = 0;
  let padRight = 0;
  let format: (v: number) => string;
  if (exp) {
    const parts = finite.map(scientific);
    const precision = Math.max(0, ...parts.map((s) => s.mantissa.length - s.mantissa.indexOf('.') - 1));
    const expDigits = Math.max(2, ...parts.map((s) => String(Math.abs(s.exponent)).length));
    padLeft = Math.max(0, ...parts.map((s) => s.mantissa.indexOf('.')));
    padRight = expDigits + 2 + precision;
    format = (v) => {
      // numpy's min_digits: every element shows the common precision with the value's own further digits.
      const [m, e] = v.toExponential(precision).split('e') as [string, string];
      return (precision === 0 ? `${m}.` : m).padStart(padLeft + 1 + precision) + exponentText(Number(e), expDigits);
    };
  } else {
    const strs = finite.map(positional);
    padLeft = Math.max(0, ...strs.map((s) => s.indexOf('.')));
    padRight = Math.max(0, ...strs.map((s) => s.length - s.indexOf('.') - 1));
    format = (v) => {
      const s = positional(v);
      const dot = s.indexOf('.');
      return ' '.repeat(padLeft - dot) + s + ' '.repeat(padRight - (s.length - dot - 1));
    };
  }
  if (finite.length !== values.length) {
    const inf = 3 + (values.some((v) => v === -Infinity) ? 1 : 0);
    padLeft = Math.max(padLeft, 3 - (padRight + 1), inf - (padRight + 1));
  }
  return (v) => (Number.isFinite(v) ? format(v) : nonFinite(v).padStart(padLeft + padRight + 1));
}

/** numpy's IntegerFormat: right-aligned to the widest of max and min. */
function intFormatter(values: readonly number[]): (v: number) => string {
  const width = values.length ? Math.max(String(Math.max(...values)).length, String(Math.min(...values)).length) : 0;
  return (v) => String(v).padStart(width);
}

/** numpy's str() of one float32 scalar: "0.5", "2.0", "1e-05", "1.5e+16". */
export function formatFloat32(v: number): string {
  if (!Number.isFinite(v)) return nonFinite(v);
  const abs = Math.abs(v);
  if (abs === 0 || (abs >= 1e-4 && abs < 1e16)) {
    const s = positional(v);
    return s.endsWith('.') ? `${s}0` : s;
  }
  const { mantissa, exponent } = scientific(v);
  return mantissa.replace(/\.?0*$/, '') + exponentText(exponent, 2);
}

/** numpy's str() of an array of `shape` holding `data` row-major. */
export function formatArray(shape: readonly number[], data: ArrayLike<number>, isFloat: boolean): string {
  if (shape.length === 0) return isFloat ? formatFloat32(data[0]!) : String(data[0]);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 0) return '[]';
  const summarize = size > THRESHOLD;
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  // Indices shown along each axis: all, or the edge items around "...".
  const shown = (n: number): Array<number | null> =>
    summarize && n > 2 * EDGE_ITEMS ? [...Array.from({ length: EDGE_ITEMS }, (_, i) => i), null, ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i)] : Array.from({ length: n }, (_, i) => i);
  const visible: number[] = [];
  const collect = (dim: number, offset: number): void => {
    for (const i of shown(shape[dim]!)) {
      if (i === null) continue;
      if (dim === shape.length - 1) visible.push(data[offset + i]!);
      else collect(dim + 1, offset + i * strides[dim]!);
    }
  };
  collect(0, 0);
  const fmt = isFloat ? floatFormatter(visible) : intFormatter(visible);

  const recurse = (dim: number, offset: number, hanging: string, width: number): string => {
    const axesLeft = shape.length - dim;
    const items = shown(shape[dim]!);
    let s = '';
    if (axesLeft === 1) {
      const elemWidth = width - 1;
      let line = hanging;
      items.forEach((i, k) => {
        const word = i === null ? '...' : fmt(data[offset + i]!);
        // numpy keeps one column for the closing bracket and never wraps a line that holds nothing yet.
        if (line.length + word.length > elemWidth && line.length > hanging.length) {
          s += line.trimEnd() + '\n';
          line = hanging;
        }
        line += word;
        if (k < items.length - 1) line += ' ';
      });
      s += line;
    } else {
      const sep = '\n'.repeat(axesLeft - 1);
      s = items
        .map((i) => hanging + (i === null ? '...' : recurse(dim + 1, offset + i * strides[dim]!, hanging + ' ', width - 1)))
        .join(sep);
    }
    return `[${s.slice(hanging.length)}]`;
  };
  return recurse(0, 0, ' ', LINE_WIDTH);
}
