// C = A op B over a contiguous C, four elements per invocation through vec4 loads and stores.
// Each operand has a form (override constants, so each walk is its own straight-line pipeline):
//   0 full: same layout as C;  2 scalar: one value, read from S (a single T, not array<T>[0], which
//   robust access clamps per lane). Form 1, a repeated row, is elementwise_row_vec4.wgsl's.
// Operands that do not read their own binding alias another read-only buffer. Pointwise: in place
// the planner compiles a variant reading that operand through C. C holds floor(n / 4) vec4s; the
// host dispatches the last n % 4 elements to elementwise_flat.wgsl. The planner binds C at exactly
// its blob's bytes, so arrayLength(&C) is that count: a bound without a uniform load, which with
// group_flat_index brings Add to the rate of a vec4 copy on SwiftShader (a uniform bound and
// global_invocation_id cost ~13 % more CPU per byte).
#include "indexing.wgsl"
#include "binary_op.wgsl"

override A_FORM: u32 = 0u;
override B_FORM: u32 = 0u;

@group(0) @binding(0) var<storage, read> A: array<vec4<T>>;
@group(0) @binding(1) var<storage, read> B: array<vec4<T>>;
@group(0) @binding(2) var<storage, read> S: T;
@group(0) @binding(3) var<storage, read_write> C: array<vec4<T>>;

fn load_a(i: u32) -> vec4<T> {
  if (A_FORM == 0u) {
    return A[i];
  }
  return vec4<T>(S);
}

fn load_b(i: u32) -> vec4<T> {
  if (B_FORM == 0u) {
    return B[i];
  }
  return vec4<T>(S);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lane: u32) {
  let i = group_flat_index(wg, nwg, lane, 256u);
  if (i >= arrayLength(&C)) {
    return;
  }
  C[i] = binary_op4(load_a(i), load_b(i));
}
