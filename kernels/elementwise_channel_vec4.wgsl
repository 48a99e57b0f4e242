// C = A op B over a contiguous C walked as [outer, period, inner] where one operand holds a value
// per channel (one per `period`, repeated over `inner` elements and over outer: an NCHW bias or
// scale, B [C] at axis 1) and the other is full, in vec4s. A_FORM/B_FORM: 0 full, 3 channel,
// exactly one of them 3; the channel values are R (bound to that input), and the channel operand's
// own vec4 binding aliases the full one. `inner` counts vec4s (the host takes this kernel only when
// the run is a multiple of 4 elements, so one vec4 never spans two channels). As in
// elementwise_row_vec4.wgsl, invocation t reads its value once and applies it to the four vec4s
// t + k·stride (k < 4), `stride` a multiple of period·inner so they share the channel: the general
// strided kernel ran this broadcast at ~3 % of a vec4 copy's rate on SwiftShader. Pointwise: in
// place the planner reads the full operand through C. C is bound at exactly its blob's bytes.
#include "indexing.wgsl"
#include "binary_op.wgsl"

override A_FORM: u32 = 0u;
override B_FORM: u32 = 3u;

struct Params {
  period: u32,
  inner: u32,
  stride: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> A: array<vec4<T>>;
@group(0) @binding(2) var<storage, read> B: array<vec4<T>>;
@group(0) @binding(3) var<storage, read> R: array<T>;
@group(0) @binding(4) var<storage, read_write> C: array<vec4<T>>;

fn put(i: u32, n4: u32, r: vec4<T>) {
  if (i < n4) {
    if (A_FORM == 3u) {
      C[i] = binary_op4(r, B[i]);
    } else {
      C[i] = binary_op4(A[i], r);
    }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lane: u32) {
  let t = group_flat_index(wg, nwg, lane, 256u);
  if (t >= params.stride) {
    return;
  }
  let r = vec4<T>(R[(t / params.inner) % params.period]);
  let n4 = arrayLength(&C);
  // Written out: a loop ran slower on SwiftShader (see elementwise_row_vec4.wgsl).
  put(t, n4, r);
  put(t + params.stride, n4, r);
  put(t + 2u * params.stride, n4, r);
  put(t + 3u * params.stride, n4, r);
}
