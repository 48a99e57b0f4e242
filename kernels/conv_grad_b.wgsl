// ConvGradient's db, the sum of dY over batch and pixels per output channel, in parts: one thread
// per (part, channel) sums the channel over images [q * part_images, ..) of dY, an [n, c, s] (NCHW)
// or [n, s, c] (NHWC) tensor, and writes dst[q * c + channel]: db itself with one part, else
// partial sums that conv_grad_w_sum.wgsl adds. No workgroup memory or barriers: a per-channel
// workgroup tree cost more in barriers than the sums on software adapters. An empty batch gives
// zeros.
#include "indexing.wgsl"

struct Params {
  n: u32,
  c: u32,
  s: u32,
  part_images: u32,
  total: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

override NHWC: bool = false;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 64u);
  if (i >= params.total) {
    return;
  }
  let q = i / params.c;
  let ch = i - q * params.c;
  let first = q * params.part_images;
  let last = min(params.n, first + params.part_images);
  var sum = 0.0;
  for (var b = first; b < last; b++) {
    let base = select((b * params.c + ch) * params.s, b * params.s * params.c + ch, NHWC);
    let step = select(1u, params.c, NHWC);
    for (var p = 0u; p < params.s; p++) {
      sum += src[base + p * step];
    }
  }
  dst[i] = sum;
}
