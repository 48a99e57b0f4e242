// The operands and output of the implicit GEMM of kernels/conv_grad_x.wgsl (64x64 tile, whose header
// describes the layout) and conv_grad_x_big.wgsl (128x128). Include after a tile file and
// conv_geom.wgsl.

@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> dY: array<f32>;
@group(0) @binding(4) var<storage, read_write> dX: array<f32>;

const A_DEPTH_CONTIGUOUS: bool = false;
// NCHW filters are contiguous along (ky, kx); NHWC ones along the input channel (the columns).
override B_DEPTH_CONTIGUOUS: bool = !NHWC;

// (filter, kernel position ky * kw + kx) of depth d: group d / split_depth, then the group's
// filters in order, each over its kh * kw positions.
fn filter_tap(d: u32) -> vec2i {
  let g = i32(d / params.split_depth);
  let r = i32(d % params.split_depth);
  let kk = geom.kh * geom.kw;
  let mm = r / kk;
  return vec2i(g * geom.mg + mm, r - mm * kk);
}

fn a_at(i: u32, d: u32) -> f32 {
  let ft = filter_tap(d);
  let ky = ft.y / geom.kw;
  let kx = ft.y - ky * geom.kw;
  let p = pixel(i32(i), geom.h, geom.w);
  let oy = source(p.y, geom.pt, ky, geom.dh, geom.sh, geom.oh);
  let ox = source(p.z, geom.pl, kx, geom.dw, geom.sw, geom.ow);
  if (oy < 0 || ox < 0) {
    return 0.0;
  }
  return dY[at4(p.x, ft.x, oy, ox, geom.m, geom.oh, geom.ow)];
}

fn b_at(j: u32, d: u32) -> f32 {
  let ft = filter_tap(d);
  return W[filter_index(ft.x, i32(j), ft.y)];
}

fn store_out(split: u32, i: u32, j: u32, v: f32) {
  let p = pixel(i32(i), geom.h, geom.w);
  dX[at4(p.x, i32(split) * geom.cg + i32(j), p.y, p.z, geom.c, geom.h, geom.w)] = v;
}
