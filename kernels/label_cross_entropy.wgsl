// Y[i] = −log(max(X[i, label_i], 1e-20)), one invocation per row; a label outside [0, cols)
// gives NaN (Caffe2 would throw; the host checks labels it knows).
#include "indexing.wgsl"

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> label: array<i32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.rows) {
    return;
  }
  let t = label[i];
  if (t < 0 || t >= i32(params.cols)) {
    let zero = X[0] * 0.0;
    Y[i] = zero / zero;
    return;
  }
  Y[i] = -log(max(X[i * params.cols + u32(t)], 1e-20));
}
