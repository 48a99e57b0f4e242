// dX = Y ⊙ (dY − Σ_row dY ⊙ Y) for each row of [rows, cols], one invocation per row.
#include "indexing.wgsl"

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> Y: array<f32>;
@group(0) @binding(2) var<storage, read> dY: array<f32>;
@group(0) @binding(3) var<storage, read_write> dX: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.rows) {
    return;
  }
  let base = i * params.cols;
  var dot = 0.0;
  for (var j = 0u; j < params.cols; j++) {
    dot += Y[base + j] * dY[base + j];
  }
  for (var j = 0u; j < params.cols; j++) {
    dX[base + j] = Y[base + j] * (dY[base + j] - dot);
  }
}
