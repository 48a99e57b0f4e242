// Print / Summarize: copies the first `words` words of X into the op's log as one record, on the
// runs the op reports (occurrence % every_n == 0), while the log has a free slot. Log layout (u32):
// [0] occurrences so far (kept across RunNet calls), [1] records since the last read-back, then
// `slots` records of `words` words. log_tick.wgsl advances both counters after this dispatch, so
// every invocation here sees the same values.
#include "indexing.wgsl"

struct Params {
  words: u32,
  every_n: u32,
  slots: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<u32>;
@group(0) @binding(2) var<storage, read_write> LOG: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  let slot = LOG[1];
  if (i >= params.words || LOG[0] % params.every_n != 0u || slot >= params.slots) {
    return;
  }
  LOG[2u + slot * params.words + i] = X[i];
}
