// ConvGradient's db kernels (conv_grad_b.wgsl and conv_grad_b_direct.wgsl) share one interface:
// dY as an [n, c, s] (NCHW) or [n, s, c] (NHWC) tensor in, one sum per channel out.

struct Params {
  n: u32,
  c: u32,
  s: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

override NHWC: bool = false;
