// MaxPool / AveragePool for small windows: one thread per output walking its window, with the
// geometry as pipeline constants (shaders/window_consts.wgsl), no workgroup memory and no
// barrier. Windows are clipped to the image as in pool.wgsl (which takes the large windows of
// global pools): the max ignores the padding, and the average divides by the in-image count, or
// by kh*kw with COUNT_INCLUDE_PAD.
#include "window_consts.wgsl"
#include "indexing.wgsl"

struct Params {
  outputs: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

override MAX: bool = true;
override COUNT_INCLUDE_PAD: bool = false;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 64u);
  if (i >= params.outputs) {
    return;
  }
  let q = out_coords(i);
  let y0 = i32(q.z) * S_H - P_T;
  let x0 = i32(q.w) * S_W - P_L;
  // -FLT_MAX: the identity of max over finite values that still loses to any of them.
  var acc = select(0.0, bitcast<f32>(0xff7fffffu), MAX);
  for (var ky = 0; ky < K_H; ky++) {
    for (var kx = 0; kx < K_W; kx++) {
      let y = y0 + ky;
      let x = x0 + kx;
      if (inside(y, x)) {
        let v = X[in_index(q.x, q.y, y, x)];
        acc = select(acc + v, max(acc, v), MAX);
      }
    }
  }
  if (MAX) {
    Y[i] = acc;
    return;
  }
  var count = K_H * K_W;
  if (!COUNT_INCLUDE_PAD) {
    count = (min(y0 + K_H, IN_H) - max(y0, 0)) * (min(x0 + K_W, IN_W) - max(x0, 0));
  }
  Y[i] = acc / f32(count);
}
