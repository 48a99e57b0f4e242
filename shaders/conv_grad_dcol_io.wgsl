// The GEMM of kernels/conv_grad_dcol*.wgsl: the column gradient dCol = W^T x dY of one group, the
// first half of ConvGradient's dX (conv_grad_col2im.wgsl adds its columns into dX). Rows are the
// filter taps in the filter's storage order (cg * kh * kw), columns the output pixels
// (batch, oy, ox), and the depth runs over output channels, split at group boundaries (split g is
// group g, so depth d is the global filter index). dCol holds one [taps, pixels] matrix per
// group: dCol[(g * taps + t) * pixels + j].
//
// The kernel includes a tile file and conv_geom.wgsl first, declares W, dY and dCol, and supplies
// w_at(k) and dy_at(k), the scalar at flat index k.

// A(t, d) = W[d, t]: W^T read along the taps, never along the depth.
const A_DEPTH_CONTIGUOUS: bool = false;
// B(j, d) = dY at pixel j, channel d: NHWC keeps a pixel's channels together, NCHW its pixels.
override B_DEPTH_CONTIGUOUS: bool = NHWC;

// Flat index of dY at output pixel j (over batch, oy, ox) and output channel d.
fn dy_index(j: u32, d: u32) -> u32 {
  if (NHWC) {
    return j * u32(geom.m) + d;
  }
  let plane = u32(geom.oh * geom.ow);
  let b = j / plane;
  return (b * u32(geom.m) + d) * plane + j - b * plane;
}

fn a_at(i: u32, d: u32) -> f32 {
  return w_at(d * params.rows + i);
}

fn b_at(j: u32, d: u32) -> f32 {
  return dy_at(dy_index(j, d));
}

fn store_out(split: u32, i: u32, j: u32, v: f32) {
  dCol[(split * params.rows + i) * params.cols + j] = v;
}
