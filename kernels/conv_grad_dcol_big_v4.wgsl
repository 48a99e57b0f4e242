// ConvGradient's column gradient dCol = W^T x dY (layout in shaders/conv_grad_dcol_io.wgsl) on the
// 128x128 tile of shaders/matmul_tile_big.wgsl with vec4 loads. ConvGradient picks it when every
// quad the tile reads starts on a 16-byte boundary: taps % 4 == 0 (a quad of W^T is four taps of
// one filter) and, for dY, oh * ow % 4 == 0 in NCHW (four pixels of one image and channel) or
// M / group % 4 == 0 in NHWC (four channels of one pixel, from a group's first channel on).

#include "matmul_tile_big.wgsl"
#include "conv_geom.wgsl"

@group(0) @binding(2) var<storage, read> W: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> dY: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> dCol: array<f32>;

fn w_at(k: u32) -> f32 {
  return W[k / 4u][k % 4u];
}

fn dy_at(k: u32) -> f32 {
  return dY[k / 4u][k % 4u];
}

#include "conv_grad_dcol_io.wgsl"

fn a_quad(i: u32, d: u32) -> vec4<f32> {
  return W[(d * params.rows + i) / 4u];
}

fn b_quad(j: u32, d: u32) -> vec4<f32> {
  return dY[dy_index(j, d) / 4u];
}
