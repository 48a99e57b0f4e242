// Y = X·W^T + b for a small W: N <= 4 outputs and K <= 64 inputs (FC picks this kernel by shape;
// the tutorial's regression has N = 1, K = 2). One thread per row of X computes that row's N
// outputs, so X is read once, each thread a whole row and neighbouring threads neighbouring rows,
// with none of the mostly empty 64x64 tiles of fc.wgsl. Each workgroup first stages W, transposed
// to one vec4 over the outputs per k, and b in workgroup memory.
//
// Like fc.wgsl, the products are summed from zero in order of k and b is added last.

#include "indexing.wgsl"

struct Params {
  M: u32,
  N: u32,
  K: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;

const MAX_N: u32 = 4u;
const MAX_K: u32 = 64u;

// w_t[k][n] = W[n, k], zero for n >= N; bias[n] = b[n], likewise.
var<workgroup> w_t: array<vec4<f32>, 64>;
var<workgroup> bias: vec4<f32>;

@compute @workgroup_size(256)
fn main(
  @builtin(global_invocation_id) gid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let n_out = min(params.N, MAX_N);
  let k_in = min(params.K, MAX_K);
  if (lid < MAX_K) {
    var w = vec4<f32>(0.0);
    if (lid < k_in) {
      for (var n = 0u; n < n_out; n++) {
        w[n] = W[n * params.K + lid];
      }
    }
    w_t[lid] = w;
  } else if (lid == MAX_K) {
    var bb = vec4<f32>(0.0);
    for (var n = 0u; n < n_out; n++) {
      bb[n] = b[n];
    }
    bias = bb;
  }
  workgroupBarrier();

  let m = flat_index(gid, nwg, 256u);
  if (m >= params.M) {
    return;
  }
  var acc = vec4<f32>(0.0);
  for (var k = 0u; k < k_in; k++) {
    acc = fma(vec4<f32>(X[m * params.K + k]), w_t[k], acc);
  }
  acc += bias;
  for (var n = 0u; n < n_out; n++) {
    Y[m * params.N + n] = acc[n];
  }
}
