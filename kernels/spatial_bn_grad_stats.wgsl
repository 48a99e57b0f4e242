// SpatialBNGradient's per-channel sums, one workgroup per channel: dbias = Σ dY and
// dscale = Σ dY * (X - mean) * inv_std over batch and positions. `stat` is the saved inverse std,
// or with IS_TEST the running variance (inv_std = 1 / sqrt(var + epsilon)).
#include "channel_sum.wgsl"

struct Params {
  n: u32,
  c: u32,
  s: u32,
  epsilon: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> dY: array<f32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> stat: array<f32>;
@group(0) @binding(5) var<storage, read_write> dscale: array<f32>;
@group(0) @binding(6) var<storage, read_write> dbias: array<f32>;

override NHWC: bool = false;
override IS_TEST: bool = false;

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let ch = wid.x + wid.y * nwg.x;
  if (ch >= params.c) {
    return;
  }
  let mu = mean[ch];
  var g = 0.0;
  var gx = 0.0;
  for (var e = lid; e < params.n * params.s; e += 256u) {
    let k = channel_at(ch, e);
    g += dY[k];
    gx += dY[k] * (X[k] - mu);
  }
  let sum_g = workgroup_sum(lid, g);
  let sum_gx = workgroup_sum(lid, gx);
  if (lid == 0u) {
    dbias[ch] = sum_g;
    dscale[ch] = sum_gx * select(stat[ch], inverseSqrt(stat[ch] + params.epsilon), IS_TEST);
  }
}
