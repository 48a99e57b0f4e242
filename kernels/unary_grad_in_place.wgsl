// dX = g(V, dX): a unary-family gradient op writing over dY (dX = dY, as in-place Relu's gradient
// does in MNIST); see kernels/unary_grad.wgsl.
#include "indexing.wgsl"
#include "unary_op.wgsl"

struct Params {
  n: u32,
  a: f32,
  b: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> V: array<f32>;
@group(0) @binding(2) var<storage, read_write> dX: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i < params.n) {
    dX[i] = unary_grad(V[i], dX[i], params.a, params.b);
  }
}
