// ConvGradient's db for small problems: one thread per channel sums dY over batch and pixels,
// with no barriers (conv_grad_b.wgsl's workgroup tree costs more than the sum when there are only
// a few hundred values per channel). ConvGradient bounds the loop on the host.
#include "conv_grad_b_io.wgsl"
#include "indexing.wgsl"

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
