// UniformFill with its range from one-element blobs (Caffe2's 3-input form): as uniform_fill.wgsl,
// Y[i] = min(lo + (hi - lo) * u, the largest float32 below hi), but lo = MIN[0] and hi = MAX[0] are
// read when the kernel runs, so re-fed bounds take effect without planning again. A range of one
// value (hi <= lo) gives lo everywhere; the planner makes Y empty when the fed min exceeds max.
#include "philox.wgsl"
#include "indexing.wgsl"

struct Params {
  n: u32,
  stream: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> rng: array<u32, 4>;
@group(0) @binding(2) var<storage, read> MIN: array<f32>;
@group(0) @binding(3) var<storage, read> MAX: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;

// The neighbouring float32 of x towards minus infinity.
fn below(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  if (x == 0.0) {
    return bitcast<f32>(0x80000001u);
  }
  return bitcast<f32>(select(b + 1u, b - 1u, x > 0.0));
}

fn put(i: u32, word: u32, lo: f32, hi: f32) {
  if (i < params.n) {
    Y[i] = select(lo, min(lo + (hi - lo) * philox_unit(word), below(hi)), hi > lo);
  }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let blk = flat_index(gid, nwg, 64u);
  let i0 = blk * 4u;
  if (i0 >= params.n) {
    return;
  }
  let lo = MIN[0];
  let hi = MAX[0];
  let w = philox_block(vec4u(rng[0], rng[1], rng[2], rng[3]), params.stream, blk);
  put(i0, w.x, lo, hi);
  put(i0 + 1u, w.y, lo, hi);
  put(i0 + 2u, w.z, lo, hi);
  put(i0 + 3u, w.w, lo, hi);
}
