// The uniform of both matmul tiles (matmul_tile.wgsl, 64x64, and matmul_tile_big.wgsl, 128x128),
// filled by matmulCall in src/ops/fc.ts. It takes binding 0; kernels' storage buffers bind from 1.

struct Params {
  rows: u32,
  cols: u32,
  depth: u32,
  // Tiles per row of tiles of C (ceil(cols / tile edge)) and in all of C.
  col_tiles: u32,
  out_tiles: u32,
  // out_tiles times the number of splits; the grid may hold a few extra groups.
  tiles: u32,
  // Depths per split (depth itself when unsplit).
  split_depth: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
