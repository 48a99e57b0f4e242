// Conv forward's implicit-GEMM operands and output, shared by kernels/conv.wgsl (64x64 tile) and
// conv_big.wgsl (128x128): rows are output pixels (batch, y, x), columns the output channels of
// one group, the depth the taps (input channel, ky, kx) of each group in turn, split at group
// boundaries (split g is group g). Include after a tile file and conv_geom.wgsl.

@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read> W: array<f32>;
@group(0) @binding(4) var<storage, read> b: array<f32>;
@group(0) @binding(5) var<storage, read_write> Y: array<f32>;

// Whether b holds a bias (Conv with 3 inputs); otherwise b is a placeholder.
override HAS_BIAS: bool = true;
// NHWC patches are contiguous along channels (the depth); NCHW ones roughly along x (the rows).
override A_DEPTH_CONTIGUOUS: bool = NHWC;
const B_DEPTH_CONTIGUOUS: bool = true;

fn a_at(i: u32, d: u32) -> f32 {
  let g = i32(d / params.split_depth);
  let t = tap(i32(d % params.split_depth), geom.cg);
  let p = pixel(i32(i), geom.oh, geom.ow);
  let y = p.y * geom.sh - geom.pt + t.y * geom.dh;
  let x = p.z * geom.sw - geom.pl + t.z * geom.dw;
  if (y < 0 || y >= geom.h || x < 0 || x >= geom.w) {
    return 0.0;
  }
  return X[at4(p.x, g * geom.cg + t.x, y, x, geom.c, geom.h, geom.w)];
}

fn b_at(j: u32, d: u32) -> f32 {
  let g = d / params.split_depth;
  return W[(g * u32(geom.mg) + j) * params.split_depth + d % params.split_depth];
}

fn store_out(split: u32, i: u32, j: u32, v: f32) {
  let m = i32(split) * geom.mg + i32(j);
  let p = pixel(i32(i), geom.oh, geom.ow);
  var bias = 0.0;
  if (HAS_BIAS) {
    bias = b[m];
  }
  Y[at4(p.x, m, p.y, p.z, geom.m, geom.oh, geom.ow)] = v + bias;
}
