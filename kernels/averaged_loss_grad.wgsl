// dX[i] = dY[0] · scale: the gradient of a (scaled) sum of all elements, broadcast back to X's
// shape (AveragedLossGradient: scale = 1/n; SumElementsGradient: 1 or 1/n).
#include "indexing.wgsl"

struct Params {
  n: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dY: array<f32>;
@group(0) @binding(2) var<storage, read_write> dX: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i < params.n) {
    dX[i] = dY[0] * params.scale;
  }
}
