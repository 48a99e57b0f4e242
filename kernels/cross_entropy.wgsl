// Y[i] = −Σ_j label[i, j] · log(max(X[i, j], 1e-20)), one invocation per row; a soft label
// outside [0, 1] gives NaN (Caffe2 would throw; the host checks labels it knows).
#include "indexing.wgsl"

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> label: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.rows) {
    return;
  }
  let base = i * params.cols;
  var s = 0.0;
  var bad = false;
  for (var j = 0u; j < params.cols; j++) {
    let t = label[base + j];
    bad = bad || !(t >= 0.0 && t <= 1.0);
    s -= t * log(max(X[base + j], 1e-20));
  }
  if (bad) {
    let zero = s * 0.0;
    s = zero / zero;
  }
  Y[i] = s;
}
