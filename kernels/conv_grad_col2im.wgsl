// ConvGradient's dX from the column gradient of conv_grad_dcol*.wgsl: one thread per element of
// dX adds the dCol entries of the (kernel position, output pixel) pairs whose window covered it,
// at most kh * kw of them, so no two threads write one element and no atomics are needed.
// dCol[(g * taps + t) * pixels + j]: group g, tap t in the filter's storage order, output pixel j.
#include "conv_geom.wgsl"
#include "indexing.wgsl"

struct Params {
  total: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> dCol: array<f32>;
@group(0) @binding(3) var<storage, read_write> dX: array<f32>;

// The output coordinate that input coordinate v met through tap k, or -1: conv_geom.wgsl's
// source() without its division and remainder in the common unit stride (integer division is
// slow on software adapters, and this runs kh * kw times per element).
fn source_of(v: i32, pad: i32, k: i32, dil: i32, stride: i32, extent: i32) -> i32 {
  if (stride == 1) {
    let t = v + pad - k * dil;
    return select(-1, t, t >= 0 && t < extent);
  }
  return source(v, pad, k, dil, stride, extent);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 64u);
  if (i >= params.total) {
    return;
  }
  let q = coords(i32(i), geom.c, geom.h, geom.w);
  let g = q.y / geom.cg;
  let c = q.y - g * geom.cg;
  let kk = geom.kh * geom.kw;
  let pixels = geom.n * geom.oh * geom.ow;
  // dCol row of (c, ky = 0, kx = 0) in this group; tap (c, ky, kx) lies (ky * kw + kx) * step further.
  let row0 = g * geom.cg * kk + select(c * kk, c, NHWC);
  let step = select(1, geom.cg, NHWC);
  let image = q.x * geom.oh;
  var acc = 0.0;
  for (var ky = 0; ky < geom.kh; ky++) {
    let oy = source_of(q.z, geom.pt, ky, geom.dh, geom.sh, geom.oh);
    if (oy < 0) {
      continue;
    }
    let line = (image + oy) * geom.ow;
    for (var kx = 0; kx < geom.kw; kx++) {
      let ox = source_of(q.w, geom.pl, kx, geom.dw, geom.sw, geom.ow);
      if (ox < 0) {
        continue;
      }
      acc += dCol[u32((row0 + (ky * geom.kw + kx) * step) * pixels + line + ox)];
    }
  }
  dX[i] = acc;
}
