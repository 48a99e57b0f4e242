// ConvGradient's dW for small filter banks: one thread per filter element and part of the output
// rows (batch, oy), summing dY * X over its rows. Part q takes rows [q * part_rows, ..) and writes
// dW[q * M * taps + element]; with one part that is dW itself, with more a scratch of partial
// filters that ConvGradient adds with fc_grad_b.wgsl. A thread's kernel position is fixed, so the
// output columns whose input lies inside X are one range, found once; the inner loop is two loads
// and a multiply-add. No barriers.
#include "conv_geom.wgsl"
#include "indexing.wgsl"

struct Params {
  total: u32,
  part_rows: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read> dY: array<f32>;
@group(0) @binding(4) var<storage, read_write> dW: array<f32>;

// The outputs o in [lo, hi) whose input coordinate o * stride + offset lies in [0, extent).
fn inside(offset: i32, stride: i32, extent: i32, outputs: i32) -> vec2i {
  let lo = select(0, (stride - 1 - offset) / stride, offset < 0);
  let hi = select(0, min(outputs, (extent - 1 - offset) / stride + 1), extent - 1 - offset >= 0);
  return vec2i(lo, max(lo, hi));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 64u);
  if (i >= params.total) {
    return;
  }
  let taps = geom.cg * geom.kh * geom.kw;
  let outputs = geom.m * taps;
  let part = i32(i) / outputs;
  let e = i32(i) - part * outputs;
  let f = e / taps;
  let t = tap(e - f * taps, geom.cg);
  let ch = (f / geom.mg) * geom.cg + t.x;
  // Input (y, x) = (oy * sh + y0, ox * sw + x0).
  let y0 = t.y * geom.dh - geom.pt;
  let x0 = t.z * geom.dw - geom.pl;
  let ys = inside(y0, geom.sh, geom.h, geom.oh);
  let xs = inside(x0, geom.sw, geom.w, geom.ow);
  let dy_step = select(1, geom.m, NHWC);
  let x_step = geom.sw * select(1, geom.c, NHWC);
  let first = part * i32(params.part_rows);
  let last = min(geom.n * geom.oh, first + i32(params.part_rows));
  var acc = 0.0;
  if (xs.x < xs.y) {
    var b = first / geom.oh;
    var oy = first - b * geom.oh;
    for (var r = first; r < last; r++) {
      if (oy >= ys.x && oy < ys.y) {
        var yi = at4(b, f, oy, xs.x, geom.m, geom.oh, geom.ow);
        var xi = at4(b, ch, oy * geom.sh + y0, xs.x * geom.sw + x0, geom.c, geom.h, geom.w);
        for (var ox = xs.x; ox < xs.y; ox++) {
          acc += dY[yi] * X[xi];
          yi += u32(dy_step);
          xi += u32(x_step);
        }
      }
      oy++;
      if (oy == geom.oh) {
        oy = 0;
        b++;
      }
    }
  }
  dW[i] = acc;
}
