// matmul_tile_big.wgsl's a_quad and b_quad as four calls of the kernel's a_at and b_at, for
// operands gathered element by element (the implicit GEMMs of the conv kernels). Any depth offset
// works, so the depth may be split anywhere (Conv's groups). Include after the operand reads.

fn a_quad(i: u32, d: u32) -> vec4<f32> {
  if (A_DEPTH_CONTIGUOUS) {
    return vec4<f32>(a_at(i, d), a_at(i, d + 1u), a_at(i, d + 2u), a_at(i, d + 3u));
  }
  return vec4<f32>(a_at(i, d), a_at(i + 1u, d), a_at(i + 2u, d), a_at(i + 3u, d));
}

fn b_quad(j: u32, d: u32) -> vec4<f32> {
  if (B_DEPTH_CONTIGUOUS) {
    return vec4<f32>(b_at(j, d), b_at(j, d + 1u), b_at(j, d + 2u), b_at(j, d + 3u));
  }
  return vec4<f32>(b_at(j, d), b_at(j + 1u, d), b_at(j + 2u, d), b_at(j + 3u, d));
}
