/**
 * Print and Summarize: they report to the host without a readback per iteration. Each run appends
 * a record to the op's log on the GPU (print.wgsl, then log_tick.wgsl); the workspace reads the logs
 * back once when the RunNet call completes and writes the lines to its log sink (SetLogSink).
 */
import { storageWords, type DType } from '../core/dtype.js';
import { fmtShape } from '../core/errors.js';
import { formatFloat32 } from '../core/numpy_format.js';
import { arg } from './args.js';
import { defineOp, type BindingSource, type KernelCall, type OpContext } from './registry.js';
import { linearWorkgroups, requireDType, size } from './shape.js';
import type { ArgSchema } from './args.js';

/** Caffe2 prints at most this many values when `limit` is 0. */
const DEFAULT_LIMIT = 1000;
/** A log keeps at most this many records per RunNet call, and at most LOG_BYTES bytes. */
const MAX_SLOTS = 100;
const LOG_BYTES = 1 << 20;

/** Where one op's records go: their size, how many the log keeps, and its byte size. */
interface LogLayout {
  words: number;
  slots: number;
  bytes: number;
}

function logLayout(words: number): LogLayout {
  const slots = Math.max(1, Math.min(MAX_SLOTS, Math.floor(LOG_BYTES / Math.max(1, words * 4))));
  return { words, slots, bytes: (2 + slots * words) * 4 };
}

/** The record and tick dispatches: copy `words` of `from` into the log, then count the run. */
function logCalls(from: BindingSource, layout: LogLayout, everyN: number): KernelCall[] {
  const log = { log: layout.bytes };
  const calls: KernelCall[] = [];
  if (layout.words > 0) {
    calls.push({
      shader: 'print.wgsl',
      bindings: { X: from, LOG: log },
      uniforms: { words: layout.words, every_n: everyN, slots: layout.slots },
      workgroups: linearWorkgroups(layout.words),
    });
  }
  calls.push({ shader: 'log_tick.wgsl', bindings: { LOG: log }, uniforms: { every_n: everyN }, workgroups: [1] });
  return calls;
}

/** The records of a log read back, and how many runs reported but found the log full. */
function records(words: Uint32Array, layout: LogLayout): { list: Uint32Array[]; dropped: number } {
  const written = words[1]!;
  const kept = Math.min(written, layout.slots);
  const list = Array.from({ length: kept }, (_, r) => words.subarray(2 + r * layout.words, 2 + (r + 1) * layout.words));
  return { list, dropped: written - kept };
}

/** Values of one record as text, by the tensor's dtype (uint8 unpacked from its words). */
function valuesText(record: Uint32Array, dtype: DType, count: number): string {
  const values =
    dtype === 'float32'
      ? Array.from(new Float32Array(record.buffer, record.byteOffset, count), formatFloat32)
      : dtype === 'int32'
        ? Array.from(new Int32Array(record.buffer, record.byteOffset, count), String)
        : Array.from(new Uint8Array(record.buffer, record.byteOffset, count), String);
  return values.join(' ');
}

function droppedLine(name: string, dropped: number, layout: LogLayout): string[] {
  return dropped > 0 ? [`${name}: ${dropped} more records in this run were not kept (the log holds ${layout.slots} per RunNet call)`] : [];
}

function checkEveryN<S extends ArgSchema>(ctx: OpContext<S>, everyN: number): void {
  if (everyN < 1) ctx.argError(`every_n must be at least 1, got ${everyN}`);
}

const printArgs = { to_file: arg.bool(0), limit: arg.int(0), every_n: arg.int(1) };

/** Values Print records: `limit` (0: Caffe2's default of 1000), at most the tensor's size. */
function printedCount(ctx: OpContext<typeof printArgs>): number {
  return Math.min(size(ctx.inputs[0]!.shape), ctx.args.limit || DEFAULT_LIMIT);
}

export const Print = defineOp({
  type: 'Print',
  doc: 'Writes the input\'s values (at most `limit`, default 1000) to the log sink every `every_n` runs; the lines of a RunNet call arrive when it completes. to_file is accepted and goes to the same sink.',
  inputs: ['tensor'],
  outputs: [],
  args: printArgs,
  shouldNotDoGradient: 'Print only reports its input',
  inferShape(ctx) {
    if (ctx.args.limit < 0) ctx.argError(`limit must be >= 0 (0 prints up to ${DEFAULT_LIMIT} values), got ${ctx.args.limit}`);
    checkEveryN(ctx, ctx.args.every_n);
    return [];
  },
  kernels(ctx) {
    const x = ctx.inputs[0]!;
    return logCalls({ input: 0 }, logLayout(storageWords(x.dtype, printedCount(ctx))), ctx.args.every_n);
  },
  report(ctx, _outputs, words) {
    const x = ctx.inputs[0]!;
    const name = ctx.op.input[0]!;
    const count = printedCount(ctx);
    const layout = logLayout(storageWords(x.dtype, count));
    const { list, dropped } = records(words, layout);
    const more = size(x.shape) > count ? ` ... (${size(x.shape) - count} more)` : '';
    const head = `${name} (${x.dtype} ${fmtShape(x.shape)}):`;
    return [...list.map((r) => `${head} ${valuesText(r, x.dtype, count)}${more}`), ...droppedLine(name, dropped, layout)];
  },
});

/** Summarize's record: [min, max, mean, std] as four float32 words. */
const SUMMARY = logLayout(4);

export const Summarize = defineOp({
  type: 'Summarize',
  doc: 'Y (optional) = [min, max, mean, std] of the float input (std unbiased); with to_file=1 the four values also go to the log sink each run, as "<input>.summary: min max mean std".',
  inputs: ['data'],
  outputs: ['output'],
  outputCount: [0, 1],
  args: { to_file: arg.bool(0) },
  shouldNotDoGradient: 'Summarize only reports its input',
  inferShape(ctx) {
    const x = ctx.inputs[0]!;
    requireDType(ctx, ctx.op.input[0]!, x, 'float32');
    if (size(x.shape) === 0) ctx.shapeError(`input ${ctx.op.input[0]} ${fmtShape(x.shape)} is empty; there is nothing to summarize`);
    return ctx.op.output.length ? [{ shape: [4], dtype: 'float32' }] : [];
  },
  kernels(ctx) {
    const stats: BindingSource = ctx.op.output.length ? { output: 0 } : { scratch: 'stats', bytes: 16 };
    const calls: KernelCall[] = [
      { shader: 'summarize.wgsl', bindings: { X: { input: 0 }, S: stats }, uniforms: { n: size(ctx.inputs[0]!.shape) }, workgroups: [1] },
    ];
    if (ctx.args.to_file) calls.push(...logCalls(stats, SUMMARY, 1));
    return calls;
  },
  report(ctx, _outputs, words) {
    const { list, dropped } = records(words, SUMMARY);
    const name = ctx.op.input[0]!;
    return [...list.map((r) => `${name}.summary: ${valuesText(r, 'float32', 4)}`), ...droppedLine(name, dropped, SUMMARY)];
  },
  reference([x]) {
    const d = x!.data;
    const n = d.length;
    const mean = d.reduce((a, b) => a + b, 0) / n;
    const std = n === 1 ? 0 : Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    return [{ shape: [4], data: Float64Array.from([Math.min(...d), Math.max(...d), mean, std]) }];
  },
});
