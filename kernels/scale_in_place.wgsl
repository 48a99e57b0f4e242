// Y *= scale: Scale with Y = X, binding the blob once (a read binding beside the write binding
// would make the planner compute into a temporary and copy back).
#include "indexing.wgsl"

struct Params {
  n: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i < params.n) {
    Y[i] = Y[i] * params.scale;
  }
}
