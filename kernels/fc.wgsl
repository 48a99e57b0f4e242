// Y = X·W^T + b, with X [M,K] and W [N,K] row-major (both operands contiguous along K).
//
// Each workgroup computes one 64x64 tile of Y; each of its 256 threads owns a 4x4 block. K is
// walked in steps of 16: both operand tiles are staged in workgroup memory as vec4s of four
// rows (or columns) at one depth, so the inner loop does two vec4 loads per 16 FMAs. Loads are
// bounds-checked (zeros outside), so any M, N, K works, K = 0 included (Y = b).
//
// The gradient matmuls (fc_grad_x.wgsl, fc_grad_w.wgsl) keep this tile shape but read their
// operands along other axes; each is its own kernel so that every staging load has neighbouring
// threads reading neighbouring addresses, which a transpose flag in one shared kernel would not
// give without per-layout branches in the hot loop.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  // Output tiles per row of tiles (ceil(N / 64)) and in all; the grid may hold a few extra groups.
  col_tiles: u32,
  tiles: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;

const TILE: u32 = 64u;
const DEPTH: u32 = 16u;
// Row stride of the staged tiles in vec4s: one vec4 of padding spreads the staging stores (16
// depths apart within a warp) over different banks.
const STRIDE: u32 = 17u;

// tile_x[d * STRIDE + q] = rows 4q..4q+3 of the X tile at depth d; tile_w likewise for W's rows.
var<workgroup> tile_x: array<vec4<f32>, 272>;
var<workgroup> tile_w: array<vec4<f32>, 272>;

fn x_at(m: u32, k: u32) -> f32 {
  if (m < params.M && k < params.K) {
    return X[m * params.K + k];
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
  // Output block of this thread: rows row0 + 4ty.., columns col0 + 4tx..
  let tx = lid % 16u;
  let ty = lid / 16u;
  // Staging role: 16 neighbouring threads read 16 consecutive k of one row.
  let sd = lid % 16u;
  let sq = lid / 16u;

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < params.K; k0 += DEPTH) {
    let k = k0 + sd;
    let m = row0 + 4u * sq;
    let n = col0 + 4u * sq;
    tile_x[sd * STRIDE + sq] = vec4<f32>(x_at(m, k), x_at(m + 1u, k), x_at(m + 2u, k), x_at(m + 3u, k));
    tile_w[sd * STRIDE + sq] = vec4<f32>(w_at(n, k), w_at(n + 1u, k), w_at(n + 2u, k), w_at(n + 3u, k));
    workgroupBarrier();
    for (var d = 0u; d < DEPTH; d++) {
      let a = tile_x[d * STRIDE + ty];
      let bw = tile_w[d * STRIDE + tx];
      acc0 = fma(vec4<f32>(a.x), bw, acc0);
      acc1 = fma(vec4<f32>(a.y), bw, acc1);
      acc2 = fma(vec4<f32>(a.z), bw, acc2);
      acc3 = fma(vec4<f32>(a.w), bw, acc3);
    }
    workgroupBarrier();
  }

  let n0 = col0 + 4u * tx;
  let m0 = row0 + 4u * ty;
  store_row(m0, n0, acc0);
  store_row(m0 + 1u, n0, acc1);
  store_row(m0 + 2u, n0, acc2);
  store_row(m0 + 3u, n0, acc3);
}

// Writes Y[m, n0..n0+3] = v + b, skipping what lies outside Y.
fn store_row(m: u32, n0: u32, v: vec4<f32>) {
  if (m >= params.M) {
    return;
  }
  for (var j = 0u; j < 4u; j++) {
    let n = n0 + j;
    if (n < params.N) {
      Y[m * params.N + n] = v[j] + b[n];
    }
  }
}
