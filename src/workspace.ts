/** Caffe2's `workspace` module as users import it: the runtime's workspace calls plus Predictor (which needs the protobuf codec). */
export * from './runtime/workspace.js';
export { Predictor, type PredictorNet } from './proto/predictor.js';
// DBs for TensorProtosDBInput: the browser's way to hand an op a DB it would open by path in Node.
export { RegisterDB, UnregisterDB } from './proto/db.js';
