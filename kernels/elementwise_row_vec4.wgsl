// C = A op B over a contiguous C where one operand is a row of `period` vec4s repeated along C (a
// bias-like broadcast) and the other is full (C's layout), in vec4s. A_FORM/B_FORM as in
// elementwise_vec4.wgsl (0 full, 1 row), exactly one of them 1. Invocation t reads its row vec4
// once, at t % period, and applies it to the four vec4s t + k·stride (k < 4): `stride` is a multiple
// of the period, so they all share that column. On SwiftShader every load with a per-lane index
// costs about the same whatever it moves, so reading the row per element held the bias Add to ~60 %
// of a vec4 copy's rate; once per four elements, ~85 % (eight per invocation, or a loop, measured
// slower at 16M floats). Pointwise like elementwise_vec4.wgsl: in place (A is C; a row is never C)
// the planner reads A through C. C holds n / 4 vec4s, bound at exactly its blob's bytes (a row's
// length is a multiple of 4 here, so n is too).
#include "indexing.wgsl"
#include "binary_op.wgsl"

override A_FORM: u32 = 0u;
override B_FORM: u32 = 1u;

struct Params {
  period: u32,
  stride: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> A: array<vec4<T>>;
@group(0) @binding(2) var<storage, read> B: array<vec4<T>>;
@group(0) @binding(3) var<storage, read_write> C: array<vec4<T>>;

fn put(i: u32, n4: u32, row: vec4<T>) {
  if (i < n4) {
    if (A_FORM == 1u) {
      C[i] = binary_op4(row, B[i]);
    } else {
      C[i] = binary_op4(A[i], row);
    }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lane: u32) {
  let t = group_flat_index(wg, nwg, lane, 256u);
  if (t >= params.stride) {
    return;
  }
  let col = t % params.period;
  var row: vec4<T>;
  if (A_FORM == 1u) {
    row = A[col];
  } else {
    row = B[col];
  }
  let n4 = arrayLength(&C);
  // Written out: a loop here ran at two thirds of this rate on SwiftShader.
  put(t, n4, row);
  put(t + params.stride, n4, row);
  put(t + 2u * params.stride, n4, row);
  put(t + 3u * params.stride, n4, row);
}
