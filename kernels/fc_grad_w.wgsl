// FCGradient's dW = dY^T·X, with dY [M,N] and X [M,K] row-major; dW is [N,K] (W's dims
// flattened). The tiled product of shaders/matmul_tile.wgsl with rows = N, cols = K, depth = M;
// both operands are contiguous along the output axes. M = 0 gives dW = 0.
//
// With M split into S parts, dW is bound to a scratch buffer of S partial [N,K] products, split s
// at dW[s * N * K..], which FCGradient then sums with fc_grad_b.wgsl; unsplit, dW is the output.
// Large dW (4 or more 128x128 tiles) runs MatMul's big kernel instead (fc.ts weightGradCalls).

#include "matmul_tile.wgsl"

@group(0) @binding(1) var<storage, read> dY: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> dW: array<f32>;

const A_DEPTH_CONTIGUOUS: bool = false;
const B_DEPTH_CONTIGUOUS: bool = false;

fn a_at(n: u32, m: u32) -> f32 {
  return dY[m * params.rows + n];
}

fn b_at(k: u32, m: u32) -> f32 {
  return X[m * params.cols + k];
}

fn store_out(split: u32, n: u32, k: u32, v: f32) {
  dW[(split * params.rows + n) * params.cols + k] = v;
}
