// MatMul of large products on the 128x128 tile of shaders/matmul_tile_big.wgsl, for operands
// whose contiguous extents are not all multiples of 4: quads are read as four scalars.
// matmul_big_v4.wgsl reads them as one vec4 where the layout allows.

#include "matmul_tile_big.wgsl"
#include "matmul_layout.wgsl"
#include "matmul_io.wgsl"

// A quad's four elements are neighbours in memory whichever way A is stored.
fn a_quad(m: u32, k: u32) -> vec4<f32> {
  let i = a_index(m, k);
  return vec4<f32>(A[i], A[i + 1u], A[i + 2u], A[i + 3u]);
}

fn b_quad(n: u32, k: u32) -> vec4<f32> {
  let i = b_index(n, k);
  return vec4<f32>(B[i], B[i + 1u], B[i + 2u], B[i + 3u]);
}
