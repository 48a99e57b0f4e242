// Per-channel sums of an [n, c, s] (NCHW) or [n, s, c] (NHWC) tensor: ConvGradient's db, the sum
// of dY over batch and pixels. One workgroup per channel; its 256 threads take strided shares of
// the n*s values and add them by a tree in workgroup memory. An empty batch gives zeros.
#include "channel_sum.wgsl"

struct Params {
  n: u32,
  c: u32,
  s: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

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
  var sum = 0.0;
  for (var e = lid; e < params.n * params.s; e += 256u) {
    sum += src[channel_at(ch, e)];
  }
  let total = workgroup_sum(lid, sum);
  if (lid == 0u) {
    dst[ch] = total;
  }
}
