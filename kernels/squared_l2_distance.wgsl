// Z[i] = ½ Σ_j (X[i,j] − Y[i,j])², one invocation per row. The difference is squared directly
// (Caffe2's (x·x + y·y)/2 − x·y cancels badly when X ≈ Y, which is where a loss ends up).
#include "indexing.wgsl"

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> Y: array<f32>;
@group(0) @binding(3) var<storage, read_write> Z: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.rows) {
    return;
  }
  let base = i * params.cols;
  var s = 0.0;
  for (var j = 0u; j < params.cols; j++) {
    let d = X[base + j] - Y[base + j];
    s += d * d;
  }
  Z[i] = 0.5 * s;
}
