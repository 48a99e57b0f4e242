// Conv's forward pass without a GEMM tile: each thread computes a block of outputs of one image
// and group, PX output pixels for FB = 4 * FQ filters, walking the group's taps (input channel x
// kernel row x kernel column) once: each filter read serves PX outputs and each input read FB.
// The geometry is compiled in (shaders/window_consts.wgsl), so index arithmetic is cheap; there is
// no workgroup memory and no barrier (each costs tens of µs on a software adapter). An image's
// pixels are cut into PX slabs of SLAB pixels; a thread takes pixel p0 of every slab, so
// neighbouring threads read neighbouring inputs (stride 1, NCHW) and the same filter taps; with
// SLIDE a thread takes 8 neighbours of one output row instead, whose inputs overlap. Each
// read's index is a per-thread base (a window's origin, a filter's first tap) plus the tap's
// offset, computed once per tap for the whole block (~10 % faster than an index per read).
//
// The blocks are written out variable by variable (PX and FQ up to 8 and 2, unused ones folded
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
// Pixels per thread (1, 2, 4 or 8), quads of filters per thread (1 or 2), pixels per slab.
override PX: u32 = 1u;
override FQ: u32 = 1u;
override SLAB: u32;
// Blocks of 8 neighbouring pixels of one output row (NCHW, unit stride and dilation along x): the
// 8 + K_W - 1 inputs of a kernel row slide through registers, one read per tap instead of 8.
override SLIDE: bool = false;
// Blocks of 8 per output row, with SLIDE.
override X_BLOCKS: u32 = 1u;

// Output pixel j of a thread's block as (row, column, whether it exists): pixels past the image's
// last repeat it (computed, never stored).
fn block_pixel(p0: u32, j: u32) -> vec3u {
  if (SLIDE) {
    // Pixels past the row's end are computed from whatever follows (never stored).
    let ox = (p0 % X_BLOCKS) * 8u + j;
    return vec3u(p0 / X_BLOCKS, ox, u32(ox < OUT_W));
  }
  let p = p0 + j * SLAB;
  let q = min(p, OUT_H * OUT_W - 1u);
  return vec3u(q / OUT_W, q % OUT_W, u32(p < OUT_H * OUT_W));
}

// Where the window of output pixel o starts: (top row, left column, index in X of that position at
// the group's first channel, which may lie in the padding).
fn window_origin(n: u32, ch0: u32, o: vec3u) -> vec3i {
  let y = i32(o.x) * S_H - P_T;
  let x = i32(o.y) * S_W - P_L;
  if (NHWC) {
    return vec3i(y, x, ((i32(n) * IN_H + y) * IN_W + x) * i32(IN_C) + i32(ch0));
  }
  return vec3i(y, x, ((i32(n * IN_C + ch0) * IN_H + y) * IN_W + x));
}

// X at tap (c, ky, kx) of the window starting at `origin`, `offset` its distance from the origin in X; 0 in the padding.
fn x_at(origin: vec3i, offset: i32, ky: i32, kx: i32) -> f32 {
  if (inside(origin.x + ky * D_H, origin.y + kx * D_W)) {
    return X[u32(origin.z + offset)];
  }
  return 0.0;
}

// X at `dx` columns right of a row's start (row: its index in X, y its row, x its column); 0 in the padding.
fn slide_at(row: i32, y: i32, x: i32, dx: i32) -> f32 {
  if (inside(y, x + dx)) {
    return X[u32(row + dx)];
  }
  return 0.0;
}

// Weights of the four filters whose first taps lie at `bases` at tap offset t.
fn w_quad(bases: vec4u, t: u32) -> vec4<f32> {
  return vec4<f32>(W[bases.x + t], W[bases.y + t], W[bases.z + t], W[bases.w + t]);
}

