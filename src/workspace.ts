/** Caffe2's `workspace` module as users import it: the runtime's workspace calls plus Predictor (which needs the protobuf codec). */
export * from './runtime/workspace.js';
export { Predictor, type PredictorNet } from './proto/predictor.js';
