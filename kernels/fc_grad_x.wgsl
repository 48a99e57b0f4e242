// FCGradient's dX = dY·W, with dY [M,N] and W [N,K] row-major; dX is [M,K] (X's dims flattened).
//
// Same tiling as fc.wgsl (64x64 output tile per workgroup, 4x4 per thread, depth steps of 16,
// here over N). dY is contiguous along the depth and staged like X in fc.wgsl; W is contiguous
// along the output columns, so its staging threads each read four neighbouring columns of one row.

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
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read_write> dX: array<f32>;

const TILE: u32 = 64u;
const DEPTH: u32 = 16u;
// Padded row stride (in vec4s) of the staged tiles; see fc.wgsl.
const STRIDE: u32 = 17u;

// tile_dy[d * STRIDE + q] = rows 4q..4q+3 of the dY tile at depth d;
// tile_w[d * STRIDE + q] = columns 4q..4q+3 of the W tile at depth d.
var<workgroup> tile_dy: array<vec4<f32>, 272>;
var<workgroup> tile_w: array<vec4<f32>, 272>;

fn dy_at(m: u32, n: u32) -> f32 {
  if (m < params.M && n < params.N) {
    return dY[m * params.N + n];
  }
  return 0.0;
}

fn w_at(n: u32, k: u32) -> f32 {
  if (n < params.N && k < params.K) {
    return W[n * params.K + k];
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
  // Staging roles: for dY, 16 neighbouring threads read 16 consecutive depths of one row; for W,
  // 16 neighbouring threads read 64 consecutive columns of one depth.
  let sd = lid % 16u;
  let sq = lid / 16u;

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var n0 = 0u; n0 < params.N; n0 += DEPTH) {
    let m = row0 + 4u * sq;
    let n = n0 + sd;
    tile_dy[sd * STRIDE + sq] = vec4<f32>(dy_at(m, n), dy_at(m + 1u, n), dy_at(m + 2u, n), dy_at(m + 3u, n));
    // For W the roles swap: sq is the depth and sd the quad of columns.
    let wn = n0 + sq;
    let k = col0 + 4u * sd;
    tile_w[sq * STRIDE + sd] = vec4<f32>(w_at(wn, k), w_at(wn, k + 1u), w_at(wn, k + 2u), w_at(wn, k + 3u));
    workgroupBarrier();
    for (var d = 0u; d < DEPTH; d++) {
      let a = tile_dy[d * STRIDE + ty];
      let bw = tile_w[d * STRIDE + tx];
      acc0 = fma(vec4<f32>(a.x), bw, acc0);
      acc1 = fma(vec4<f32>(a.y), bw, acc1);
      acc2 = fma(vec4<f32>(a.z), bw, acc2);
      acc3 = fma(vec4<f32>(a.w), bw, acc3);
    }
    workgroupBarrier();
  }

  let k0 = col0 + 4u * tx;
  let m0 = row0 + 4u * ty;
  store_row(m0, k0, acc0);
  store_row(m0 + 1u, k0, acc1);
  store_row(m0 + 2u, k0, acc2);
  store_row(m0 + 3u, k0, acc3);
}

// Writes dX[m, k0..k0+3] = v, skipping what lies outside dX.
fn store_row(m: u32, k0: u32, v: vec4<f32>) {
  if (m >= params.M) {
    return;
  }
  for (var j = 0u; j < 4u; j++) {
    let k = k0 + j;
    if (k < params.K) {
      dX[m * params.K + k] = v[j];
    }
  }
}
