// MaxPool / AveragePool forward for large windows (global pools of large images; pool_direct.wgsl
// takes windows of up to 64 positions). `lanes` threads (64 or 256) share one output: each takes
// a strided share of the window's in-image positions, then they combine in workgroup memory.
// Windows are clipped to the image: the max ignores the padding, and the average divides by the
// in-image count, or by kh*kw with COUNT_INCLUDE_PAD (a window never reaches past the padded
// image, so that is its padded size).
#include "conv_geom.wgsl"
#include "indexing.wgsl"
#include "lane_fold.wgsl"

struct Params {
  // Outputs (n * c * oh * ow) and threads per output.
  outputs: u32,
  lanes: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;

override MAX: bool = true;
override COUNT_INCLUDE_PAD: bool = false;

fn combine(a: f32, b: f32) -> f32 {
  if (MAX) {
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
  // -FLT_MAX: the identity of max over finite values that still loses to any of them.
  var acc = select(0.0, bitcast<f32>(0xff7fffffu), MAX);
  var count = 1;
  if (o < params.outputs) {
    let q = coords(i32(o), geom.c, geom.oh, geom.ow);
    let y0 = q.z * geom.sh - geom.pt;
    let x0 = q.w * geom.sw - geom.pl;
    let ys = max(y0, 0);
    let xs = max(x0, 0);
    let rows = min(y0 + geom.kh, geom.h) - ys;
    let cols = min(x0 + geom.kw, geom.w) - xs;
    count = select(rows * cols, geom.kh * geom.kw, COUNT_INCLUDE_PAD);
    for (var e = i32(lane); e < rows * cols; e += i32(lanes)) {
      let r = e / cols;
      acc = combine(acc, X[at4(q.x, q.y, ys + r, xs + e - r * cols, geom.c, geom.h, geom.w)]);
    }
  }
  let total = fold_lanes(lid, lane, lanes, acc);
  if (o < params.outputs && lane == 0u) {
    Y[o] = select(total / f32(count), total, MAX);
  }
}
