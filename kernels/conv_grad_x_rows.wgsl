// ConvGradient's dX for few input channels per group (a first layer's 1 or 3) in NCHW: one thread
// per 4 neighbouring elements of one input row sums dY * W over its group's filters and the kernel
// positions that reached them. Each filter tap is loaded once for the 4 elements, and with the
// window as pipeline constants (shaders/window_consts.wgsl) the index arithmetic folds into
// multiplications: on a software adapter that arithmetic, not the loads, was conv_grad_x_direct's
// cost (it stays for NHWC).
#include "window_consts.wgsl"
#include "indexing.wgsl"

struct Params {
  total: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> dY: array<f32>;
@group(0) @binding(4) var<storage, read_write> dX: array<f32>;

// Input channels and filters per group, and blocks of 4 elements per input row.
override CG: u32;
override MG: u32;
override X_BLOCKS: u32;
// Unit stride and dilation along x: neighbouring taps meet neighbouring dY columns, so a window of
// 4 columns slides by one load per tap.
override SLIDE: bool = false;

// dY at column ox of the row starting at base, 0 outside the row.
fn dy_at(base: u32, ox: i32) -> f32 {
  return select(0.0, dY[base + u32(clamp(ox, 0, i32(OUT_W) - 1))], ox >= 0 && ox < i32(OUT_W));
}

// SLIDE's sum over filter row ky: the window for tap kx starts at column x0 + P_L - kx, so going
// from the last tap to the first it moves right by one column.
fn slide_row(n: u32, g: u32, c: u32, ky: i32, oy: i32, x0: i32) -> vec4<f32> {
  var acc = vec4<f32>(0.0);
  for (var f = g * MG; f < (g + 1u) * MG; f++) {
    let base = ((n * OUT_C + f) * OUT_H + u32(oy)) * OUT_W;
    let wrow = ((f * CG + c) * u32(K_H) + u32(ky)) * u32(K_W);
    let s = x0 + P_L - (K_W - 1);
    var win = vec4<f32>(dy_at(base, s), dy_at(base, s + 1), dy_at(base, s + 2), dy_at(base, s + 3));
    for (var kx = K_W - 1; kx >= 0; kx--) {
      acc += W[wrow + u32(kx)] * win;
      win = vec4<f32>(win.yzw, dy_at(base, x0 + P_L - kx + 4));
    }
  }
  return acc;
}

// The output coordinate along one axis that input coordinate v meets through tap k, or -1.
fn source(v: i32, pad: i32, k: i32, dil: i32, stride: i32, extent: u32) -> i32 {
  let t = v + pad - k * dil;
  if (t < 0 || t % stride != 0 || t / stride >= i32(extent)) {
    return -1;
  }
  return t / stride;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 64u);
  if (i >= params.total) {
    return;
  }
  // i = ((n * IN_C + channel) * IN_H + y) * X_BLOCKS + block.
  let x0 = i32(i % X_BLOCKS) * 4;
  let row = i / X_BLOCKS;
  let y = i32(row % u32(IN_H));
  let plane = row / u32(IN_H);
  let channel = plane % IN_C;
  let n = plane / IN_C;
  let g = channel / CG;
  let c = channel % CG;
  let xs = vec4i(x0, x0 + 1, x0 + 2, x0 + 3);
  var acc = vec4<f32>(0.0);
  for (var ky = 0; ky < K_H; ky++) {
    let oy = source(y, P_T, ky, D_H, S_H, OUT_H);
    if (oy < 0) {
      continue;
    }
    if (SLIDE) {
      acc += slide_row(n, g, c, ky, oy, x0);
      continue;
    }
    for (var kx = 0; kx < K_W; kx++) {
      let ox = vec4i(
        source(xs.x, P_L, kx, D_W, S_W, OUT_W),
        source(xs.y, P_L, kx, D_W, S_W, OUT_W),
        source(xs.z, P_L, kx, D_W, S_W, OUT_W),
        source(xs.w, P_L, kx, D_W, S_W, OUT_W),
      );
      if (all(ox < vec4i(0))) {
        continue;
      }
      // Elements this tap does not reach read column 0 and count for nothing.
      let mask = select(vec4<f32>(0.0), vec4<f32>(1.0), ox >= vec4i(0));
      let at = vec4u(max(ox, vec4i(0)));
      for (var f = g * MG; f < (g + 1u) * MG; f++) {
        let w = W[((f * CG + c) * u32(K_H) + u32(ky)) * u32(K_W) + u32(kx)];
        let base = ((n * OUT_C + f) * OUT_H + u32(oy)) * OUT_W;
        let dy = vec4<f32>(dY[base + at.x], dY[base + at.y], dY[base + at.z], dY[base + at.w]);
        acc += (w * mask) * dy;
      }
    }
  }
  let out = ((n * IN_C + channel) * u32(IN_H) + u32(y)) * u32(IN_W) + u32(x0);
  dX[out] = acc.x;
  if (x0 + 1 < IN_W) {
    dX[out + 1u] = acc.y;
  }
  if (x0 + 2 < IN_W) {
    dX[out + 2u] = acc.z;
  }
  if (x0 + 3 < IN_W) {
    dX[out + 3u] = acc.w;
  }
}
