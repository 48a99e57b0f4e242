// MatMul of large products on the 128x128 tile of shaders/matmul_tile_big.wgsl, with A and B read
// as vec4s: chosen when the contiguous extent of each (K, or M / N for the operand stored the other
// way) is a multiple of 4, so every quad the tile asks for starts on a 16-byte boundary.

#include "matmul_tile_big.wgsl"
#include "matmul_layout.wgsl"

@group(0) @binding(1) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;

fn a_at(m: u32, k: u32) -> f32 {
  let i = a_index(m, k);
  return A[i / 4u][i % 4u];
}

fn b_at(n: u32, k: u32) -> f32 {
  let i = b_index(n, k);
  return B[i / 4u][i % 4u];
}

fn a_quad(m: u32, k: u32) -> vec4<f32> {
  return A[a_index(m, k) / 4u];
}

fn b_quad(n: u32, k: u32) -> vec4<f32> {
  return B[b_index(n, k) / 4u];
}

fn store_out(split: u32, m: u32, n: u32, v: f32) {
  Y[m * params.cols + n] = v;
}
