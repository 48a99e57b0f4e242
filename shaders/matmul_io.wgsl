// MatMul's buffers as f32 arrays and the scalar reads and writes both tiles call (a_at, b_at,
// store_out), for the kernels that do not read A and B as vec4s. Include after a tile file and
// matmul_layout.wgsl.

@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;

fn a_at(m: u32, k: u32) -> f32 {
  return A[a_index(m, k)];
}

fn b_at(n: u32, k: u32) -> f32 {
  return B[b_index(n, k)];
}

fn store_out(split: u32, m: u32, n: u32, v: f32) {
  Y[m * params.cols + n] = v;
}
