/** core.Net from serialized forms: Caffe2 .pb bytes and NetDef JSON (the codecs live in proto/). */
import { decodeNetDef, type DecodeNetOptions } from '../proto/codec.js';
import { netDefFromJson } from '../proto/net_io.js';
import { Net } from './net.js';

/** A core.Net from NetDef protobuf bytes (what Caffe2's core.Net(proto) does after ParseFromString). */
export function netFromProto(bytes: Uint8Array, options: DecodeNetOptions = {}): Net {
  return Net(decodeNetDef(bytes, options));
}

/** A core.Net from JSON text written by netDefToJson. */
export function netFromJson(text: string, options: DecodeNetOptions = {}): Net {
  return Net(netDefFromJson(text, options));
}
