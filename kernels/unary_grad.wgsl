// dX = g(V, dY) elementwise: the gradient ops of the unary family (ReluGradient [Y, dY],
// SoftsignGradient [X, dY], …); g is chosen by OP in shaders/unary_op.wgsl.
#include "indexing.wgsl"
#include "unary_op.wgsl"

struct Params {
  n: u32,
  a: f32,
  b: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> V: array<f32>;
@group(0) @binding(2) var<storage, read> dY: array<f32>;
@group(0) @binding(3) var<storage, read_write> dX: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i < params.n) {
    dX[i] = unary_grad(V[i], dY[i], params.a, params.b);
  }
}
