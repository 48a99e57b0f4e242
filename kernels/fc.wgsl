// Y = X·W^T + b, with X [M,K] and W [N,K] row-major (both contiguous along K), as the tiled
// product of shaders/matmul_tile.wgsl with rows = M, cols = N, depth = K (never split). FC uses
// fc_skinny.wgsl instead when W is small enough for one thread per row of X.

#include "matmul_tile.wgsl"

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;

const A_DEPTH_CONTIGUOUS: bool = true;
const B_DEPTH_CONTIGUOUS: bool = true;

fn a_at(m: u32, k: u32) -> f32 {
  return X[m * params.depth + k];
}

fn b_at(n: u32, k: u32) -> f32 {
  return W[n * params.depth + k];
}

fn store_out(split: u32, m: u32, n: u32, v: f32) {
  Y[m * params.cols + n] = v + b[n];
}
