// MatMul's output Y [M,N] at binding 3 and the store both tiles call.

@group(0) @binding(3) var<storage, read_write> Y: array<f32>;

fn store_out(split: u32, m: u32, n: u32, v: f32) {
  Y[m * params.cols + n] = v;
}
