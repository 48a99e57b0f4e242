// dX[i,j] = (X[i,j] − Y[i,j]) · dZ[i], dY = −dX; one invocation per element.
#include "indexing.wgsl"

struct Params {
  n: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> Y: array<f32>;
@group(0) @binding(3) var<storage, read> dZ: array<f32>;
@group(0) @binding(4) var<storage, read_write> dX: array<f32>;
@group(0) @binding(5) var<storage, read_write> dY: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  let g = (X[i] - Y[i]) * dZ[i / params.cols];
  dX[i] = g;
  dY[i] = -g;
}
