// SpatialBNGradient's dX, one thread per element. Training (batch statistics depend on X):
// dX = scale * inv_std * (dY - (dbias + xhat * dscale) / count) with xhat = (X - mean) * inv_std
// and count = n * s; with IS_TEST the statistics are constants and dX = scale * inv_std * dY.
#include "indexing.wgsl"

struct Params {
  total: u32,
  c: u32,
  s: u32,
  epsilon: f32,
  // Values per channel (n * s) as a float.
  count: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> scale: array<f32>;
@group(0) @binding(3) var<storage, read> dY: array<f32>;
@group(0) @binding(4) var<storage, read> mean: array<f32>;
@group(0) @binding(5) var<storage, read> stat: array<f32>;
@group(0) @binding(6) var<storage, read> dscale: array<f32>;
@group(0) @binding(7) var<storage, read> dbias: array<f32>;
@group(0) @binding(8) var<storage, read_write> dX: array<f32>;

override NHWC: bool = false;
override IS_TEST: bool = false;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.total) {
    return;
  }
  let ch = select((i / params.s) % params.c, i % params.c, NHWC);
  if (IS_TEST) {
    dX[i] = scale[ch] * inverseSqrt(stat[ch] + params.epsilon) * dY[i];
    return;
  }
  let inv_std = stat[ch];
  let xhat = (X[i] - mean[ch]) * inv_std;
  dX[i] = scale[ch] * inv_std * (dY[i] - (dbias[ch] + xhat * dscale[ch]) / params.count);
}
