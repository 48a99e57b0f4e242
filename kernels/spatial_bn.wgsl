// SpatialBN's normalisation, one thread per element: Y = (X - mean[c]) * inv_std[c] * scale[c] +
// bias[c]. In training `stat` holds the saved inverse std the statistics pass just wrote; with
// IS_TEST it holds the running variance, and inv_std = 1 / sqrt(var + epsilon).
#include "indexing.wgsl"

struct Params {
  total: u32,
  c: u32,
  s: u32,
  epsilon: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> scale: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> mean: array<f32>;
@group(0) @binding(5) var<storage, read> stat: array<f32>;
@group(0) @binding(6) var<storage, read_write> Y: array<f32>;

override NHWC: bool = false;
override IS_TEST: bool = false;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.total) {
    return;
  }
  let ch = select((i / params.s) % params.c, i % params.c, NHWC);
  let inv_std = select(stat[ch], inverseSqrt(stat[ch] + params.epsilon), IS_TEST);
  Y[i] = (X[i] - mean[ch]) * inv_std * scale[ch] + bias[ch];
}
