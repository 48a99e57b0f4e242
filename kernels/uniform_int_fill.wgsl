// Y[i] = lo + floor(x * (span_m1 + 1) / 2^64), x the 64-bit number made of two Philox words: block
// i / 2, words (y:x) for element 2b and (w:z) for 2b+1. With 64 random bits the bias of this
// multiply-shift mapping is below 2^-32 for every range, so no rejection loop is needed.
#include "philox.wgsl"
#include "indexing.wgsl"

struct Params {
  n: u32,
  stream: u32,
  lo: i32,
  span_m1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> rng: array<u32, 4>;
@group(0) @binding(2) var<storage, read_write> Y: array<i32>;

// floor((hi * 2^32 + lo) * (m + 1) / 2^64) = top word of x * m + x, for any u32 m.
fn scale64(hi: u32, lo: u32, m: u32) -> u32 {
  let a = philox_mulhilo(lo, m);
  let b = philox_mulhilo(hi, m);
  let s0 = a.y + lo;
  let c0 = select(0u, 1u, s0 < lo);
  let s1 = b.y + a.x;
  let c1 = select(0u, 1u, s1 < b.y);
  let s2 = s1 + hi;
  let c2 = select(0u, 1u, s2 < s1);
  let s3 = s2 + c0;
  let c3 = select(0u, 1u, s3 < s2);
  return b.x + c1 + c2 + c3;
}

fn put(i: u32, hi: u32, lo: u32) {
  if (i < params.n) {
    Y[i] = bitcast<i32>(bitcast<u32>(params.lo) + scale64(hi, lo, params.span_m1));
  }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let blk = flat_index(gid, nwg, 64u);
  let i0 = blk * 2u;
  if (i0 >= params.n) {
    return;
  }
  let w = philox_block(vec4u(rng[0], rng[1], rng[2], rng[3]), params.stream, blk);
  put(i0, w.y, w.x);
  put(i0 + 1u, w.w, w.z);
}
