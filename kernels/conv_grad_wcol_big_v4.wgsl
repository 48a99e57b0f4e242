// ConvGradient's dW as a GEMM of dY and the column buffer (layout in shaders/conv_grad_wcol_io.wgsl)
// on the 128x128 tile of shaders/matmul_tile_big.wgsl with vec4 loads. ConvGradient picks it when
// every quad the tile reads is aligned and lies on one side of a group's last pixel: pixels % 4 ==
// 0 (col's rows and the padding), and for dY oh * ow % 4 == 0 in NCHW (four pixels of one image)
// or M / group % 4 == 0 in NHWC (four filters of one pixel).

#include "matmul_tile_big.wgsl"
#include "conv_geom.wgsl"

@group(0) @binding(2) var<storage, read> dY: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> col: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> dW: array<f32>;

fn dy_at(k: u32) -> f32 {
  return dY[k / 4u][k % 4u];
}

fn col_at(k: u32) -> f32 {
  return col[k / 4u][k % 4u];
}

#include "conv_grad_wcol_io.wgsl"

// Four filters (NHWC) or four pixels (NCHW) of dY; zeros in a group's padding.
fn a_quad(i: u32, d: u32) -> vec4<f32> {
  let gp = group_pixel(d);
  if (gp.y < 0) {
    return vec4<f32>(0.0);
  }
  return dY[dy_index(gp.x, i, gp.y) / 4u];
}

// Four pixels of one tap.
fn b_quad(j: u32, d: u32) -> vec4<f32> {
  let gp = group_pixel(d);
  if (gp.y < 0) {
    return vec4<f32>(0.0);
  }
  return col[col_index(gp.x, j, gp.y) / 4u];
}
