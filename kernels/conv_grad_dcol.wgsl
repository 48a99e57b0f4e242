// ConvGradient's column gradient dCol = W^T x dY (layout in shaders/conv_grad_dcol_io.wgsl) on the
// 64x64 tile of shaders/matmul_tile.wgsl, for products too small for conv_grad_dcol_big.wgsl.

#include "matmul_tile.wgsl"
#include "conv_geom.wgsl"

@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> dY: array<f32>;
@group(0) @binding(4) var<storage, read_write> dCol: array<f32>;

fn w_at(k: u32) -> f32 {
  return W[k];
}

fn dy_at(k: u32) -> f32 {
  return dY[k];
}

#include "conv_grad_dcol_io.wgsl"
