// After a Print/Summarize record: one more occurrence, and one more record when this occurrence
// was reported (see print.wgsl for the log layout).
struct Params {
  every_n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> LOG: array<u32>;

@compute @workgroup_size(1)
fn main() {
  if (LOG[0] % params.every_n == 0u) {
    LOG[1] = LOG[1] + 1u;
  }
  LOG[0] = LOG[0] + 1u;
}
