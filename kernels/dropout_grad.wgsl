// DropoutGrad in training: dX = dY * mask * scale, the mask (0/1 in i32) from the forward pass.
#include "indexing.wgsl"

struct Params {
  n: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dY: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<i32>;
@group(0) @binding(3) var<storage, read_write> dX: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i < params.n) {
    dX[i] = select(0.0, dY[i] * params.scale, mask[i] != 0);
  }
}
