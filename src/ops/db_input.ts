/**
 * TensorProtosDBInput: batches from a DB of TensorProtos records (Caffe2's data input). The whole
 * DB is uploaded once, at plan time, and each iteration's batch is gathered on the GPU from a
 * cursor that a second kernel advances, so RunNet(name, n) reads n consecutive batches with no host
 * traffic. Opening DBs (files, registered bytes, formats) is the proto floor's job: it installs a
 * resolver here (setDBResolver), and this file only sees decoded records.
 */
import type { DType, HostArray } from '../core/dtype.js';
import { fmtShape } from '../core/errors.js';
import { arg } from './args.js';
import { defineOp, type BindingSource, type KernelCall, type OpContext, type StreamSource } from './registry.js';
import { linearWorkgroups, size } from './shape.js';
import { shuffleHalfBits, shuffleRecord } from './db_shuffle.js';

/** One tensor position of a DB's records: its shape and dtype, and every record's values concatenated in DB order. */
export interface DBField {
  shape: readonly number[];
  dtype: DType;
  /** count × size(shape) values; uint8 packed four to a word (padded to whole words). */
  data: HostArray;
}

/** A DB's records, decoded: field k holds tensor k of every record (Caffe2: output k). */
export interface DBContents {
  count: number;
  fields: readonly DBField[];
}

/** Opens DB `db` of type `dbType` (names come from the op's arguments); throws a typed error naming `where`. */
export type DBResolver = (db: string, dbType: string, where: string) => DBContents;

let resolver: DBResolver | null = null;

/** Installs the function that opens DBs for TensorProtosDBInput (src/proto/db.ts does on import). */
export function setDBResolver(r: DBResolver): void {
  resolver = r;
}

const dbArgs = {
  batch_size: arg.int(0),
  db: arg.string(),
  db_type: arg.string(),
  /** Not in Caffe2: read each epoch in its own seeded random order instead of DB order. */
  shuffle: arg.bool(0),
  /** Seed of the `shuffle` order. */
  seed: arg.int(0),
  /**
   * Not in Caffe2: the most bytes of DB the op keeps on the GPU (default 128 MiB, WebGPU's default
   * binding limit). A bigger DB is streamed: a window of whole batches at a time, uploaded between submits.
   */
  max_gpu_bytes: arg.int(2 ** 27),
};

function openDB(ctx: OpContext<typeof dbArgs>): DBContents {
  const { db, db_type: dbType } = ctx.args;
  if (!db) ctx.argError('needs argument db (the DB\'s path, or the name it was registered under with workspace.RegisterDB)');
  if (!dbType) ctx.argError('needs argument db_type ("minidb" or "lmdb")');
  if (!resolver) ctx.argError('no DB support is loaded: import caffe2-webgpu (or its proto module) rather than the operators alone');
  const contents = resolver!(db!, dbType!, ctx.where);
  if (contents.count === 0) ctx.argError(`DB "${db}" (${dbType}) holds no records`);
  if (ctx.op.output.length !== contents.fields.length) {
    ctx.argError(`DB "${db}" holds ${contents.fields.length} tensors per record, but the op has ${ctx.op.output.length} outputs (one per tensor)`);
  }
  return contents;
}

/** Which record a global reading position (epoch × count + position) reads: itself, or the epoch's shuffle of it. */
type RecordAt = (position: number) => number;

function recordAt(count: number, shuffle: boolean, seed: number): RecordAt {
  if (!shuffle) return (p) => p % count;
  const half = shuffleHalfBits(count);
  return (p) => shuffleRecord(p % count, Math.floor(p / count) % 2 ** 32, count, half, seed >>> 0);
}

/** Bytes one record's tensor takes on the host side of a window (uint8 one per element). */
const elementBytes = (f: DBField): number => (f.dtype === 'uint8' ? 1 : 4);

/** A streamed DB's windows: `iterations` batches each, `records` = iterations × batch records. */
interface WindowLayout {
  iterations: number;
  records: number;
}

/** Null when the DB fits max_gpu_bytes (kept whole), else the windows it is streamed in. */
function windowLayout(ctx: OpContext<typeof dbArgs>, fields: readonly DBField[], count: number, batch: number): WindowLayout | null {
  const budget = ctx.args.max_gpu_bytes;
  if (budget <= 0) ctx.argError(`max_gpu_bytes must be positive, got ${budget}`);
  const perRecord = fields.reduce((a, f) => a + size(f.shape) * elementBytes(f), 0);
  if (count * perRecord <= budget) return null;
  const iterations = Math.max(1, Math.floor(budget / (perRecord * batch)));
  return { iterations, records: iterations * batch };
}

