// The tiled matrix product behind the FC kernels: C[rows, cols] = sum over d of A(i, d) * B(j, d),
// one 64x64 tile of C per workgroup. The kernels that include this file differ only in how they
// read A and B and write C, which they supply as functions:
//
//   fn a_at(i: u32, d: u32) -> f32   A at row i of C and depth d; called only for i < rows, d < depth
//   fn b_at(j: u32, d: u32) -> f32   B at column j of C and depth d; likewise for j < cols
//   const A_DEPTH_CONTIGUOUS: bool   whether a_at(i, d) and a_at(i, d + 1) are neighbours in memory
//   const B_DEPTH_CONTIGUOUS: bool   the same for b_at
//   fn store_out(split: u32, i: u32, j: u32, v: f32)   writes C[i, j] of one split (i < rows, j < cols)
//
// This file owns the uniform (binding 0); the kernel's storage buffers take bindings 1 on.
//
// Each of the 256 threads owns a 4x4 block of the tile. The depth is walked in steps of 16: both
// operand tiles are staged in workgroup memory as vec4s of four rows (or columns) at one depth, so
// the inner loop does two vec4 loads per 16 FMAs. Staging is bounds-checked (zeros outside), so
// any rows, cols and depth work, depth = 0 included (C = 0).
//
// Staging keeps neighbouring threads on neighbouring addresses whatever the operand's layout: for
// an operand contiguous along the depth, 16 neighbouring threads read 16 consecutive depths of one
// row; otherwise they read 16 consecutive quads (64 elements) of one depth. The layout flags are
// constants, so picking the role costs nothing at run time, where a runtime transpose flag would
// branch in every staging step.
//
// The depth may be split: workgroup g computes tile g % out_tiles over the depths
// [s * split_depth, (s + 1) * split_depth) with s = g / out_tiles, and passes s to store_out, so a
// kernel can write per-split partial products that a later pass sums (FCGradient's dW for long M:
// a few output tiles would otherwise each walk all of M in one workgroup).

#include "matmul_params.wgsl"

const TILE: u32 = 64u;
const DEPTH: u32 = 16u;
// Row stride of the staged tiles in vec4s: one vec4 of padding spreads the depth-contiguous
// staging stores (16 depths apart within a warp) over different banks.
const STRIDE: u32 = 17u;

// tile_a[d * STRIDE + q] = A at rows 4q..4q+3 of the tile and depth d of the step; tile_b likewise
// for B at columns 4q..4q+3.
var<workgroup> tile_a: array<vec4<f32>, 272>;
var<workgroup> tile_b: array<vec4<f32>, 272>;

// A thread's staging slot for an operand: x = depth within the step, y = quad of rows or columns.
fn staging_slot(lid: u32, depth_contiguous: bool) -> vec2u {
  return select(vec2u(lid / 16u, lid % 16u), vec2u(lid % 16u, lid / 16u), depth_contiguous);
}

fn a_or_zero(i: u32, d: u32) -> f32 {
  if (i < params.rows) {
    return a_at(i, d);
  }
  return 0.0;
}

fn b_or_zero(j: u32, d: u32) -> f32 {
  if (j < params.cols) {
    return b_at(j, d);
  }
  return 0.0;
}

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let group = wid.x + wid.y * nwg.x;
  if (group >= params.tiles) {
    return;
  }
  let split = group / params.out_tiles;
  let tile = group % params.out_tiles;
  let row0 = (tile / params.col_tiles) * TILE;
  let col0 = (tile % params.col_tiles) * TILE;
  let d_begin = split * params.split_depth;
  let d_end = min(params.depth, d_begin + params.split_depth);
  // Output block of this thread: rows row0 + 4ty.., columns col0 + 4tx..
  let tx = lid % 16u;
  let ty = lid / 16u;
  let sa = staging_slot(lid, A_DEPTH_CONTIGUOUS);
  let sb = staging_slot(lid, B_DEPTH_CONTIGUOUS);

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var d0 = d_begin; d0 < d_end; d0 += DEPTH) {
    var qa = vec4<f32>(0.0);
    let a_depth = d0 + sa.x;
    if (a_depth < d_end) {
      let i = row0 + 4u * sa.y;
      qa = vec4<f32>(a_or_zero(i, a_depth), a_or_zero(i + 1u, a_depth), a_or_zero(i + 2u, a_depth), a_or_zero(i + 3u, a_depth));
    }
    tile_a[sa.x * STRIDE + sa.y] = qa;
    var qb = vec4<f32>(0.0);
    let b_depth = d0 + sb.x;
    if (b_depth < d_end) {
      let j = col0 + 4u * sb.y;
      qb = vec4<f32>(b_or_zero(j, b_depth), b_or_zero(j + 1u, b_depth), b_or_zero(j + 2u, b_depth), b_or_zero(j + 3u, b_depth));
    }
    tile_b[sb.x * STRIDE + sb.y] = qb;
    workgroupBarrier();
    for (var d = 0u; d < DEPTH; d++) {
      let av = tile_a[d * STRIDE + ty];
      let bv = tile_b[d * STRIDE + tx];
      acc0 = fma(vec4<f32>(av.x), bv, acc0);
      acc1 = fma(vec4<f32>(av.y), bv, acc1);
      acc2 = fma(vec4<f32>(av.z), bv, acc2);
      acc3 = fma(vec4<f32>(av.w), bv, acc3);
    }
    workgroupBarrier();
  }

  let i0 = row0 + 4u * ty;
  let j0 = col0 + 4u * tx;
  store_quad(split, i0, j0, acc0);
  store_quad(split, i0 + 1u, j0, acc1);
  store_quad(split, i0 + 2u, j0, acc2);
  store_quad(split, i0 + 3u, j0, acc3);
}

// Stores C[i, j0..j0+3] = v through the kernel's store_out, skipping what lies outside C.
fn store_quad(split: u32, i: u32, j0: u32, v: vec4<f32>) {
  if (i >= params.rows) {
    return;
  }
  for (var j = 0u; j < 4u; j++) {
    if (j0 + j < params.cols) {
      store_out(split, i, j0 + j, v[j]);
    }
  }
}
