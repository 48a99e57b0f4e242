// MatMul's output Y [M,N] at binding 3 and the store both tiles call. Split s of the depth writes
// its partial product at Y[s * M * N..] (FCGradient's split dW; MatMul itself never splits).

@group(0) @binding(3) var<storage, read_write> Y: array<f32>;

fn store_out(split: u32, m: u32, n: u32, v: f32) {
  Y[(split * params.rows + m) * params.cols + n] = v;
}
