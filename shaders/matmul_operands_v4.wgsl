// MatMul-layout operands as vec4 arrays at bindings 1 and 2, for matmul_tile_big.wgsl: chosen when
// the contiguous extent of each (K, or M / N for an operand stored the other way) is a multiple of
// 4, so every quad the tile asks for starts on a 16-byte boundary and is one load.

@group(0) @binding(1) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> B: array<vec4<f32>>;

fn a_at(m: u32, k: u32) -> f32 {
  let i = a_index(m, k);
  return A[i / 4u][i % 4u];
}

fn b_at(n: u32, k: u32) -> f32 {
  let i = b_index(n, k);
  return B[i / 4u][i % 4u];
}

fn a_quad(m: u32, k: u32) -> vec4<f32> {
  return A[a_index(m, k) / 4u];
}

fn b_quad(n: u32, k: u32) -> vec4<f32> {
  return B[b_index(n, k) / 4u];
}
