// Per-channel reductions over an [n, c, s] (NCHW) or [n, s, c] (NHWC) tensor with one workgroup of
// 256 threads per channel: ConvGradient's db and SpatialBN's batch statistics and gradient sums.
// The including kernel declares `params` with members n, c and s (u32) and the override NHWC.

var<workgroup> partial: array<f32, 256>;

// Flat index of element e (in [0, n*s)) of channel ch.
fn channel_at(ch: u32, e: u32) -> u32 {
  if (NHWC) {
    return e * params.c + ch;
  }
  let b = e / params.s;
  return (b * params.c + ch) * params.s + e - b * params.s;
}

// The sum of v over the workgroup's 256 threads, returned to all of them. Call in uniform control
// flow (it holds barriers).
fn workgroup_sum(lid: u32, v: f32) -> f32 {
  partial[lid] = v;
  for (var k = 128u; k > 0u; k /= 2u) {
    workgroupBarrier();
    if (lid < k) {
      partial[lid] += partial[lid + k];
    }
  }
  workgroupBarrier();
  let total = partial[0];
  workgroupBarrier();
  return total;
}
