// Y[i] = lo + span * u with u uniform in [0, 1) from the top 24 bits of Philox word i % 4 of block
// i / 4, clamped to `top` (the largest float32 below max) so rounding never reaches max.
#include "philox_per_word.wgsl"

struct Params {
  n: u32,
  stream: u32,
  lo: f32,
  span: f32,
  top: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> rng: array<u32, 4>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

fn put(i: u32, word: u32) {
  if (i < params.n) {
    Y[i] = min(params.lo + params.span * philox_unit(word), params.top);
  }
}
