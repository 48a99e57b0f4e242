// Y += X for T = f32 or i32 (i32 wraps on overflow, as Caffe2's int Sum does in practice). Sum of
// N inputs is a copy of (or, in place, just) input 0 followed by one of these per further input,
// so the output is only ever bound once and in place needs no temporary.
#include "indexing.wgsl"

struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<T>;
@group(0) @binding(2) var<storage, read_write> Y: array<T>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i < params.n) {
    Y[i] = Y[i] + X[i];
  }
}
