// FCGradient's dX = dY·W for a skinny W (FC picks this kernel by shape: N <= 4 outputs, as in the
// tutorial's N = 1): one invocation per element of dX sums its N products in order, with none of
// the mostly empty 64x64 tiles and barriers of fc_grad_x.wgsl.
//   dX[m, k] = sum_n dY[m, n] * W[n, k]
#include "indexing.wgsl"

struct Params {
  M: u32,
  N: u32,
  K: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dY: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read_write> dX: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.M * params.K) {
    return;
  }
  let m = i / params.K;
  let k = i % params.K;
  var acc = 0.0;
  for (var n = 0u; n < params.N; n++) {
    acc = fma(dY[m * params.N + n], W[n * params.K + k], acc);
  }
  dX[i] = acc;
}
