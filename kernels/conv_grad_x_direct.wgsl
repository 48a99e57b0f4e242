// ConvGradient's dX in NHWC (NCHW takes conv_grad_x_rows.wgsl) for few input channels per group
// (a first layer's 1 or 3), where the GEMM tile of conv_grad_x.wgsl would leave most of its 64
// columns idle: one thread per element of dX sums dY * W over the filters of its group and the
// kernel positions that reached it. A thread's loop is one filter group's taps, the work the
// element needs and no more.
#include "conv_geom.wgsl"
#include "indexing.wgsl"

struct Params {
  total: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> dY: array<f32>;
@group(0) @binding(4) var<storage, read_write> dX: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 64u);
  if (i >= params.total) {
    return;
  }
  let q = coords(i32(i), geom.c, geom.h, geom.w);
  let g = q.y / geom.cg;
  let c = q.y - g * geom.cg;
  var acc = 0.0;
  for (var ky = 0; ky < geom.kh; ky++) {
    let oy = source(q.z, geom.pt, ky, geom.dh, geom.sh, geom.oh);
    if (oy < 0) {
      continue;
    }
    for (var kx = 0; kx < geom.kw; kx++) {
      let ox = source(q.w, geom.pl, kx, geom.dw, geom.sw, geom.ow);
      if (ox < 0) {
        continue;
      }
      for (var f = g * geom.mg; f < (g + 1) * geom.mg; f++) {
        acc += dY[at4(q.x, f, oy, ox, geom.m, geom.oh, geom.ow)] * W[filter_index(f, c, ky * geom.kw + kx)];
      }
    }
  }
  dX[i] = acc;
}
