// Every operator module, imported for its registrations; a test checks that each file in
// src/ops that calls defineOp is listed here.
export * from './constant_fill.js';
export * from './copy.js';
export * from './given_tensor_fill.js';
