/**
 * MNIST's IDX files (images and labels, also Fashion-MNIST's) and the DB records Caffe2's
 * make_mnist_db makes of them: key "%08d", value TensorProtos [image BYTE [1,rows,cols] (or
 * [rows,cols,1]), label INT32 scalar]. Browser-safe: plain (not gzipped) bytes in.
 */
import { ArgumentError } from '../core/errors.js';
import { DataType } from '../core/dtype.js';
import type { TensorDBEntry } from './db.js';

/** An unsigned-byte IDX tensor: its dims and its values. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** IDX magic: two zero bytes, the type (0x08: unsigned byte), the number of dims; dims follow as big-endian int32. */
export function readIdx(bytes: Uint8Array, what = 'readIdx'): IdxArray {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new ArgumentError(`${what}: not an IDX file (it must start with two zero bytes${bytes[0] === 0x1f && bytes[1] === 0x8b ? '; this one is gzipped: decompress it first' : ''})`);
  }
  if (bytes[2] !== 0x08) throw new ArgumentError(`${what}: IDX element type 0x${bytes[2]!.toString(16)} is not 0x08 (unsigned byte), which MNIST files use`);
  const rank = bytes[3]!;
  const head = 4 + 4 * rank;
  if (bytes.length < head) throw new ArgumentError(`${what}: the file ends inside its ${rank} dims (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: rank }, (_, k) => view.getUint32(4 + 4 * k, false));
  const n = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - head < n) {
    throw new ArgumentError(`${what}: dims [${dims.join(',')}] hold ${n} bytes, but only ${bytes.length - head} follow the header; truncated file?`);
  }
  return { dims, data: bytes.subarray(head, head + n) };
}

/** Options of mnistRecords, after make_mnist_db's flags. */
export interface MnistRecordOptions {
  /** Images as [1,rows,cols] (NCHW) rather than [rows,cols,1]. */
  channelFirst?: boolean;
  /** Only the first `limit` items (default all). */
  limit?: number;
}

/** make_mnist_db's records from an IDX image file ([n,rows,cols]) and label file ([n]). */
export function mnistRecords(images: IdxArray, labels: IdxArray, options: MnistRecordOptions = {}): TensorDBEntry[] {
  if (images.dims.length !== 3) throw new ArgumentError(`make_mnist_db: the image file has dims [${images.dims.join(',')}], expected [count, rows, cols]`);
  if (labels.dims.length !== 1) throw new ArgumentError(`make_mnist_db: the label file has dims [${labels.dims.join(',')}], expected [count]`);
  const [count, rows, cols] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) throw new ArgumentError(`make_mnist_db: ${count} images but ${labels.dims[0]} labels`);
  const limit = options.limit ?? count;
  if (!Number.isInteger(limit) || limit < 0) throw new ArgumentError(`make_mnist_db: data_limit must be a non-negative integer, got ${limit}`);
  const shape = options.channelFirst ? [1, rows, cols] : [rows, cols, 1];
  const pixels = rows * cols;
  return Array.from({ length: Math.min(limit, count) }, (_, i) => ({
    key: String(i).padStart(8, '0'),
    tensors: [
      { name: '', shape, dtype: 'int32', data: Int32Array.from(images.data.subarray(i * pixels, (i + 1) * pixels)), dataType: DataType.BYTE },
      { name: '', shape: [], dtype: 'int32', data: Int32Array.of(labels.data[i]!), dataType: DataType.INT32 },
    ],
  }));
}
