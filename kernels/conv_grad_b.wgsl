// Per-channel sums of an [n, c, s] (NCHW) or [n, s, c] (NHWC) tensor: ConvGradient's db, the sum
// of dY over batch and pixels. One workgroup per channel; its 256 threads take strided shares of
// the n*s values and add them by a tree in workgroup memory. An empty batch gives zeros.
#include "conv_grad_b_io.wgsl"
#include "channel_sum.wgsl"

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
