// Word-for-word copy X -> Y (any 4-byte dtype). Used by Copy/StopGradient and by the planner to
// finish in-place ops that were computed into a temporary.
#include "indexing.wgsl"

struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<u32>;
@group(0) @binding(2) var<storage, read_write> Y: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i < params.n) {
    Y[i] = X[i];
  }
}
