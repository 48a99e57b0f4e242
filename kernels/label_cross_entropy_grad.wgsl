// dX[i, j] = −dY[i] / max(X[i, j], 1e-20) where j = label_i, else 0; one invocation per element.
#include "indexing.wgsl"

struct Params {
  n: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> label: array<i32>;
@group(0) @binding(3) var<storage, read> dY: array<f32>;
@group(0) @binding(4) var<storage, read_write> dX: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = flat_index(gid, nwg, 256u);
  if (k >= params.n) {
    return;
  }
  let i = k / params.cols;
  let hit = label[i] == i32(k % params.cols);
  dX[k] = select(0.0, -dY[i] / max(X[k], 1e-20), hit);
}
