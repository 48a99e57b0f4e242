// The entry point of the ops that spend one Philox word per element (UniformFill, Dropout): thread b
// draws block b once and hands its words x, y, z, w to elements 4b .. 4b+3. The including kernel
// declares `params` (with n and stream, u32), the RNG state `rng` (array<u32, 4>) and
// `fn put(i: u32, word: u32)`, which skips i >= params.n (the last block may overhang).
#include "philox.wgsl"
#include "indexing.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let blk = flat_index(gid, nwg, 64u);
  let i0 = blk * 4u;
  if (i0 >= params.n) {
    return;
  }
  let w = philox_block(vec4u(rng[0], rng[1], rng[2], rng[3]), params.stream, blk);
  put(i0, w.x);
  put(i0 + 1u, w.y);
  put(i0 + 2u, w.z);
  put(i0 + 3u, w.w);
}
