// Y = A ^ B elementwise for Pow's two-input form. B is as long as A, a single value, or (legacy
// broadcast=1) a block of A's dims: B's element for A[i] is B[(i / post) % b_n] in every case.
#include "indexing.wgsl"
#include "pow_real.wgsl"

struct Params {
  n: u32,
  b_n: u32,
  post: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i < params.n) {
    Y[i] = pow_real(A[i], B[(i / params.post) % params.b_n]);
  }
}
