/**
 * Caffe2's `minidb`: the portable reference DB of caffe2/core/db.cc, a file of records, each an
 * int32 key length, an int32 value length (little-endian, both > 0), the key bytes and the value
 * bytes, until the end of the file. Browser-safe: bytes in, bytes out.
 */
import { ArgumentError } from '../core/errors.js';

/** One DB entry: the key as text (Caffe2's keys are strings such as "00000042") and the raw value. */
export interface DBRecord {
  key: string;
  value: Uint8Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Splits minidb bytes into records, in file order; a truncated or malformed file is an ArgumentError naming the offset. */
export function readMiniDB(bytes: Uint8Array, what = 'readMiniDB'): DBRecord[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: DBRecord[] = [];
  let at = 0;
  while (at < bytes.length) {
    const where = `${what}: record #${records.length} at byte ${at}`;
    if (at + 8 > bytes.length) throw new ArgumentError(`${where}: the file ends inside the two length words (${bytes.length - at} bytes left, need 8); truncated file?`);
    const keyLen = view.getInt32(at, true);
    const valueLen = view.getInt32(at + 4, true);
    if (keyLen <= 0 || valueLen <= 0) {
      throw new ArgumentError(`${where}: key length ${keyLen} and value length ${valueLen} must both be positive; not a minidb file?`);
    }
    const end = at + 8 + keyLen + valueLen;
    if (end > bytes.length) {
      throw new ArgumentError(`${where}: key (${keyLen} bytes) and value (${valueLen} bytes) run past the end of the ${bytes.length}-byte file; truncated file?`);
    }
    let key: string;
    try {
      key = utf8.decode(bytes.subarray(at + 8, at + 8 + keyLen));
    } catch {
      throw new ArgumentError(`${where}: the key is not UTF-8 text`);
    }
    records.push({ key, value: bytes.subarray(at + 8 + keyLen, end) });
    at = end;
  }
  return records;
}

/** Writes records as minidb bytes, in the order given (as Caffe2's MiniDBTransaction::Put appends them). */
export function writeMiniDB(records: readonly DBRecord[], what = 'writeMiniDB'): Uint8Array {
  const keys = records.map((r) => utf8Encoder.encode(r.key));
  let total = 0;
  records.forEach((r, k) => {
    if (keys[k]!.length === 0 || r.value.length === 0) {
      throw new ArgumentError(`${what}: record #${k} ("${r.key}") has an empty ${keys[k]!.length === 0 ? 'key' : 'value'}; minidb readers reject empty keys and values`);
    }
    total += 8 + keys[k]!.length + r.value.length;
  });
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  records.forEach((r, k) => {
    const key = keys[k]!;
    view.setInt32(at, key.length, true);
    view.setInt32(at + 4, r.value.length, true);
    out.set(key, at + 8);
    out.set(r.value, at + 8 + key.length);
    at += 8 + key.length + r.value.length;
  });
  return out;
}
