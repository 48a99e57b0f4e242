// Every operator module, imported for its registrations; a test checks that each file in
// src/ops that calls defineOp is listed here.
export * from './constant_fill.js';
export * from './copy.js';
export * from './given_tensor_fill.js';
export * from './random_fill.js';
export * from './squared_l2_distance.js';
export * from './averaged_loss.js';
export * from './sum.js';
export * from './scale.js';
export * from './fc.js';
export * from './elementwise.js';
export * from './iter.js';
export * from './learning_rate.js';
export * from './weighted_sum.js';
export * from './momentum_sgd.js';
export * from './adam.js';
export * from './adagrad.js';
export * from './unary.js';
export * from './softmax.js';
export * from './softmax_with_loss.js';
export * from './reshape.js';
export * from './expand_squeeze.js';
export * from './transpose.js';
export * from './concat.js';
export * from './cross_entropy.js';
export * from './accuracy.js';
export * from './conv.js';
