// ConvGradient's column buffer for dW: col[(g * taps + t) * pixels + j] = X at the input position
// that tap t (filter storage order) of group g reads for output pixel j (batch, oy, ox), 0 in the
// padding. Gathering once here leaves conv_grad_wcol_big*.wgsl a plain GEMM that reads both
// operands in order. One thread per (group and tap, image, output row) writes that row's ow
// entries, so the index arithmetic (integer division is slow on software adapters) is paid once
// per row, not per entry.
#include "conv_geom.wgsl"
#include "indexing.wgsl"

struct Params {
  total: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> col: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 64u);
  if (i >= params.total) {
    return;
  }
  let lines = geom.n * geom.oh;
  let gt = i32(i) / lines;
  let line = i32(i) - gt * lines;
  let b = line / geom.oh;
  let oy = line - b * geom.oh;
  let taps = geom.cg * geom.kh * geom.kw;
  let g = gt / taps;
  let t = tap(gt - g * taps, geom.cg);
  let y = oy * geom.sh - geom.pt + t.y * geom.dh;
  let x0 = t.z * geom.dw - geom.pl;
  let out = u32(gt * lines + line) * u32(geom.ow);
  let row_inside = y >= 0 && y < geom.h;
  let ch = g * geom.cg + t.x;
  for (var ox = 0; ox < geom.ow; ox++) {
    let x = ox * geom.sw + x0;
    var v = 0.0;
    if (row_inside && x >= 0 && x < geom.w) {
      v = X[at4(b, ch, y, x, geom.c, geom.h, geom.w)];
    }
    col[out + u32(ox)] = v;
  }
}
