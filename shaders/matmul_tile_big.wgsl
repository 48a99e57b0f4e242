// The big-shape tiled matrix product: C[rows, cols] = sum over d of A(i, d) * B(j, d), one 128x128
// tile of C per workgroup of 256 threads, each owning an 8x8 block of registers. Kernels pick it
// over shaders/matmul_tile.wgsl (64x64, 4x4) for large products, where the 4x more FMAs per
// staged element pay for the longer prologue and the higher register count. The including kernel
// supplies:
//
//   fn a_at(i: u32, d: u32) -> f32    A at row i of C and depth d (i < rows, d < depth)
//   fn b_at(j: u32, d: u32) -> f32    B at column j of C and depth d (j < cols, d < depth)
//   fn a_quad(i: u32, d: u32) -> vec4<f32>   four neighbours of A in memory, all in bounds:
//       A(i, d..d+3) when A_DEPTH_CONTIGUOUS, else A(i..i+3, d); i and d are multiples of 4 on the
//       contiguous side, so a kernel whose contiguous extent is a multiple of 4 can read one vec4
//   fn b_quad(j: u32, d: u32) -> vec4<f32>   the same for B
//   A_DEPTH_CONTIGUOUS, B_DEPTH_CONTIGUOUS: bool   as in matmul_tile.wgsl
//   fn store_out(split: u32, i: u32, j: u32, v: f32)   writes C[i, j] (i < rows, j < cols)
//
// Params and the split of the depth are matmul_tile.wgsl's (split_depth a multiple of 8).
//
// The depth is walked in steps of 8. Each step every thread reads one quad of A and one of B from
// global memory: a quad along the depth (row lid / 2, depths 4 * (lid % 2)..) for an operand
// contiguous along the depth, else a quad of rows (depth lid / 32, rows 4 * (lid % 32)..), so
// neighbouring threads read neighbouring addresses either way. The quads for step s + 1 are read
// into registers before step s multiplies out of workgroup memory, and stored to the other half of
// a double buffer after it: one barrier per step, and the global latency hides behind 512 FMAs.
//
// Whole tiles and whole steps (interior tiles) read through a_quad / b_quad and store unchecked;
// only the edge tiles and the last partial step check bounds element by element (zeros outside),
// so any rows, cols and depth work, depth = 0 included (C = 0).

#include "matmul_params.wgsl"

const TILE: u32 = 128u;
const DEPTH: u32 = 8u;
// vec4 quads of one operand per step: 8 depths x 32 quads of rows (or columns).
const QUADS: u32 = 256u;

// Two halves of QUADS: tile_a[h * QUADS + d * 32 + q] = A at rows 4q..4q+3 of the tile, depth d of
// the step staged in half h; tile_b likewise for B. 16 KiB in all, WebGPU's guaranteed limit.
var<workgroup> tile_a: array<vec4<f32>, 512>;
var<workgroup> tile_b: array<vec4<f32>, 512>;

// The (row or column offset in the tile, depth offset in the step) of thread lid's quad.
fn quad_origin(lid: u32, depth_contiguous: bool) -> vec2u {
  return select(vec2u(4u * (lid % 32u), lid / 32u), vec2u(lid / 2u, 4u * (lid % 2u)), depth_contiguous);
}

// A's quad at tile row r0 and step depth d0 (quad_origin), zeros outside A.
fn load_a(r: u32, d: u32, interior: bool, d_end: u32) -> vec4<f32> {
  if (interior) {
    return a_quad(r, d);
  }
  var q = vec4<f32>(0.0);
  for (var c = 0u; c < 4u; c++) {
    let i = select(r + c, r, A_DEPTH_CONTIGUOUS);
    let k = select(d, d + c, A_DEPTH_CONTIGUOUS);
    if (i < params.rows && k < d_end) {
      q[c] = a_at(i, k);
    }
  }
  return q;
}

fn load_b(r: u32, d: u32, interior: bool, d_end: u32) -> vec4<f32> {
  if (interior) {
    return b_quad(r, d);
  }
  var q = vec4<f32>(0.0);
  for (var c = 0u; c < 4u; c++) {
    let j = select(r + c, r, B_DEPTH_CONTIGUOUS);
    let k = select(d, d + c, B_DEPTH_CONTIGUOUS);
    if (j < params.cols && k < d_end) {
      q[c] = b_at(j, k);
    }
  }
  return q;
}

