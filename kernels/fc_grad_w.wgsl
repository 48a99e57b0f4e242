// FCGradient's dW = dY^T·X, with dY [M,N] and X [M,K] row-major; dW is [N,K] (W's dims flattened).
//
// Same tiling as fc.wgsl (64x64 output tile per workgroup, 4x4 per thread, depth steps of 16,
// here over M). Both operands are contiguous along the output axes, so each staging thread reads
// four neighbouring elements of one row of dY or X. M = 0 gives dW = 0.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  // Output tiles per row of tiles (ceil(K / 64)) and in all; the grid may hold a few extra groups.
  col_tiles: u32,
  tiles: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dY: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> dW: array<f32>;

const TILE: u32 = 64u;
const DEPTH: u32 = 16u;
// Padded row stride (in vec4s) of the staged tiles; see fc.wgsl.
const STRIDE: u32 = 17u;

// tile_dy[d * STRIDE + q] = dY[m0 + d, 4q..4q+3 of the tile's rows of dW];
// tile_x[d * STRIDE + q] = X[m0 + d, 4q..4q+3 of the tile's columns of dW].
var<workgroup> tile_dy: array<vec4<f32>, 272>;
var<workgroup> tile_x: array<vec4<f32>, 272>;

fn dy_at(m: u32, n: u32) -> f32 {
  if (m < params.M && n < params.N) {
    return dY[m * params.N + n];
  }
  return 0.0;
}

fn x_at(m: u32, k: u32) -> f32 {
  if (m < params.M && k < params.K) {
    return X[m * params.K + k];
  }
  return 0.0;
}

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let tile = wid.x + wid.y * nwg.x;
  if (tile >= params.tiles) {
    return;
  }
  let row0 = (tile / params.col_tiles) * TILE;
  let col0 = (tile % params.col_tiles) * TILE;
  let tx = lid % 16u;
  let ty = lid / 16u;
  // Staging role: 16 neighbouring threads read 64 consecutive elements of one row (depth).
  let sq = lid % 16u;
  let sd = lid / 16u;

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var m0 = 0u; m0 < params.M; m0 += DEPTH) {
    let m = m0 + sd;
    let n = row0 + 4u * sq;
    let k = col0 + 4u * sq;
    tile_dy[sd * STRIDE + sq] = vec4<f32>(dy_at(m, n), dy_at(m, n + 1u), dy_at(m, n + 2u), dy_at(m, n + 3u));
    tile_x[sd * STRIDE + sq] = vec4<f32>(x_at(m, k), x_at(m, k + 1u), x_at(m, k + 2u), x_at(m, k + 3u));
    workgroupBarrier();
    for (var d = 0u; d < DEPTH; d++) {
      let a = tile_dy[d * STRIDE + ty];
      let bx = tile_x[d * STRIDE + tx];
      acc0 = fma(vec4<f32>(a.x), bx, acc0);
      acc1 = fma(vec4<f32>(a.y), bx, acc1);
      acc2 = fma(vec4<f32>(a.z), bx, acc2);
      acc3 = fma(vec4<f32>(a.w), bx, acc3);
    }
    workgroupBarrier();
  }

  let k0 = col0 + 4u * tx;
  let n0 = row0 + 4u * ty;
  store_row(n0, k0, acc0);
  store_row(n0 + 1u, k0, acc1);
  store_row(n0 + 2u, k0, acc2);
  store_row(n0 + 3u, k0, acc3);
}

// Writes dW[n, k0..k0+3] = v, skipping what lies outside dW.
fn store_row(n: u32, k0: u32, v: vec4<f32>) {
  if (n >= params.N) {
    return;
  }
  for (var j = 0u; j < 4u; j++) {
    let k = k0 + j;
    if (k < params.K) {
      dW[n * params.K + k] = v[j];
    }
  }
}
