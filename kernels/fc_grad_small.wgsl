// FCGradient's dW = dY^T·X and db = column sums of dY when both are small (FC picks this kernel by
// shape: at most 256 outputs and 4096 rows; the tutorial has dW [1,2], db [1] and M = batch). One
// invocation per output sums its M terms in order: no tiles, no workgroup memory, no barrier, where
// the tiled path would spend a 64x64 tile and a tree on two outputs.
//   invocation t < N*K:          dW[t] = sum_m dY[m, t / K] * X[m, t % K]
//   invocation N*K <= t < N*K+N: db[t - N*K] = sum_m dY[m, t - N*K]
#include "indexing.wgsl"

struct Params {
  M: u32,
  N: u32,
  K: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> dY: array<f32>;
@group(0) @binding(3) var<storage, read_write> dW: array<f32>;
@group(0) @binding(4) var<storage, read_write> db: array<f32>;

@compute @workgroup_size(32)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = flat_index(gid, nwg, 32u);
  let nk = params.N * params.K;
  if (t < nk) {
    let n = t / params.K;
    let k = t % params.K;
    var acc = 0.0;
    for (var m = 0u; m < params.M; m++) {
      acc = fma(dY[m * params.N + n], X[m * params.K + k], acc);
    }
    dW[t] = acc;
  } else if (t < nk + params.N) {
    let n = t - nk;
    var acc = 0.0;
    for (var m = 0u; m < params.M; m++) {
      acc += dY[m * params.N + n];
    }
    db[n] = acc;
  }
}
