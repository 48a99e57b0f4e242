/**
 * The fast path for big checkpoints: protobufjs decodes a packed `float_data` element by element
 * into a JS array (a 381 MiB file took 42 s). This scan cuts each TensorProto's packed float_data
 * out of the TensorProtos bytes as one native copy into a Float32Array, and hands the small rest
 * to protobufjs, which still checks every other field. Anything unusual (groups, float_data given
 * both packed and unpacked, a truncated field) makes it step aside: the plain decoder then
 * decodes or rejects the bytes exactly as before.
 */

const TENSOR_PROTOS_PROTOS = 1; // TensorProtos.protos
const TENSOR_PROTO_FLOAT_DATA = 3; // TensorProto.float_data, [packed = true]
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** The bytes without the lifted payloads, and each proto's lifted floats (null: none lifted). */
export interface LiftedFloats {
  rest: Uint8Array;
  floats: Array<Float32Array | null>;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One field: its number, wire type, where it starts, where its payload starts and ends. */
interface Field {
  number: number;
  wire: number;
  start: number;
  payload: number;
  end: number;
}

function varint(bytes: Uint8Array, at: number): [number, number] | null {
  let v = 0;
  for (let shift = 0, i = at; i < bytes.length && shift < 53; shift += 7, i++) {
    const b = bytes[i]!;
    v += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [v, i + 1];
  }
  return null;
}

/** The fields of one message, or null when they are not plain, well-formed fields. */
function fields(bytes: Uint8Array): Field[] | null {
  const out: Field[] = [];
  for (let at = 0; at < bytes.length; ) {
    const tag = varint(bytes, at);
    if (!tag) return null;
    const [key, next] = tag;
    const wire = key % 8;
    let payload = next;
    let end: number;
    if (wire === 0) {
      const v = varint(bytes, next);
      if (!v) return null;
      end = v[1];
    } else if (wire === 1) end = next + 8;
    else if (wire === FIXED32) end = next + 4;
    else if (wire === LENGTH_DELIMITED) {
      const len = varint(bytes, next);
      if (!len) return null;
      payload = len[1];
      end = payload + len[0];
    } else return null;
    if (end > bytes.length) return null;
    out.push({ number: Math.floor(key / 8), wire, start: at, payload, end });
    at = end;
  }
  return out;
}

function writeVarint(v: number, out: number[]): void {
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/** Lifts packed float_data out of TensorProtos bytes; null when the plain decoder should run. */
export function liftPackedFloats(bytes: Uint8Array): LiftedFloats | null {
  if (!littleEndian) return null;
  const top = fields(bytes);
  if (!top) return null;
  const pieces: Uint8Array[] = [];
  const floats: Array<Float32Array | null> = [];
  let lifted = false;
  for (const f of top) {
    if (f.number !== TENSOR_PROTOS_PROTOS || f.wire !== LENGTH_DELIMITED) {
      pieces.push(bytes.subarray(f.start, f.end));
      continue;
    }
    const proto = bytes.subarray(f.payload, f.end);
    const inner = fields(proto);
    const data = inner?.filter((g) => g.number === TENSOR_PROTO_FLOAT_DATA);
    if (!inner || !data || data.some((g) => g.wire === FIXED32) || data.some((g) => (g.end - g.payload) % 4 !== 0)) return null;
    if (data.length === 0) {
      pieces.push(bytes.subarray(f.start, f.end));
      floats.push(null);
      continue;
    }
    lifted = true;
    // One native copy per chunk into an aligned buffer, then viewed as floats.
    const total = data.reduce((a, g) => a + g.end - g.payload, 0);
    const raw = new Uint8Array(total);
    let o = 0;
    for (const g of data) {
      raw.set(proto.subarray(g.payload, g.end), o);
      o += g.end - g.payload;
    }
    floats.push(new Float32Array(raw.buffer));
    const kept = inner.filter((g) => g.number !== TENSOR_PROTO_FLOAT_DATA).map((g) => proto.subarray(g.start, g.end));
    const length = kept.reduce((a, p) => a + p.length, 0);
    const head: number[] = [];
    writeVarint(TENSOR_PROTOS_PROTOS * 8 + LENGTH_DELIMITED, head);
    writeVarint(length, head);
    pieces.push(Uint8Array.from(head), ...kept);
  }
  if (!lifted) return null;
  const rest = new Uint8Array(pieces.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of pieces) {
    rest.set(p, o);
    o += p.length;
  }
  return { rest, floats };
}
