// Gradients of ReduceSum / ReduceMean (OP 0: dX = scale · dY broadcast back over the reduced dims)
// and ReduceMax (OP 1: dX = dY where X equals the maximum Y, else 0; every tied maximum gets it).
// One thread per element of X: its index is decomposed over X's (merged) dims and mapped to Y's
// element through Y's strides per X dim (0 along reduced dims).
#include "indexing.wgsl"
#include "strided.wgsl"

override OP: u32 = 0u;

struct Params {
  n: u32,
  rank: u32,
  scale: f32,
  x_shape: array<vec4<u32>, 2>,
  y_stride: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dY: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read> Y: array<f32>;
@group(0) @binding(4) var<storage, read_write> dX: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  let at = strided_offset(i, params.rank, params.x_shape, params.y_stride);
  let g = dY[at];
  if (OP == 1u) {
    dX[i] = select(0.0, g, X[i] == Y[at]);
  } else {
    dX[i] = params.scale * g;
  }
}
