// SpatialBN training statistics, one workgroup per channel: the batch mean, then the biased
// variance as the mean squared deviation (a second pass, which keeps fp32 accurate when the mean
// is large against the spread), saved_inv_std = 1 / sqrt(var + epsilon), and the running moments
// updated in place: running = momentum * running + (1 - momentum) * batch.
#include "channel_sum.wgsl"

struct Params {
  n: u32,
  c: u32,
  s: u32,
  epsilon: f32,
  momentum: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> running_mean: array<f32>;
@group(0) @binding(3) var<storage, read_write> running_var: array<f32>;
@group(0) @binding(4) var<storage, read_write> saved_mean: array<f32>;
@group(0) @binding(5) var<storage, read_write> saved_inv_std: array<f32>;

override NHWC: bool = false;

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
  let count = params.n * params.s;
  var sum = 0.0;
  for (var e = lid; e < count; e += 256u) {
    sum += X[channel_at(ch, e)];
  }
  let mean = workgroup_sum(lid, sum) / f32(count);
  var squares = 0.0;
  for (var e = lid; e < count; e += 256u) {
    let d = X[channel_at(ch, e)] - mean;
    squares += d * d;
  }
  let variance = workgroup_sum(lid, squares) / f32(count);
  if (lid == 0u) {
    saved_mean[ch] = mean;
    saved_inv_std[ch] = inverseSqrt(variance + params.epsilon);
    running_mean[ch] = params.momentum * running_mean[ch] + (1.0 - params.momentum) * mean;
    running_var[ch] = params.momentum * running_var[ch] + (1.0 - params.momentum) * variance;
  }
}
