// dX[i, j] = −dY[i] · label[i, j] / max(X[i, j], 1e-20); one invocation per element.
#include "indexing.wgsl"

struct Params {
  n: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> label: array<f32>;
@group(0) @binding(3) var<storage, read> dY: array<f32>;
@group(0) @binding(4) var<storage, read_write> dX: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = flat_index(gid, nwg, 256u);
  if (k < params.n) {
    dX[k] = -dY[k / params.cols] * label[k] / max(X[k], 1e-20);
  }
}
