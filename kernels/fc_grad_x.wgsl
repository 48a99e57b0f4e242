// FCGradient's dX = dY·W, with dY [M,N] and W [N,K] row-major; dX is [M,K] (X's dims flattened).
// The tiled product of shaders/matmul_tile.wgsl with rows = M, cols = K, depth = N (never split):
// dY is contiguous along the depth, W along the output columns.

#include "matmul_tile.wgsl"

@group(0) @binding(1) var<storage, read> dY: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read_write> dX: array<f32>;

const A_DEPTH_CONTIGUOUS: bool = true;
const B_DEPTH_CONTIGUOUS: bool = false;

fn a_at(m: u32, n: u32) -> f32 {
  return dY[m * params.depth + n];
}

fn b_at(k: u32, n: u32) -> f32 {
  return W[n * params.cols + k];
}

fn store_out(split: u32, m: u32, k: u32, v: f32) {
  dX[m * params.cols + k] = v;
}