/** Field `f` streamed: window k holds the records read by runs k·iterations …, in reading order. */
function windowStream(f: DBField, at: RecordAt, layout: WindowLayout): StreamSource {
  const per = size(f.shape);
  const elements = layout.records * per;
  return {
    bytes: Math.ceil((elements * elementBytes(f)) / 4) * 4,
    iterations: layout.iterations,
    window: (k) => {
      const out = f.dtype === 'uint8' ? new Uint8Array(Math.ceil(elements / 4) * 4) : f.dtype === 'float32' ? new Float32Array(elements) : new Int32Array(elements);
      for (let t = 0; t < layout.records; t++) {
        const r = at(k * layout.records + t);
        out.set(f.data.subarray(r * per, (r + 1) * per), t * per);
      }
      return out;
    },
  };
}


export const TensorProtosDBInput = defineOp({
  type: 'TensorProtosDBInput',
  doc:
    'Reads batches of batch_size records from the DB `db` of type `db_type` (a path in Node, or a name given to workspace.RegisterDB); ' +
    'output k is tensor k of each record, stacked ([batch_size, ...dims]; batch_size 0 gives one record as it is). The DB is uploaded ' +
    'once when the net is planned and read in order, wrapping around at its end; a net created again starts again at the first record. ' +
    'A DB over max_gpu_bytes is streamed in windows of whole batches, uploaded between submits.',
  inputs: [],
  outputs: ['data', 'label'],
  outputCount: [1, 64],
  args: dbArgs,
  noGradient: 'data input has no gradient',
  inferShape(ctx) {
    if (ctx.args.batch_size < 0) ctx.argError(`batch_size must be >= 0, got ${ctx.args.batch_size}`);
    const { fields } = openDB(ctx);
    return fields.map((f) => ({ shape: ctx.args.batch_size > 0 ? [ctx.args.batch_size, ...f.shape] : [...f.shape], dtype: f.dtype }));
  },
  kernels(ctx, outputs) {
    const { count, fields } = openDB(ctx);
    const batch = Math.max(1, ctx.args.batch_size);
    const shuffle = ctx.args.shuffle !== 0;
    fields.forEach((f, k) => {
      if (size(f.shape) === 0) ctx.shapeError(`tensor #${k} of each record has shape ${fmtShape(f.shape)}, which holds no values`);
    });
    const layout = windowLayout(ctx, fields, count, batch);
    // Streamed, the kernel sees one window of records already in reading order (shuffled on the host).
    const seen = layout ? layout.records : count;
    // The cursor [position, epoch] of the next batch among the records the kernel sees, shared by every
    // dispatch of the op. It is written from the run count when a plan first runs and at each window, so
    // a re-planned net reads on where it was; kernels advance it in between.
    const CURSOR: BindingSource = {
      stream: {
        bytes: 8,
        iterations: layout ? layout.iterations : Infinity,
        window: (_k, runCount) => Int32Array.of((runCount * batch) % seen, Math.floor((runCount * batch) / seen) % 2 ** 32 | 0),
      },
    };
    const at = recordAt(count, shuffle, ctx.args.seed);
    const calls: KernelCall[] = fields.map((f, k) => {
      const n = size(outputs[k]!.shape);
      const packed = f.dtype === 'uint8';
      const data: BindingSource = layout ? { stream: windowStream(f, at, layout) } : { constant: f.data };
      return {
        shader: 'db_input.wgsl',
        bindings: { DATA: data, CURSOR, Y: { output: k } },
        overrides: { PACKED: packed ? 1 : 0, SHUFFLE: shuffle && !layout ? 1 : 0 },
        uniforms: { n, record: size(f.shape), count: seen, batch, half: shuffleHalfBits(count), seed: ctx.args.seed >>> 0 },
        // A packed output is written a word (four elements) per thread.
        workgroups: linearWorkgroups(packed ? Math.ceil(n / 4) : n),
      };
    });
    // After every output has read the cursor (dispatches run in order), move it on by one batch.
    calls.push({ shader: 'db_input_advance.wgsl', bindings: { CURSOR }, uniforms: { count: seen, batch }, workgroups: [1] });
    return calls;
  },
});
