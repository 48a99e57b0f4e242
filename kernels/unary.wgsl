// Y = f(X) elementwise for the unary family (Relu, Sigmoid, Exp, Clip, Pow with `exponent`, …);
// f is chosen by the OP override in shaders/unary_op.wgsl.
#include "indexing.wgsl"
#include "unary_op.wgsl"

struct Params {
  n: u32,
  a: f32,
  b: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i < params.n) {
    Y[i] = unary_op(X[i], params.a, params.b);
  }
}
