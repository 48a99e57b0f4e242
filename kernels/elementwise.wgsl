// C = A op B elementwise with broadcasting. Each input is read through its own strides over C's
// (merged) dims, 0 where it is broadcast, so numpy-style and legacy broadcast=1 differ only on the
// host (src/ops/broadcast.ts). The contiguous cases take elementwise_vec4.wgsl/_flat.wgsl instead.
#include "indexing.wgsl"
#include "binary_op.wgsl"

struct Params {
  n: u32,
  rank: u32,
  shape: array<vec4<u32>, 2>,
  a_strides: array<vec4<u32>, 2>,
  b_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> A: array<T>;
@group(0) @binding(2) var<storage, read> B: array<T>;
@group(0) @binding(3) var<storage, read_write> C: array<T>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  var rem = i;
  var ia = 0u;
  var ib = 0u;
  for (var d = params.rank; d > 0u; d--) {
    let k = d - 1u;
    let extent = params.shape[k / 4u][k % 4u];
    let coord = rem % extent;
    rem = rem / extent;
    ia += coord * params.a_strides[k / 4u][k % 4u];
    ib += coord * params.b_strides[k / 4u][k % 4u];
  }
  C[i] = binary_op(A[min(ia, arrayLength(&A) - 1u)], B[min(ib, arrayLength(&B) - 1u)]);
}