// Index in W of the first tap of filters f0..f0+3 of group g; past the group's last filter, that one again.
fn filter_bases(g: u32, f0: u32) -> vec4u {
  let f = g * MG + min(vec4u(f0, f0 + 1u, f0 + 2u, f0 + 3u), vec4u(MG - 1u));
  return f * (CG * u32(K_H * K_W));
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
  let r0 = window_origin(n, g * CG, o0);
  let r1 = window_origin(n, g * CG, o1);
  let r2 = window_origin(n, g * CG, o2);
  let r3 = window_origin(n, g * CG, o3);
  let o4 = block_pixel(p0, 4u);
  let o5 = block_pixel(p0, 5u);
  let o6 = block_pixel(p0, 6u);
  let o7 = block_pixel(p0, 7u);
  let r4 = window_origin(n, g * CG, o4);
  let r5 = window_origin(n, g * CG, o5);
  let r6 = window_origin(n, g * CG, o6);
  let r7 = window_origin(n, g * CG, o7);
  let wb0 = filter_bases(g, f0);
  let wb1 = filter_bases(g, f0 + 4u);
  // a<j><q>: pixel j, filter quad q.
  var a00 = vec4<f32>(0.0); var a01 = vec4<f32>(0.0);
  var a10 = vec4<f32>(0.0); var a11 = vec4<f32>(0.0);
  var a20 = vec4<f32>(0.0); var a21 = vec4<f32>(0.0);
  var a30 = vec4<f32>(0.0); var a31 = vec4<f32>(0.0);
  var a40 = vec4<f32>(0.0); var a41 = vec4<f32>(0.0);
  var a50 = vec4<f32>(0.0); var a51 = vec4<f32>(0.0);
  var a60 = vec4<f32>(0.0); var a61 = vec4<f32>(0.0);
  var a70 = vec4<f32>(0.0); var a71 = vec4<f32>(0.0);
  if (SLIDE) {
    for (var c = 0u; c < CG; c++) {
      for (var ky = 0; ky < K_H; ky++) {
        let y = r0.x + ky * D_H;
        let row = r0.z + i32(c) * IN_H * IN_W + ky * D_H * IN_W;
        // x<j>: the input under pixel j at the current kernel column.
        var x0 = slide_at(row, y, r0.y, 0);
        var x1 = slide_at(row, y, r0.y, 1);
        var x2 = slide_at(row, y, r0.y, 2);
        var x3 = slide_at(row, y, r0.y, 3);
        var x4 = slide_at(row, y, r0.y, 4);
        var x5 = slide_at(row, y, r0.y, 5);
        var x6 = slide_at(row, y, r0.y, 6);
        for (var kx = 0; kx < K_W; kx++) {
          let wt = c * u32(K_H * K_W) + u32(ky * K_W + kx);
          let w0 = w_quad(wb0, wt);
          let x7 = slide_at(row, y, r0.y, 7 + kx);
          a00 = fma(vec4<f32>(x0), w0, a00);
          a10 = fma(vec4<f32>(x1), w0, a10);
          a20 = fma(vec4<f32>(x2), w0, a20);
          a30 = fma(vec4<f32>(x3), w0, a30);
          a40 = fma(vec4<f32>(x4), w0, a40);
          a50 = fma(vec4<f32>(x5), w0, a50);
          a60 = fma(vec4<f32>(x6), w0, a60);
          a70 = fma(vec4<f32>(x7), w0, a70);
          if (FQ > 1u) {
            let w1 = w_quad(wb1, wt);
            a01 = fma(vec4<f32>(x0), w1, a01);
            a11 = fma(vec4<f32>(x1), w1, a11);
            a21 = fma(vec4<f32>(x2), w1, a21);
            a31 = fma(vec4<f32>(x3), w1, a31);
            a41 = fma(vec4<f32>(x4), w1, a41);
            a51 = fma(vec4<f32>(x5), w1, a51);
            a61 = fma(vec4<f32>(x6), w1, a61);
            a71 = fma(vec4<f32>(x7), w1, a71);
          }
          x0 = x1;
          x1 = x2;
          x2 = x3;
          x3 = x4;
          x4 = x5;
          x5 = x6;
          x6 = x7;
        }
      }
    }
  }
  for (var c = 0u; c < select(CG, 0u, SLIDE); c++) {
    for (var ky = 0; ky < K_H; ky++) {
      for (var kx = 0; kx < K_W; kx++) {
        // The tap's offsets from a filter's first tap and from a window's origin in X.
        let k = u32(ky * K_W + kx);
        var wt = c * u32(K_H * K_W) + k;
        var xt = i32(c) * IN_H * IN_W + ky * D_H * IN_W + kx * D_W;
        if (NHWC) {
          wt = k * CG + c;
          xt = (ky * D_H * IN_W + kx * D_W) * i32(IN_C) + i32(c);
        }
        let w0 = w_quad(wb0, wt);
        var w1 = vec4<f32>(0.0);
        if (FQ > 1u) {
          w1 = w_quad(wb1, wt);
        }
        let v0 = vec4<f32>(x_at(r0, xt, ky, kx));
        a00 = fma(v0, w0, a00);
        if (FQ > 1u) {
          a01 = fma(v0, w1, a01);
        }
        if (PX > 1u) {
          let v1 = vec4<f32>(x_at(r1, xt, ky, kx));
          a10 = fma(v1, w0, a10);
          if (FQ > 1u) {
            a11 = fma(v1, w1, a11);
          }
        }
        if (PX > 2u) {
          let v2 = vec4<f32>(x_at(r2, xt, ky, kx));
          let v3 = vec4<f32>(x_at(r3, xt, ky, kx));
          a20 = fma(v2, w0, a20);
          a30 = fma(v3, w0, a30);
          if (FQ > 1u) {
            a21 = fma(v2, w1, a21);
            a31 = fma(v3, w1, a31);
          }
        }
        if (PX > 4u) {
          let v4 = vec4<f32>(x_at(r4, xt, ky, kx));
          let v5 = vec4<f32>(x_at(r5, xt, ky, kx));
          let v6 = vec4<f32>(x_at(r6, xt, ky, kx));
          let v7 = vec4<f32>(x_at(r7, xt, ky, kx));
          a40 = fma(v4, w0, a40);
          a50 = fma(v5, w0, a50);
          a60 = fma(v6, w0, a60);
          a70 = fma(v7, w0, a70);
          if (FQ > 1u) {
            a41 = fma(v4, w1, a41);
            a51 = fma(v5, w1, a51);
            a61 = fma(v6, w1, a61);
            a71 = fma(v7, w1, a71);
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
  if (PX > 4u) {
    store_quad(n, g, f0, o4, a40);
    store_quad(n, g, f0, o5, a50);
    store_quad(n, g, f0, o6, a60);
    store_quad(n, g, f0, o7, a70);
    if (FQ > 1u) {
      store_quad(n, g, f0 + 4u, o4, a41);
      store_quad(n, g, f0 + 4u, o5, a51);
      store_quad(n, g, f0 + 4u, o6, a61);
      store_quad(n, g, f0 + 4u, o7, a71);
    }
  }
}