// Stores a quad read at quad_origin o into half h of a staged tile, as rows (or columns) x depths.
fn stage_a(h: u32, o: vec2u, q: vec4<f32>) {
  if (A_DEPTH_CONTIGUOUS) {
    for (var c = 0u; c < 4u; c++) {
      tile_a[h * QUADS + (o.y + c) * 32u + o.x / 4u][o.x % 4u] = q[c];
    }
  } else {
    tile_a[h * QUADS + o.y * 32u + o.x / 4u] = q;
  }
}

fn stage_b(h: u32, o: vec2u, q: vec4<f32>) {
  if (B_DEPTH_CONTIGUOUS) {
    for (var c = 0u; c < 4u; c++) {
      tile_b[h * QUADS + (o.y + c) * 32u + o.x / 4u][o.x % 4u] = q[c];
    }
  } else {
    tile_b[h * QUADS + o.y * 32u + o.x / 4u] = q;
  }
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
  let rows_inside = row0 + TILE <= params.rows;
  let cols_inside = col0 + TILE <= params.cols;
  // This thread's 8x8 block: rows 4ty..4ty+3 and 64+4ty.. of the tile, columns likewise with tx
  // (two quads 64 apart, so that a warp's workgroup reads are 16 consecutive vec4s).
  let tx = lid % 16u;
  let ty = lid / 16u;
  let oa = quad_origin(lid, A_DEPTH_CONTIGUOUS);
  let ob = quad_origin(lid, B_DEPTH_CONTIGUOUS);

  var acc: array<vec4<f32>, 16>;
  for (var r = 0u; r < 16u; r++) {
    acc[r] = vec4<f32>(0.0);
  }
  let steps = (max(d_end, d_begin) - d_begin + DEPTH - 1u) / DEPTH;
  if (steps > 0u) {
    let full = d_begin + DEPTH <= d_end;
    stage_a(0u, oa, load_a(row0 + oa.x, d_begin + oa.y, rows_inside && full, d_end));
    stage_b(0u, ob, load_b(col0 + ob.x, d_begin + ob.y, cols_inside && full, d_end));
  }
  workgroupBarrier();
  for (var s = 0u; s < steps; s++) {
    let h = s % 2u;
    // Prefetch the next step into registers before multiplying this one.
    let d_next = d_begin + (s + 1u) * DEPTH;
    let more = s + 1u < steps;
    var qa = vec4<f32>(0.0);
    var qb = vec4<f32>(0.0);
    if (more) {
      let full = d_next + DEPTH <= d_end;
      qa = load_a(row0 + oa.x, d_next + oa.y, rows_inside && full, d_end);
      qb = load_b(col0 + ob.x, d_next + ob.y, cols_inside && full, d_end);
    }
    for (var d = 0u; d < DEPTH; d++) {
      let base = h * QUADS + d * 32u;
      let a0 = tile_a[base + ty];
      let a1 = tile_a[base + 16u + ty];
      let b0 = tile_b[base + tx];
      let b1 = tile_b[base + 16u + tx];
      for (var r = 0u; r < 4u; r++) {
        acc[r] = fma(vec4<f32>(a0[r]), b0, acc[r]);
        acc[4u + r] = fma(vec4<f32>(a0[r]), b1, acc[4u + r]);
        acc[8u + r] = fma(vec4<f32>(a1[r]), b0, acc[8u + r]);
        acc[12u + r] = fma(vec4<f32>(a1[r]), b1, acc[12u + r]);
      }
    }
    if (more) {
      stage_a(1u - h, oa, qa);
      stage_b(1u - h, ob, qb);
    }
    workgroupBarrier();
  }

  let inside = rows_inside && cols_inside;
  for (var r = 0u; r < 16u; r++) {
    // acc[r]: row half r / 8, row 4ty + r % 4 within it; column half (r / 4) % 2.
    let i = row0 + 64u * (r / 8u) + 4u * ty + r % 4u;
    let j0 = col0 + 64u * ((r / 4u) % 2u) + 4u * tx;
    for (var c = 0u; c < 4u; c++) {
      if (inside || (i < params.rows && j0 + c < params.cols)) {
        store_out(split, i, j0 + c, acc[r][c]);
      }
    }
  }
}
