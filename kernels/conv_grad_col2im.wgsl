// ConvGradient's dX from the column gradient of conv_grad_dcol*.wgsl: one thread per element of
// dX adds the dCol entries of the (kernel position, output pixel) pairs whose window covered it,
// at most kh * kw of them, so no two threads write one element and no atomics are needed.
// dCol[(g * taps + t) * pixels + j]: group g, tap t in the filter's storage order, output pixel j.
// The geometry comes as pipeline constants (shaders/window_consts.wgsl, plus CG, the input
// channels per group), so the divisions by strides and sizes fold away.
#include "window_consts.wgsl"
#include "indexing.wgsl"

override CG: u32;

struct Params {
  total: u32,
  // Output pixels over the batch: dCol's row length.
  pixels: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dCol: array<f32>;
@group(0) @binding(2) var<storage, read_write> dX: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 64u);
  if (i >= params.total) {
    return;
  }
  let q = in_coords(i);
  let g = q.y / CG;
  let c = q.y - g * CG;
  let kk = u32(K_H * K_W);
  // dCol row of (c, ky = 0, kx = 0) in this group; tap (c, ky, kx) lies (ky * kw + kx) * step further.
  let row0 = g * CG * kk + select(c * kk, c, NHWC);
  let step = select(1u, CG, NHWC);
  let image = q.x * OUT_H;
  var acc = 0.0;
  for (var ky = 0; ky < K_H; ky++) {
    // Output row oy met input row y through ky when oy * S_H = y + P_T - ky * D_H.
    let ty = i32(q.z) + P_T - ky * D_H;
    if (ty < 0) {
      break;
    }
    if (ty % S_H != 0 || ty / S_H >= i32(OUT_H)) {
      continue;
    }
    let line = (image + u32(ty / S_H)) * OUT_W;
    for (var kx = 0; kx < K_W; kx++) {
      let tx = i32(q.w) + P_L - kx * D_W;
      if (tx < 0) {
        break;
      }
      if (tx % S_W != 0 || tx / S_W >= i32(OUT_W)) {
        continue;
      }
      acc += dCol[(row0 + u32(ky * K_W + kx) * step) * params.pixels + line + u32(tx / S_W)];
    }
  }
  dX[i] = acc;
}
