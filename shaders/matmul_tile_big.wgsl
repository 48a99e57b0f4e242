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
// Params and the split of the depth are matmul_tile.wgsl's (split_depth a multiple of 4 where the
// quads are vec4 loads, which need aligned depths; shaders/scalar_quads.wgsl takes any).
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
// Elements of one operand per step: 8 depths x 128 rows (or columns).
const STEP: u32 = 1024u;

// Two halves of STEP: tile_a[h * STEP + d * 128 + r] = A at row r of the tile, depth d of the step
// staged in half h; tile_b likewise for B. 16 KiB in all, WebGPU's guaranteed limit. Scalars, not
// vec4s: a depth-contiguous quad lands in four different vec4s, and storing one component at a
// runtime index is slow on software adapters.
var<workgroup> tile_a: array<f32, 2048>;
var<workgroup> tile_b: array<f32, 2048>;

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

// Stores a quad read at quad_origin o into half h of a staged tile: along the depth or the rows.
fn stage_a(h: u32, o: vec2u, q: vec4<f32>) {
  let at = h * STEP + o.y * TILE + o.x;
  let step = select(1u, TILE, A_DEPTH_CONTIGUOUS);
  tile_a[at] = q.x;
  tile_a[at + step] = q.y;
  tile_a[at + 2u * step] = q.z;
  tile_a[at + 3u * step] = q.w;
}

fn stage_b(h: u32, o: vec2u, q: vec4<f32>) {
  let at = h * STEP + o.y * TILE + o.x;
  let step = select(1u, TILE, B_DEPTH_CONTIGUOUS);
  tile_b[at] = q.x;
  tile_b[at + step] = q.y;
  tile_b[at + 2u * step] = q.z;
  tile_b[at + 3u * step] = q.w;
}

fn staged_a(at: u32) -> vec4<f32> {
  return vec4<f32>(tile_a[at], tile_a[at + 1u], tile_a[at + 2u], tile_a[at + 3u]);
}

fn staged_b(at: u32) -> vec4<f32> {
  return vec4<f32>(tile_b[at], tile_b[at + 1u], tile_b[at + 2u], tile_b[at + 3u]);
}

// Stores row i of C at columns j0..j0+3 (checked unless the whole tile is inside C).
fn store_quad(split: u32, i: u32, j0: u32, v: vec4<f32>, inside: bool) {
  if (inside) {
    store_out(split, i, j0, v.x);
    store_out(split, i, j0 + 1u, v.y);
    store_out(split, i, j0 + 2u, v.z);
    store_out(split, i, j0 + 3u, v.w);
    return;
  }
  if (i >= params.rows) {
    return;
  }
  for (var c = 0u; c < 4u; c++) {
    if (j0 + c < params.cols) {
      store_out(split, i, j0 + c, v[c]);
    }
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

  // c<p><q>_<r>: row 4ty + r of row half p, the four columns 4tx.. of column half q.
  var c00_0 = vec4<f32>(0.0); var c00_1 = vec4<f32>(0.0); var c00_2 = vec4<f32>(0.0); var c00_3 = vec4<f32>(0.0);
  var c01_0 = vec4<f32>(0.0); var c01_1 = vec4<f32>(0.0); var c01_2 = vec4<f32>(0.0); var c01_3 = vec4<f32>(0.0);
  var c10_0 = vec4<f32>(0.0); var c10_1 = vec4<f32>(0.0); var c10_2 = vec4<f32>(0.0); var c10_3 = vec4<f32>(0.0);
  var c11_0 = vec4<f32>(0.0); var c11_1 = vec4<f32>(0.0); var c11_2 = vec4<f32>(0.0); var c11_3 = vec4<f32>(0.0);
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
      let base = h * STEP + d * TILE;
      let a0 = staged_a(base + 4u * ty);
      let a1 = staged_a(base + 64u + 4u * ty);
      let b0 = staged_b(base + 4u * tx);
      let b1 = staged_b(base + 64u + 4u * tx);
      c00_0 = fma(vec4<f32>(a0.x), b0, c00_0); c01_0 = fma(vec4<f32>(a0.x), b1, c01_0);
      c00_1 = fma(vec4<f32>(a0.y), b0, c00_1); c01_1 = fma(vec4<f32>(a0.y), b1, c01_1);
      c00_2 = fma(vec4<f32>(a0.z), b0, c00_2); c01_2 = fma(vec4<f32>(a0.z), b1, c01_2);
      c00_3 = fma(vec4<f32>(a0.w), b0, c00_3); c01_3 = fma(vec4<f32>(a0.w), b1, c01_3);
      c10_0 = fma(vec4<f32>(a1.x), b0, c10_0); c11_0 = fma(vec4<f32>(a1.x), b1, c11_0);
      c10_1 = fma(vec4<f32>(a1.y), b0, c10_1); c11_1 = fma(vec4<f32>(a1.y), b1, c11_1);
      c10_2 = fma(vec4<f32>(a1.z), b0, c10_2); c11_2 = fma(vec4<f32>(a1.z), b1, c11_2);
      c10_3 = fma(vec4<f32>(a1.w), b0, c10_3); c11_3 = fma(vec4<f32>(a1.w), b1, c11_3);
    }
    if (more) {
      stage_a(1u - h, oa, qa);
      stage_b(1u - h, ob, qb);
    }
    workgroupBarrier();
  }

  let inside = rows_inside && cols_inside;
  let i0 = row0 + 4u * ty;
  let i1 = i0 + 64u;
  let j0 = col0 + 4u * tx;
  let j1 = j0 + 64u;
  store_quad(split, i0, j0, c00_0, inside); store_quad(split, i0, j1, c01_0, inside);
  store_quad(split, i0 + 1u, j0, c00_1, inside); store_quad(split, i0 + 1u, j1, c01_1, inside);
  store_quad(split, i0 + 2u, j0, c00_2, inside); store_quad(split, i0 + 2u, j1, c01_2, inside);
  store_quad(split, i0 + 3u, j0, c00_3, inside); store_quad(split, i0 + 3u, j1, c01_3, inside);
  store_quad(split, i1, j0, c10_0, inside); store_quad(split, i1, j1, c11_0, inside);
  store_quad(split, i1 + 1u, j0, c10_1, inside); store_quad(split, i1 + 1u, j1, c11_1, inside);
  store_quad(split, i1 + 2u, j0, c10_2, inside); store_quad(split, i1 + 2u, j1, c11_2, inside);
  store_quad(split, i1 + 3u, j0, c10_3, inside); store_quad(split, i1 + 3u, j1, c11_3, inside);
}
