// MaxPoolGradient / AveragePoolGradient, one thread per input element gathering from the outputs
// whose windows cover it (at most ceil(kh/sh) * ceil(kw/sw) of them, one for a global pool), so
// no two threads write one element. Max: every position equal to its window's max receives that
// window's dY (ties all do, as in Caffe2). Average: each in-image position receives dY / count
// with count as in the forward pass.
#include "conv_geom.wgsl"
#include "indexing.wgsl"

struct Params {
  inputs: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read> Y: array<f32>;
@group(0) @binding(4) var<storage, read> dY: array<f32>;
@group(0) @binding(5) var<storage, read_write> dX: array<f32>;

override MAX: bool = true;
override COUNT_INCLUDE_PAD: bool = false;

// Outputs along one axis whose window [o*stride - pad, o*stride - pad + k) holds coordinate v.
fn covering(v: i32, pad: i32, k: i32, stride: i32, extent: i32) -> vec2i {
  let t = v + pad;
  let first = select(0, (t - k) / stride + 1, t >= k);
  return vec2i(first, min(t / stride, extent - 1));
}

// The in-image positions of output (oy, ox)'s window along one axis.
fn clipped(o: i32, stride: i32, pad: i32, k: i32, extent: i32) -> i32 {
  let start = o * stride - pad;
  return min(start + k, extent) - max(start, 0);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 64u);
  if (i >= params.inputs) {
    return;
  }
  let q = coords(i32(i), geom.c, geom.h, geom.w);
  let ry = covering(q.z, geom.pt, geom.kh, geom.sh, geom.oh);
  let rx = covering(q.w, geom.pl, geom.kw, geom.sw, geom.ow);
  let x = X[i];
  var acc = 0.0;
  for (var oy = ry.x; oy <= ry.y; oy++) {
    for (var ox = rx.x; ox <= rx.y; ox++) {
      let o = at4(q.x, q.y, oy, ox, geom.c, geom.oh, geom.ow);
      if (MAX) {
        if (x == Y[o]) {
          acc += dY[o];
        }
      } else {
        var count = geom.kh * geom.kw;
        if (!COUNT_INCLUDE_PAD) {
          count = clipped(oy, geom.sh, geom.pt, geom.kh, geom.h) * clipped(ox, geom.sw, geom.pl, geom.kw, geom.w);
        }
        acc += dY[o] / f32(count);
      }
    }
  }
  dX[i] = acc;
}
