// Y[i] = mean + stddev * z: Box-Muller on Philox block i / 4, words (x, y) for elements 4b and 4b+1,
// words (z, w) for 4b+2 and 4b+3.
#include "philox.wgsl"
#include "indexing.wgsl"

struct Params {
  n: u32,
  stream: u32,
  mean: f32,
  stddev: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> rng: array<u32, 4>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

fn put(i: u32, z: f32) {
  if (i < params.n) {
    Y[i] = params.mean + params.stddev * z;
  }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let blk = flat_index(gid, nwg, 64u);
  let i0 = blk * 4u;
  if (i0 >= params.n) {
    return;
  }
  let w = philox_block(vec4u(rng[0], rng[1], rng[2], rng[3]), params.stream, blk);
  let a = philox_normal2(w.x, w.y);
  let b = philox_normal2(w.z, w.w);
  put(i0, a.x);
  put(i0 + 1u, a.y);
  put(i0 + 2u, b.x);
  put(i0 + 3u, b.y);
}
