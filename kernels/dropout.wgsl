// Dropout in training: element i is kept when the top 24 bits of Philox word i % 4 of block i / 4,
// as a uniform in [0, 1), fall below keep = 1 - ratio; then Y = X * scale and mask = 1, else
// Y = 0 and mask = 0. The stream is the op's index in its net and the counter the run, as for the
// random fills, so a mask depends only on (seed, op, run, i).
#include "philox_per_word.wgsl"

struct Params {
  n: u32,
  stream: u32,
  keep: f32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> rng: array<u32, 4>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;
@group(0) @binding(4) var<storage, read_write> mask: array<i32>;

fn put(i: u32, word: u32) {
  if (i < params.n) {
    let kept = philox_unit(word) < params.keep;
    Y[i] = select(0.0, X[i] * params.scale, kept);
    mask[i] = select(0, 1, kept);
  }
}
