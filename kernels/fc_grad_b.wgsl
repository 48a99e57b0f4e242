// Column sums of a row-major [rows, cols] matrix: FCGradient's db[n] = sum_m dY[m, n], and the sum
// of the per-part partial dW products when FCGradient splits M (see fc_grad_w.wgsl).
//
// A workgroup sums `group_cols` neighbouring columns over one chunk of `chunk_rows` rows: thread t
// takes column t % group_cols and every lanes-th row of the chunk (lanes = 256 / group_cols), so a
// warp reads whole row segments, then the lanes of each column are added by a tree in workgroup
// memory. Chunk c writes dst[c * cols + n]. For long inputs the op runs this kernel twice: once
// into per-chunk partial sums, once over those partials with a single chunk, so no thread adds
// more than a bounded number of rows in sequence (accuracy and parallelism for large M).
// rows = 0 writes zeros.

struct Params {
  rows: u32,
  cols: u32,
  // Columns per workgroup: a power of two dividing 256.
  group_cols: u32,
  chunk_rows: u32,
  // Workgroups per chunk (ceil(cols / group_cols)) and in all; the grid may hold extra groups.
  col_groups: u32,
  groups: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let group = wid.x + wid.y * nwg.x;
  if (group >= params.groups) {
    return;
  }
  let chunk = group / params.col_groups;
  let lanes = 256u / params.group_cols;
  let c = lid % params.group_cols;
  let lane = lid / params.group_cols;
  let n = (group % params.col_groups) * params.group_cols + c;

  var sum = 0.0;
  if (n < params.cols) {
    let end = min(params.rows, (chunk + 1u) * params.chunk_rows);
    for (var m = chunk * params.chunk_rows + lane; m < end; m += lanes) {
      sum += src[m * params.cols + n];
    }
  }
  partial[lid] = sum;
  for (var s = lanes / 2u; s > 0u; s /= 2u) {
    workgroupBarrier();
    if (lane < s) {
      partial[lid] += partial[lid + s * params.group_cols];
    }
  }
  if (lane == 0u && n < params.cols) {
    dst[chunk * params.cols + n] = partial[lid];
  }
}
