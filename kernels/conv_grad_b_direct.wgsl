// ConvGradient's db for small problems: one thread per channel sums dY over batch and pixels,
// with no barriers (conv_grad_b.wgsl's workgroup tree costs more than the sum when there are only
// a few hundred values per channel). ConvGradient bounds the loop on the host.
#include "indexing.wgsl"

struct Params {
  n: u32,
  c: u32,
  s: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

override NHWC: bool = false;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let ch = flat_index(gid, nwg, 64u);
  if (ch >= params.c) {
    return;
  }
  var sum = 0.0;
  for (var b = 0u; b < params.n; b++) {
    for (var q = 0u; q < params.s; q++) {
      sum += src[select((b * params.c + ch) * params.s + q, (b * params.s + q) * params.c + ch, NHWC)];
    }
  }
  dst[ch] = sum;
}
