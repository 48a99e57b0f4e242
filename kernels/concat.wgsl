// One input's block of a Concat, or one output's block of a Split, for any 4-byte dtype. Both
// tensors are viewed as [outer, width]: row o of the small side (chunk words wide) sits at word
// offset `*_offset` of row o of the wide side. Concat copies small -> wide, Split wide -> small;
// the host passes each side's row stride and offset, so one kernel serves both directions.
#include "indexing.wgsl"

struct Params {
  n: u32,
  chunk: u32,
  x_stride: u32,
  x_offset: u32,
  y_stride: u32,
  y_offset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<u32>;
@group(0) @binding(2) var<storage, read_write> Y: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  let o = i / params.chunk;
  let r = i % params.chunk;
  Y[o * params.y_stride + params.y_offset + r] = X[o * params.x_stride + params.x_offset + r];
}
