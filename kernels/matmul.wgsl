// MatMul: Y[M,N] = op(A)·op(B) with A and B row-major, as the tiled product of
// shaders/matmul_tile.wgsl with rows = M, cols = N, depth = K. op(A) is A [M,K] or, with
// TRANS_A, the transpose of A stored as [K,M]; likewise op(B) is B [K,N] or B stored as [N,K].
// The transposes are override constants: one pipeline per combination, no branch per load.

#include "matmul_tile.wgsl"

@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;

override TRANS_A: bool = false;
override TRANS_B: bool = false;

// A stored [M,K] walks K contiguously; stored [K,M] (transposed) it does not. B is the reverse.
override A_DEPTH_CONTIGUOUS: bool = !TRANS_A;
override B_DEPTH_CONTIGUOUS: bool = TRANS_B;

fn a_at(m: u32, k: u32) -> f32 {
  if (TRANS_A) {
    return A[k * params.rows + m];
  }
  return A[m * params.depth + k];
}

fn b_at(n: u32, k: u32) -> f32 {
  if (TRANS_B) {
    return B[n * params.depth + k];
  }
  return B[k * params.cols + n];
}

fn store_out(split: u32, m: u32, n: u32, v: f32) {
  Y[m * params.cols + n] = v;
}
