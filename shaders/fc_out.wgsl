// FC's bias b [N] at binding 3 and output Y [M,N] at binding 4: the store adds the bias.

@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;

fn store_out(split: u32, m: u32, n: u32, v: f32) {
  Y[m * params.cols + n] = v + b[n];
}
