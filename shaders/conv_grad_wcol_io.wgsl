// The GEMM of kernels/conv_grad_wcol_big*.wgsl: ConvGradient's dW from dY and the column buffer
// of conv_grad_im2col.wgsl. Rows are the output channels of one group, columns the filter taps in
// storage order, and the depth runs over output pixels (batch, oy, ox), laid out as in
// conv_grad_w.wgsl: each group's pixels padded to `parts` splits of split_depth (a multiple of
// the depth step), split s being part s % parts of group s / parts; padded depths read 0. With
// one part dW is the output; with more, a scratch of partial filters (part q at dW[q * M * taps..]).
//
// The kernel includes matmul_tile_big.wgsl and conv_geom.wgsl first, declares dY, col and dW, and
// supplies dy_at(k) and col_at(k), the scalar at flat index k.

// NCHW keeps an image's pixels of one channel together, NHWC a pixel's channels; col is [taps, pixels].
override A_DEPTH_CONTIGUOUS: bool = !NHWC;
const B_DEPTH_CONTIGUOUS: bool = true;

// (group, pixel) of depth d, or a pixel of -1 in the padding after a group's pixels.
fn group_pixel(d: u32) -> vec2i {
  let per_group = u32(geom.parts) * params.split_depth;
  let g = d / per_group;
  let p = d - g * per_group;
  return vec2i(i32(g), select(-1, i32(p), p < u32(geom.n * geom.oh * geom.ow)));
}

// Flat index of dY at filter i of group g and output pixel p (over batch, oy, ox).
fn dy_index(g: i32, i: u32, p: i32) -> u32 {
  let f = u32(g * geom.mg) + i;
  if (NHWC) {
    return u32(p) * u32(geom.m) + f;
  }
  let plane = geom.oh * geom.ow;
  let b = p / plane;
  return (u32(b) * u32(geom.m) + f) * u32(plane) + u32(p - b * plane);
}

// Flat index of col at tap j of group g and pixel p.
fn col_index(g: i32, j: u32, p: i32) -> u32 {
  return (u32(g) * params.cols + j) * u32(geom.n * geom.oh * geom.ow) + u32(p);
}

fn a_at(i: u32, d: u32) -> f32 {
  let gp = group_pixel(d);
  if (gp.y < 0) {
    return 0.0;
  }
  return dy_at(dy_index(gp.x, i, gp.y));
}

fn b_at(j: u32, d: u32) -> f32 {
  let gp = group_pixel(d);
  if (gp.y < 0) {
    return 0.0;
  }
  return col_at(col_index(gp.x, j, gp.y));
}

fn store_out(split: u32, i: u32, j: u32, v: f32) {
  let parts = u32(geom.parts);
  let g = split / parts;
  let q = split - g * parts;
  dW[(q * u32(geom.m) + g * u32(geom.mg) + i) * params.cols + j] = v;
}
