// The register-blocked matrix product: C[rows, cols] = sum over d of A(i, d) * B(j, d), each
// thread owning an 8x8 block of C in registers and reading its 8 + 8 operands at every depth
// straight from storage: no workgroup memory, no barrier. On SwiftShader every storage or
// workgroup read with a computed index is a gather lane by lane, so a shared-memory tile saves no
// reads there and pays its barriers (tens of µs each) and its idle lanes where rows or depth are
// short of the tile: for FC at batch 64 this ran ~2x faster than the 128x128 tile (src/ops/fc.ts
// picks it). The including kernel supplies a_at, b_at and store_out as for matmul_tile.wgsl; the
// uniform is matmul_params.wgsl's with 8x8 "tiles", one per thread, and the depth split likewise.
// Rows and columns past C's edge repeat its last (read, never stored).

#include "matmul_params.wgsl"
#include "indexing.wgsl"

const BLOCK: u32 = 8u;

// Stores row i of C at columns j0..j0+3, those inside C.
fn store_quad(split: u32, i: u32, j0: u32, v: vec4<f32>) {
  if (i >= params.rows) {
    return;
  }
  for (var c = 0u; c < 4u; c++) {
    if (j0 + c < params.cols) {
      store_out(split, i, j0 + c, v[c]);
    }
  }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = flat_index(gid, nwg, 64u);
  if (t >= params.tiles) {
    return;
  }
  let split = t / params.out_tiles;
  let blk = t % params.out_tiles;
  let i0 = (blk / params.col_tiles) * BLOCK;
  let j0 = (blk % params.col_tiles) * BLOCK;
  let d_begin = split * params.split_depth;
  let d_end = min(params.depth, d_begin + params.split_depth);
  let last_i = params.rows - 1u;
  let last_j = params.cols - 1u;
  let i = min(vec4u(i0, i0 + 1u, i0 + 2u, i0 + 3u), vec4u(last_i));
  let k = min(vec4u(i0 + 4u, i0 + 5u, i0 + 6u, i0 + 7u), vec4u(last_i));
  let j = min(vec4u(j0, j0 + 1u, j0 + 2u, j0 + 3u), vec4u(last_j));
  let l = min(vec4u(j0 + 4u, j0 + 5u, j0 + 6u, j0 + 7u), vec4u(last_j));
  // c<r>_<q>: row i0 + r, columns j0 + 4q...
  var c0_0 = vec4<f32>(0.0); var c0_1 = vec4<f32>(0.0);
  var c1_0 = vec4<f32>(0.0); var c1_1 = vec4<f32>(0.0);
  var c2_0 = vec4<f32>(0.0); var c2_1 = vec4<f32>(0.0);
  var c3_0 = vec4<f32>(0.0); var c3_1 = vec4<f32>(0.0);
  var c4_0 = vec4<f32>(0.0); var c4_1 = vec4<f32>(0.0);
  var c5_0 = vec4<f32>(0.0); var c5_1 = vec4<f32>(0.0);
  var c6_0 = vec4<f32>(0.0); var c6_1 = vec4<f32>(0.0);
  var c7_0 = vec4<f32>(0.0); var c7_1 = vec4<f32>(0.0);
  for (var d = d_begin; d < d_end; d++) {
    let b0 = vec4<f32>(b_at(j.x, d), b_at(j.y, d), b_at(j.z, d), b_at(j.w, d));
    let b1 = vec4<f32>(b_at(l.x, d), b_at(l.y, d), b_at(l.z, d), b_at(l.w, d));
    let a0 = vec4<f32>(a_at(i.x, d));
    let a1 = vec4<f32>(a_at(i.y, d));
    let a2 = vec4<f32>(a_at(i.z, d));
    let a3 = vec4<f32>(a_at(i.w, d));
    let a4 = vec4<f32>(a_at(k.x, d));
    let a5 = vec4<f32>(a_at(k.y, d));
    let a6 = vec4<f32>(a_at(k.z, d));
    let a7 = vec4<f32>(a_at(k.w, d));
    c0_0 = fma(a0, b0, c0_0); c0_1 = fma(a0, b1, c0_1);
    c1_0 = fma(a1, b0, c1_0); c1_1 = fma(a1, b1, c1_1);
    c2_0 = fma(a2, b0, c2_0); c2_1 = fma(a2, b1, c2_1);
    c3_0 = fma(a3, b0, c3_0); c3_1 = fma(a3, b1, c3_1);
    c4_0 = fma(a4, b0, c4_0); c4_1 = fma(a4, b1, c4_1);
    c5_0 = fma(a5, b0, c5_0); c5_1 = fma(a5, b1, c5_1);
    c6_0 = fma(a6, b0, c6_0); c6_1 = fma(a6, b1, c6_1);
    c7_0 = fma(a7, b0, c7_0); c7_1 = fma(a7, b1, c7_1);
  }
  store_quad(split, i0, j0, c0_0); store_quad(split, i0, j0 + 4u, c0_1);
  store_quad(split, i0 + 1u, j0, c1_0); store_quad(split, i0 + 1u, j0 + 4u, c1_1);
  store_quad(split, i0 + 2u, j0, c2_0); store_quad(split, i0 + 2u, j0 + 4u, c2_1);
  store_quad(split, i0 + 3u, j0, c3_0); store_quad(split, i0 + 3u, j0 + 4u, c3_1);
  store_quad(split, i0 + 4u, j0, c4_0); store_quad(split, i0 + 4u, j0 + 4u, c4_1);
  store_quad(split, i0 + 5u, j0, c5_0); store_quad(split, i0 + 5u, j0 + 4u, c5_1);
  store_quad(split, i0 + 6u, j0, c6_0); store_quad(split, i0 + 6u, j0 + 4u, c6_1);
  store_quad(split, i0 + 7u, j0, c7_0); store_quad(split, i0 + 7u, j0 + 4u, c7_1);
}
