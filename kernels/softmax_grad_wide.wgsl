// SoftmaxGradient over long rows: one workgroup per row, Σ dY ⊙ Y as a tree in workgroup memory,
// then dX = Y ⊙ (dY − Σ) by the same lanes. Short rows take kernels/softmax_grad.wgsl.
override WG: u32 = 64u;

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> Y: array<f32>;
@group(0) @binding(2) var<storage, read> dY: array<f32>;
@group(0) @binding(3) var<storage, read_write> dX: array<f32>;

var<workgroup> red: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= params.rows) {
    return;
  }
  let base = row * params.cols;
  var dot = 0.0;
  for (var j = lid; j < params.cols; j += WG) {
    dot += Y[base + j] * dY[base + j];
  }
  red[lid] = dot;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      red[lid] += red[lid + stride];
    }
    workgroupBarrier();
  }
  dot = red[0];
  for (var j = lid; j < params.cols; j += WG) {
    dX[base + j] = Y[base + j] * (dY[base + j] - dot);
  }
}
