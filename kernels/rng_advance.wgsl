// Advances the workspace RNG counter after a net run that drew random numbers, on the GPU, so n
// iterations of RunNet draw fresh numbers without any host round trip.
@group(0) @binding(0) var<storage, read_write> rng: array<u32, 4>;

@compute @workgroup_size(1)
fn main() {
  let lo = rng[2] + 1u;
  rng[2] = lo;
  if (lo == 0u) {
    rng[3] = rng[3] + 1u;
  }
}
