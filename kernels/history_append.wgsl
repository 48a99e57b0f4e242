// Appends a blob's values to a history buffer at the record the GPU counter points at, so a
// training run can record parameters every iteration and read them back once at the end.
#include "indexing.wgsl"

struct Params {
  // Words of the blob, its word offset inside one record, and the words of one record.
  n: u32,
  offset: u32,
  stride: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<u32>;
@group(0) @binding(2) var<storage, read> counter: array<u32, 1>;
@group(0) @binding(3) var<storage, read_write> H: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i < params.n) {
    H[counter[0] * params.stride + params.offset + i] = X[i];
  }
}
