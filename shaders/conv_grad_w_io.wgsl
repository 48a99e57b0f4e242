// The operands and output of the implicit GEMM of kernels/conv_grad_w.wgsl (64x64 tile, whose header
// describes the layout) and conv_grad_w_big.wgsl (128x128). Include after a tile file and
// conv_geom.wgsl.

@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read> dY: array<f32>;
@group(0) @binding(4) var<storage, read_write> dW: array<f32>;

// Along the pixels, NCHW data is contiguous; NHWC data is contiguous along channels (rows/columns).
override A_DEPTH_CONTIGUOUS: bool = !NHWC;
override B_DEPTH_CONTIGUOUS: bool = !NHWC;

// (group, pixel) of depth d, or a pixel of -1 for the padding after a group's pixels.
fn group_pixel(d: u32) -> vec2i {
  let per_group = u32(geom.parts) * params.split_depth;
  let g = d / per_group;
  let p = d % per_group;
  if (p >= u32(geom.n * geom.oh * geom.ow)) {
    return vec2i(i32(g), -1);
  }
  return vec2i(i32(g), i32(p));
}

fn a_at(i: u32, d: u32) -> f32 {
  let gp = group_pixel(d);
  if (gp.y < 0) {
    return 0.0;
  }
  let p = pixel(gp.y, geom.oh, geom.ow);
  return dY[at4(p.x, gp.x * geom.mg + i32(i), p.y, p.z, geom.m, geom.oh, geom.ow)];
}

fn b_at(j: u32, d: u32) -> f32 {
  let gp = group_pixel(d);
  if (gp.y < 0) {
    return 0.0;
  }
  let t = tap(i32(j), geom.cg);
  let p = pixel(gp.y, geom.oh, geom.ow);
  let y = p.y * geom.sh - geom.pt + t.y * geom.dh;
  let x = p.z * geom.sw - geom.pl + t.z * geom.dw;
  if (y < 0 || y >= geom.h || x < 0 || x >= geom.w) {
    return 0.0;
  }
  return X[at4(p.x, gp.x * geom.cg + t.x, y, x, geom.c, geom.h, geom.w)];
}

fn store_out(split: u32, i: u32, j: u32, v: f32) {
  let parts = u32(geom.parts);
  let g = split / parts;
  let q = split % parts;
  dW[(q * u32(geom.m) + g * u32(geom.mg) + i) * params.cols + j] = v;
}
