// ConvGradient's dW for small problems, one thread per filter element summing dY * X over the
// output pixels (batch, oy, ox). ConvGradient uses it only while the pixels are few (the loop is
// bounded on the host); long pixel sums go to the split GEMM of conv_grad_w.wgsl. No barriers.
#include "conv_geom.wgsl"
#include "indexing.wgsl"

struct Params {
  total: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read> dY: array<f32>;
@group(0) @binding(4) var<storage, read_write> dW: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 64u);
  if (i >= params.total) {
    return;
  }
  let taps = geom.cg * geom.kh * geom.kw;
  let f = i32(i) / taps;
  let t = tap(i32(i) - f * taps, geom.cg);
  let ch = (f / geom.mg) * geom.cg + t.x;
  var acc = 0.0;
  for (var bi = 0; bi < geom.n; bi++) {
    for (var oy = 0; oy < geom.oh; oy++) {
      let y = oy * geom.sh - geom.pt + t.y * geom.dh;
      if (y < 0 || y >= geom.h) {
        continue;
      }
      for (var ox = 0; ox < geom.ow; ox++) {
        let x = ox * geom.sw - geom.pl + t.z * geom.dw;
        if (x < 0 || x >= geom.w) {
          continue;
        }
        acc += dY[at4(bi, f, oy, ox, geom.m, geom.oh, geom.ow)] * X[at4(bi, ch, y, x, geom.c, geom.h, geom.w)];
      }
    }
  }
  dW[i] = acc;
}
