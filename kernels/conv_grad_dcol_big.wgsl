// ConvGradient's column gradient dCol = W^T x dY (layout in shaders/conv_grad_dcol_io.wgsl) on the
// 128x128 tile of shaders/matmul_tile_big.wgsl, its quads read as four scalars (for taps or
// pixel runs that are not multiples of 4; conv_grad_dcol_big_v4.wgsl reads vec4s).

#include "matmul_tile_big.wgsl"
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
#include "scalar_quads.wgsl"
