// MaxPoolGradient / AveragePoolGradient when the windows tile the input exactly (stride = kernel,
// no padding, every row and column inside one window: LeNet's 2x2 pools): one thread per output
// window writes the gradient of all its inputs, reading the window's Y and dY once instead of once
// per input (pool_grad.wgsl). Max: every position equal to the window's max receives its dY (ties
// all do, as in Caffe2); average: each position receives dY / (kh*kw).
#include "window_consts.wgsl"
#include "indexing.wgsl"

struct Params {
  outputs: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> Y: array<f32>;
@group(0) @binding(3) var<storage, read> dY: array<f32>;
@group(0) @binding(4) var<storage, read_write> dX: array<f32>;

override MAX: bool = true;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let o = flat_index(gid, nwg, 64u);
  if (o >= params.outputs) {
    return;
  }
  let q = out_coords(o);
  let y0 = i32(q.z) * K_H;
  let x0 = i32(q.w) * K_W;
  let top = Y[o];
  let g = dY[o];
  let share = g / f32(K_H * K_W);
  for (var ky = 0; ky < K_H; ky++) {
    for (var kx = 0; kx < K_W; kx++) {
      let i = in_index(q.x, q.y, y0 + ky, x0 + kx);
      if (MAX) {
        dX[i] = select(0.0, g, X[i] == top);
      } else {
        dX[i] = share;
      }
    }
  }
}
