// MatMul-layout operands (shaders/matmul_layout.wgsl) as f32 arrays at bindings 1 and 2, with the
// reads both tiles call: a_at and b_at, and the quads of matmul_tile_big.wgsl read as four
// scalars (for layouts whose contiguous extents are not multiples of 4; matmul_operands_v4.wgsl
// reads vec4s). Include after a tile file and matmul_layout.wgsl.

@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;

fn a_at(m: u32, k: u32) -> f32 {
  return A[a_index(m, k)];
}

fn b_at(n: u32, k: u32) -> f32 {
  return B[b_index(n, k)];
}

// A quad's four elements are neighbours in memory whichever way A is stored.
fn a_quad(m: u32, k: u32) -> vec4<f32> {
  let i = a_index(m, k);
  return vec4<f32>(A[i], A[i + 1u], A[i + 2u], A[i + 3u]);
}

fn b_quad(n: u32, k: u32) -> vec4<f32> {
  let i = b_index(n, k);
  return vec4<f32>(B[i], B[i + 1u], B[i + 2u], B[i + 3u]);
}
