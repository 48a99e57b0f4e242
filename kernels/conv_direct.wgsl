// Conv's forward pass without a GEMM tile: each thread computes a block of outputs of one image
// and group, PX output pixels for FB = 4 * FQ filters, walking the group's taps (input channel x
// kernel row x kernel column) once: each filter read serves PX outputs and each input read FB.
// The geometry is compiled in (shaders/window_consts.wgsl), so index arithmetic is cheap; there is
// no workgroup memory and no barrier (each costs tens of µs on a software adapter). An image's
// pixels are cut into PX slabs of SLAB pixels; a thread takes pixel p0 of every slab, so
// neighbouring threads read neighbouring inputs (stride 1, NCHW) and the same filter taps.
//
// The blocks are written out variable by variable (PX and FQ up to 4 and 2, unused ones folded
// away as constants): a software adapter neither unrolls loops nor keeps arrays in registers.
#include "window_consts.wgsl"
#include "indexing.wgsl"

struct Params {
  total: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;

// Whether b holds a bias (Conv with 3 inputs); otherwise b is a placeholder.
override HAS_BIAS: bool = true;
// Input and output channels per group, groups, and blocks of FB filters per group.
override CG: u32;
override MG: u32;
override GROUPS: u32;
override F_BLOCKS: u32;
// Pixels per thread (1, 2 or 4), quads of filters per thread (1 or 2), pixels per slab.
override PX: u32 = 1u;
override FQ: u32 = 1u;
override SLAB: u32;

// Index in W of (filter f, input channel c of its group, kernel row ky, kernel column kx).
fn filter_at(f: u32, c: u32, ky: i32, kx: i32) -> u32 {
  let k = u32(ky * K_W + kx);
  if (NHWC) {
    return (f * u32(K_H * K_W) + k) * CG + c;
  }
  return (f * CG + c) * u32(K_H * K_W) + k;
}

// Output pixel j of a thread's block as (row, column, whether it exists): pixels past the image's
// last repeat it (computed, never stored).
fn block_pixel(p0: u32, j: u32) -> vec3u {
  let p = p0 + j * SLAB;
  let q = min(p, OUT_H * OUT_W - 1u);
  return vec3u(q / OUT_W, q % OUT_W, u32(p < OUT_H * OUT_W));
}

// X at input channel ch of image n through tap (ky, kx) of the window at output pixel o; 0 in the padding.
fn x_at(n: u32, ch: u32, o: vec3u, ky: i32, kx: i32) -> f32 {
  let y = i32(o.x) * S_H - P_T + ky * D_H;
  let x = i32(o.y) * S_W - P_L + kx * D_W;
  if (inside(y, x)) {
    return X[in_index(n, ch, y, x)];
  }
  return 0.0;
}

// Weights of filters f0..f0+3 of group g at one tap; past the group's last filter, that one again.
fn w_quad(g: u32, f0: u32, c: u32, ky: i32, kx: i32) -> vec4<f32> {
  let last = MG - 1u;
  return vec4<f32>(
    W[filter_at(g * MG + min(f0, last), c, ky, kx)],
    W[filter_at(g * MG + min(f0 + 1u, last), c, ky, kx)],
    W[filter_at(g * MG + min(f0 + 2u, last), c, ky, kx)],
    W[filter_at(g * MG + min(f0 + 3u, last), c, ky, kx)],
  );
}

// Stores output pixel o for filters f0..f0+3 of group g (those that exist).
fn store_quad(n: u32, g: u32, f0: u32, o: vec3u, v: vec4<f32>) {
  if (o.z == 0u) {
    return;
  }
  for (var k = 0u; k < 4u; k++) {
    if (f0 + k < MG) {
      let f = g * MG + f0 + k;
      var bias = 0.0;
      if (HAS_BIAS) {
        bias = b[f];
      }
      if (NHWC) {
        Y[((n * OUT_H + o.x) * OUT_W + o.y) * OUT_C + f] = v[k] + bias;
      } else {
        Y[((n * OUT_C + f) * OUT_H + o.x) * OUT_W + o.y] = v[k] + bias;
      }
    }
  }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 64u);
  if (i >= params.total) {
    return;
  }
  // i = ((n * GROUPS + g) * F_BLOCKS + fblock) * SLAB + p0.
  let p0 = i % SLAB;
  let s = i / SLAB;
  let f0 = (s % F_BLOCKS) * 4u * FQ;
  let t = s / F_BLOCKS;
  let g = t % GROUPS;
  let n = t / GROUPS;
  let o0 = block_pixel(p0, 0u);
  let o1 = block_pixel(p0, 1u);
  let o2 = block_pixel(p0, 2u);
  let o3 = block_pixel(p0, 3u);
  // a<j><q>: pixel j, filter quad q.
  var a00 = vec4<f32>(0.0); var a01 = vec4<f32>(0.0);
  var a10 = vec4<f32>(0.0); var a11 = vec4<f32>(0.0);
  var a20 = vec4<f32>(0.0); var a21 = vec4<f32>(0.0);
  var a30 = vec4<f32>(0.0); var a31 = vec4<f32>(0.0);
  for (var c = 0u; c < CG; c++) {
    let ch = g * CG + c;
    for (var ky = 0; ky < K_H; ky++) {
      for (var kx = 0; kx < K_W; kx++) {
        let w0 = w_quad(g, f0, c, ky, kx);
        var w1 = vec4<f32>(0.0);
        if (FQ > 1u) {
          w1 = w_quad(g, f0 + 4u, c, ky, kx);
        }
        let v0 = vec4<f32>(x_at(n, ch, o0, ky, kx));
        a00 = fma(v0, w0, a00);
        if (FQ > 1u) {
          a01 = fma(v0, w1, a01);
        }
        if (PX > 1u) {
          let v1 = vec4<f32>(x_at(n, ch, o1, ky, kx));
          a10 = fma(v1, w0, a10);
          if (FQ > 1u) {
            a11 = fma(v1, w1, a11);
          }
        }
        if (PX > 2u) {
          let v2 = vec4<f32>(x_at(n, ch, o2, ky, kx));
          let v3 = vec4<f32>(x_at(n, ch, o3, ky, kx));
          a20 = fma(v2, w0, a20);
          a30 = fma(v3, w0, a30);
          if (FQ > 1u) {
            a21 = fma(v2, w1, a21);
            a31 = fma(v3, w1, a31);
          }
        }
      }
    }
  }
  store_quad(n, g, f0, o0, a00);
  if (FQ > 1u) {
    store_quad(n, g, f0 + 4u, o0, a01);
  }
  if (PX > 1u) {
    store_quad(n, g, f0, o1, a10);
    if (FQ > 1u) {
      store_quad(n, g, f0 + 4u, o1, a11);
    }
  }
  if (PX > 2u) {
    store_quad(n, g, f0, o2, a20);
    store_quad(n, g, f0, o3, a30);
    if (FQ > 1u) {
      store_quad(n, g, f0 + 4u, o2, a21);
      store_quad(n, g, f0 + 4u, o3, a31);
    }
  }
}
