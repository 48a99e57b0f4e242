// Softmax over long rows: one workgroup per row (a 2-D grid of groups past 65535 rows), its WG
// lanes striding along the row, with the maximum and the sum each a tree in workgroup memory.
// Short rows take kernels/softmax.wgsl (one invocation per row) instead.
override WG: u32 = 64u;

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

var<workgroup> red_max: array<f32, WG>;
var<workgroup> red_sum: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= params.rows) {
    return;
  }
  let base = row * params.cols;
  var m = X[base];
  for (var j = lid; j < params.cols; j += WG) {
    m = max(m, X[base + j]);
  }
  red_max[lid] = m;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      red_max[lid] = max(red_max[lid], red_max[lid + stride]);
    }
    workgroupBarrier();
  }
  m = red_max[0];
  var s = 0.0;
  for (var j = lid; j < params.cols; j += WG) {
    let e = exp(X[base + j] - m);
    Y[base + j] = e;
    s += e;
  }
  red_sum[lid] = s;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      red_sum[lid] += red_sum[lid + stride];
    }
    workgroupBarrier();
  }
  let inv = 1.0 / red_sum[0];
  for (var j = lid; j < params.cols; j += WG) {
    Y[base + j] *= inv;
  }
}
