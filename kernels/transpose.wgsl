// Y = X with its dims permuted, for any 4-byte dtype: output element i, written in output order,
// is decomposed over the output's dims and read from X through X's strides taken in output order
// (in_strides[k] = X's stride of dim axes[k]). Ranks up to 8; the host merges dims that stay
// neighbours, so most transposes arrive here as rank 2 or 3.
#include "indexing.wgsl"
#include "strided.wgsl"

struct Params {
  n: u32,
  rank: u32,
  out_shape: array<vec4<u32>, 2>,
  in_strides: array<vec4<u32>, 2>,
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
  Y[i] = X[strided_offset(i, params.rank, params.out_shape, params.in_strides)];
}
