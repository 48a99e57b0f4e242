// Conv's forward pass for small problems, one thread per element of Y summing its filter's taps
// (input channels of the group × kernel positions, the padding skipped). Where the GEMM tiles of
// conv.wgsl would be too few to fill the device, this keeps every thread busy and has no barriers
// (each costs tens of µs on a software adapter). The loop is one filter's taps, never longer.
#include "conv_geom.wgsl"
#include "indexing.wgsl"

struct Params {
  total: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read> W: array<f32>;
@group(0) @binding(4) var<storage, read> b: array<f32>;
@group(0) @binding(5) var<storage, read_write> Y: array<f32>;

// Whether b holds a bias (Conv with 3 inputs); otherwise b is a placeholder.
override HAS_BIAS: bool = true;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 64u);
  if (i >= params.total) {
    return;
  }
  let q = coords(i32(i), geom.m, geom.oh, geom.ow);
  let c0 = (q.y / geom.mg) * geom.cg;
  var acc = 0.0;
  if (HAS_BIAS) {
    acc = b[q.y];
  }
  for (var ky = 0; ky < geom.kh; ky++) {
    let y = q.z * geom.sh - geom.pt + ky * geom.dh;
    if (y < 0 || y >= geom.h) {
      continue;
    }
    for (var kx = 0; kx < geom.kw; kx++) {
      let x = q.w * geom.sw - geom.pl + kx * geom.dw;
      if (x < 0 || x >= geom.w) {
        continue;
      }
      for (var c = 0; c < geom.cg; c++) {
        acc += X[at4(q.x, c0 + c, y, x, geom.c, geom.h, geom.w)] * W[filter_index(q.y, c, ky * geom.kw + kx)];
      }
    }
  }
  Y[i] = acc;
}
