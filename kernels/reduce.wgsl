// ReduceSum / ReduceMean / ReduceMax: Y[o] = scale · Σ (OP 0) or max (OP 1) of X over the reduced
// dims. The host splits X's (merged) dims into the kept ones, which enumerate Y in order, and the
// reduced ones. `lanes` threads (a power of two dividing the workgroup) share one output: each
// takes a strided share of the reduced positions, then they combine in workgroup memory.
#include "indexing.wgsl"
#include "strided.wgsl"
#include "lane_fold.wgsl"

// 0: sum (times scale: 1, or 1/count for the mean), 1: max.
override OP: u32 = 0u;

struct Params {
  n_out: u32,
  n_red: u32,
  keep_rank: u32,
  red_rank: u32,
  lanes: u32,
  scale: f32,
  keep_shape: array<vec4<u32>, 2>,
  keep_stride: array<vec4<u32>, 2>,
  red_shape: array<vec4<u32>, 2>,
  red_stride: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

// The lowest float32, where Caffe2's max reduction starts.
const LOWEST: f32 = -3.40282346638528859812e+38f;

fn combine(a: f32, b: f32) -> f32 {
  if (OP == 1u) {
    return max(a, b);
  }
  return a + b;
}

@compute @workgroup_size(256)
fn main(
  @builtin(global_invocation_id) gid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = flat_index(gid, nwg, 256u);
  let lanes = params.lanes;
  let o = i / lanes;
  let lane = i % lanes;
  var acc = select(0.0, LOWEST, OP == 1u);
  if (o < params.n_out) {
    let base = strided_offset(o, params.keep_rank, params.keep_shape, params.keep_stride);
    for (var r = lane; r < params.n_red; r += lanes) {
      let at = base + strided_offset(r, params.red_rank, params.red_shape, params.red_stride);
      acc = combine(acc, X[min(at, arrayLength(&X) - 1u)]);
    }
  }
  let total = fold_lanes(lid, lane, lanes, acc);
  if (o < params.n_out && lane == 0u) {
    Y[o] = select(params.scale * total, total, OP == 1u);
  }
}
