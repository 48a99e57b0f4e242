/**
 * Models in and out: Caffe2 NetDef / TensorProtos protobuf (real wire format), NetDef JSON,
 * checkpoints with RNG state, ONNX export, and minidb/LMDB DBs of TensorProtos. Browser-safe: the Node file helpers live in
 * ./checkpoint_node.js and ./db_node.js.
 */
export { CAFFE2_PROTO } from './caffe2.proto.js';
export {
  decodeNetDef,
  encodeNetDef,
  decodeTensorProtos,
  encodeTensorProtos,
  MAX_TENSOR_ELEMENTS,
  MAX_TENSOR_RANK,
  type NamedTensor,
  type DecodeNetOptions,
} from './codec.js';
export { netToProto, netDefToJson, netDefFromJson, type NetSource } from './net_io.js';
// A public barrel may re-export a higher floor: nothing in proto/ imports builder/.
export { netFromProto, netFromJson } from '../builder/net_io.js';
export { saveCheckpoint, loadCheckpoint, downloadCheckpoint, RNG_STATE_ENTRY, type LoadCheckpointOptions } from './checkpoint.js';
export { netDefToText, operatorDefToText } from './text_format.js';
export { exportOnnx, onnxExportableOps, type OnnxExportOptions } from './onnx_export.js';
export { readMiniDB, writeMiniDB, type DBRecord } from './minidb.js';
export { readLMDB, writeLMDB } from './lmdb.js';
export {
  readDBRecords,
  writeDBRecords,
  readTensorDB,
  writeTensorDB,
  RegisterDB,
  UnregisterDB,
  DB_TYPES,
  type DBType,
  type TensorDBEntry,
} from './db.js';
