// ConvGradient's column gradient dCol = W^T x dY (layout in shaders/conv_grad_dcol_io.wgsl) with
// no workgroup memory: each thread keeps a block of 4 taps x 8 output pixels in registers and walks
// its group's filters, reading one vec4 of W (four taps of a filter) and two of dY (four pixels of
// one image and channel each) per 32 multiply-adds. On a software adapter, where workgroup memory
// is ordinary memory and a barrier switches every thread of the group, this runs well ahead of the
// staged GEMM tiles (conv_grad_dcol*.wgsl, which other layouts use). ConvGradient picks it for NCHW
// with taps % 4 == 0 and oh * ow % 4 == 0, so every quad is aligned and inside one image.
#include "conv_geom.wgsl"
#include "indexing.wgsl"

struct Params {
  total: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> W: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> dY: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> dCol: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 64u);
  if (i >= params.total) {
    return;
  }
  // Thread i: group g, taps 4 * t4.., pixels j0.. (8 of them, the last block maybe 4).
  let taps = u32(geom.cg * geom.kh * geom.kw);
  let pixels = u32(geom.n * geom.oh * geom.ow);
  let plane = u32(geom.oh * geom.ow);
  let jq = (pixels + 7u) / 8u;
  let tq = taps / 4u;
  let per_group = tq * jq;
  let g = i / per_group;
  let r = i - g * per_group;
  let t4 = r / jq;
  let j0 = (r - t4 * jq) * 8u;
  let j1 = j0 + 4u;
  let b0 = j0 / plane;
  let b1 = j1 / plane;
  let has1 = j1 < pixels;
  let mg = u32(geom.mg);
  let m = u32(geom.m);
  let f0 = g * mg;
  var y0 = (b0 * m + f0) * plane + j0 - b0 * plane;
  var y1 = select(y0, (b1 * m + f0) * plane + j1 - b1 * plane, has1);
  var w = f0 * taps + t4 * 4u;
  var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0); var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
  var c0 = vec4<f32>(0.0); var c1 = vec4<f32>(0.0); var c2 = vec4<f32>(0.0); var c3 = vec4<f32>(0.0);
  for (var d = 0u; d < mg; d++) {
    let wv = W[w / 4u];
    let p = dY[y0 / 4u];
    let q = dY[y1 / 4u];
    a0 = fma(vec4<f32>(wv.x), p, a0); c0 = fma(vec4<f32>(wv.x), q, c0);
    a1 = fma(vec4<f32>(wv.y), p, a1); c1 = fma(vec4<f32>(wv.y), q, c1);
    a2 = fma(vec4<f32>(wv.z), p, a2); c2 = fma(vec4<f32>(wv.z), q, c2);
    a3 = fma(vec4<f32>(wv.w), p, a3); c3 = fma(vec4<f32>(wv.w), q, c3);
    w += taps;
    y0 += plane;
    y1 += plane;
  }
  let row = (g * taps + t4 * 4u) * pixels;
  dCol[(row + j0) / 4u] = a0;
  dCol[(row + pixels + j0) / 4u] = a1;
  dCol[(row + 2u * pixels + j0) / 4u] = a2;
  dCol[(row + 3u * pixels + j0) / 4u] = a3;
  if (has1) {
    dCol[(row + j1) / 4u] = c0;
    dCol[(row + pixels + j1) / 4u] = c1;
    dCol[(row + 2u * pixels + j1) / 4u] = c2;
    dCol[(row + 3u * pixels + j1) / 4u] = c3;
  }
}
