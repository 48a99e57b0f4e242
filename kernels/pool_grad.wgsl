// MaxPoolGradient / AveragePoolGradient, one thread per input element gathering from the outputs
// whose windows cover it (at most ceil(kh/sh) * ceil(kw/sw) of them, one for a global pool), so
// no two threads write one element. Max: every position equal to its window's max receives that
// window's dY (ties all do, as in Caffe2). Average: each in-image position receives dY / count
// with count as in the forward pass. The geometry is compiled in (shaders/window_consts.wgsl):
// the divisions by the strides and sizes become multiplications.
#include "window_consts.wgsl"
#include "indexing.wgsl"

struct Params {
  inputs: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> Y: array<f32>;
@group(0) @binding(3) var<storage, read> dY: array<f32>;
@group(0) @binding(4) var<storage, read_write> dX: array<f32>;

override MAX: bool = true;
override COUNT_INCLUDE_PAD: bool = false;

// Outputs along one axis whose window [o*stride - pad, o*stride - pad + k) holds coordinate v.
fn covering(v: i32, pad: i32, k: i32, stride: i32, extent: u32) -> vec2i {
  let t = v + pad;
  let first = select(0, (t - k) / stride + 1, t >= k);
  return vec2i(first, min(t / stride, i32(extent) - 1));
}

// The in-image positions of output o's window along one axis.
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
  let q = in_coords(i);
  let ry = covering(i32(q.z), P_T, K_H, S_H, OUT_H);
  let rx = covering(i32(q.w), P_L, K_W, S_W, OUT_W);
  let x = X[i];
  var acc = 0.0;
  for (var oy = ry.x; oy <= ry.y; oy++) {
    for (var ox = rx.x; ox <= rx.y; ox++) {
      let o = out_index(q.x, q.y, u32(oy), u32(ox));
      if (MAX) {
        if (x == Y[o]) {
          acc += dY[o];
        }
      } else {
        var count = K_H * K_W;
        if (!COUNT_INCLUDE_PAD) {
          count = clipped(oy, S_H, P_T, K_H, IN_H) * clipped(ox, S_W, P_L, K_W, IN_W);
        }
        acc += dY[o] / f32(count);
      }
    }
  }
  dX[i] = acc;
}
