// C = A op B over elements [start, n) of a contiguous C, one element per invocation: the n % 4
// tail after elementwise_vec4.wgsl, or a whole small op. Operand forms as in elementwise_vec4.wgsl
// (0 full, 1 row of `period` elements, 2 scalar), here in elements.
#include "indexing.wgsl"
#include "binary_op.wgsl"

override A_FORM: u32 = 0u;
override B_FORM: u32 = 0u;

struct Params {
  start: u32,
  n: u32,
  a_period: u32,
  b_period: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> A: array<T>;
@group(0) @binding(2) var<storage, read> B: array<T>;
@group(0) @binding(3) var<storage, read_write> C: array<T>;

fn load_a(i: u32) -> T {
  switch A_FORM {
    case 0u: { return A[i]; }
    case 1u: { return A[i % params.a_period]; }
    default: { return A[0]; }
  }
}

fn load_b(i: u32) -> T {
  switch B_FORM {
    case 0u: { return B[i]; }
    case 1u: { return B[i % params.b_period]; }
    default: { return B[0]; }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = params.start + flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  C[i] = binary_op(load_a(i), load_b(i));
}
