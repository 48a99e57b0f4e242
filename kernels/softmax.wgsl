// Y = softmax of each row of X ([rows, cols], row-major), one invocation per row: the row maximum
// is subtracted before exp so large logits do not overflow.
#include "indexing.wgsl"

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.rows) {
    return;
  }
  let base = i * params.cols;
  var m = X[base];
  for (var j = 1u; j < params.cols; j++) {
    m = max(m, X[base + j]);
  }
  var s = 0.0;
  for (var j = 0u; j < params.cols; j++) {
    let e = exp(X[base + j] - m);
    Y[base + j] = e;
    s += e;
  }
  let inv = 1.0 / s;
  for (var j = 0u; j < params.cols; j++) {
    Y[base + j] *= inv;
  }
}
