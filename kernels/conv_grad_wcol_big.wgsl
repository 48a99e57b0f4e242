// ConvGradient's dW as a GEMM of dY and the column buffer (layout in shaders/conv_grad_wcol_io.wgsl)
// on the 128x128 tile of shaders/matmul_tile_big.wgsl, its quads read as four scalars (for shapes
// whose runs are not multiples of 4; conv_grad_wcol_big_v4.wgsl reads vec4s).

#include "matmul_tile_big.wgsl"
#include "conv_geom.wgsl"

@group(0) @binding(2) var<storage, read> dY: array<f32>;
@group(0) @binding(3) var<storage, read> col: array<f32>;
@group(0) @binding(4) var<storage, read_write> dW: array<f32>;

fn dy_at(k: u32) -> f32 {
  return dY[k];
}

fn col_at(k: u32) -> f32 {
  return col[k];
}

#include "conv_grad_wcol_io.wgsl"
#include "scalar_quads.wgsl"
