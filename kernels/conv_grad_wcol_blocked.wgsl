// ConvGradient's dW from dY and the column buffer of conv_grad_im2col.wgsl with no workgroup
// memory: each thread keeps a block of 4 filters x 4 taps in registers and walks one part of the
// output pixels four at a time, reading a vec4 of dY per filter (four pixels of one image) and of
// col per tap, 64 multiply-adds per 8 loads. On a software adapter this runs well ahead of the
// staged GEMM tiles (conv_grad_wcol_big*.wgsl, which other layouts use). ConvGradient picks it for
// NCHW with oh * ow % 4 == 0, so every quad is aligned and inside one image.
//
// Part q sums pixels [q * part_pixels, ..) (a multiple of 4) and writes its partial filters at
// dW[(q * M + f) * taps + t] (with one part, dW itself; with more, a scratch that
// conv_grad_w_sum.wgsl adds). Blocks past the last filter or tap of a group read its last row
// again and store nothing.
#include "conv_geom.wgsl"
#include "indexing.wgsl"

struct Params {
  total: u32,
  part_pixels: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> dY: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> col: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> dW: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 64u);
  if (i >= params.total) {
    return;
  }
  let taps = u32(geom.cg * geom.kh * geom.kw);
  let mg = u32(geom.mg);
  let plane = u32(geom.oh * geom.ow);
  let pixels = u32(geom.n) * plane;
  // Thread i: part q, group g, filters 4 * fq.. and taps 4 * tq.. of the group (taps vary fastest).
  let tqs = (taps + 3u) / 4u;
  let fqs = (mg + 3u) / 4u;
  let per_part = u32(geom.c / geom.cg) * fqs * tqs;
  let q = i / per_part;
  let r = i - q * per_part;
  let gf = r / tqs;
  let t0 = (r - gf * tqs) * 4u;
  let g = gf / fqs;
  let m0 = (gf - g * fqs) * 4u;
  let f0 = g * mg + m0;
  // Rows past the group's last filter or tap repeat its last one (read, never stored).
  let f1 = g * mg + min(m0 + 1u, mg - 1u);
  let f2 = g * mg + min(m0 + 2u, mg - 1u);
  let f3 = g * mg + min(m0 + 3u, mg - 1u);
  let row = g * taps;
  let c0 = (row + t0) * pixels;
  let c1 = (row + min(t0 + 1u, taps - 1u)) * pixels;
  let c2 = (row + min(t0 + 2u, taps - 1u)) * pixels;
  let c3 = (row + min(t0 + 3u, taps - 1u)) * pixels;
  let first = q * params.part_pixels;
  let last = min(pixels, first + params.part_pixels);
  let m = u32(geom.m);
  var b = first / plane;
  var p = first - b * plane;
  var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0); var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
  for (var j = first; j < last; j += 4u) {
    let y = b * m * plane + p;
    let y0 = dY[(y + f0 * plane) / 4u];
    let y1 = dY[(y + f1 * plane) / 4u];
    let y2 = dY[(y + f2 * plane) / 4u];
    let y3 = dY[(y + f3 * plane) / 4u];
    let x0 = col[(c0 + j) / 4u];
    let x1 = col[(c1 + j) / 4u];
    let x2 = col[(c2 + j) / 4u];
    let x3 = col[(c3 + j) / 4u];
    a0 += vec4<f32>(dot(y0, x0), dot(y0, x1), dot(y0, x2), dot(y0, x3));
    a1 += vec4<f32>(dot(y1, x0), dot(y1, x1), dot(y1, x2), dot(y1, x3));
    a2 += vec4<f32>(dot(y2, x0), dot(y2, x1), dot(y2, x2), dot(y2, x3));
    a3 += vec4<f32>(dot(y3, x0), dot(y3, x1), dot(y3, x2), dot(y3, x3));
    p += 4u;
    if (p == plane) {
      p = 0u;
      b++;
    }
  }
  let out = q * m * taps;
  store_row(out + f0 * taps, t0, taps, a0);
  if (m0 + 1u < mg) {
    store_row(out + (f0 + 1u) * taps, t0, taps, a1);
  }
  if (m0 + 2u < mg) {
    store_row(out + (f0 + 2u) * taps, t0, taps, a2);
  }
  if (m0 + 3u < mg) {
    store_row(out + (f0 + 3u) * taps, t0, taps, a3);
  }
}

// Stores taps t0..t0+3 of one filter's row (starting at dW[at]), those below `taps`.
fn store_row(at: u32, t0: u32, taps: u32, v: vec4<f32>) {
  for (var k = 0u; k < 4u; k++) {
    if (t0 + k < taps) {
      dW[at + t0 + k] = v[k];
    }
  }
}
