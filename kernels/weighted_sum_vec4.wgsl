// weighted_sum.wgsl over vec4s: Y = a·Y + W0·X0 + W1·X1 + W2·X2 on the first floor(n / 4) vec4s of
// Y, with PAIRS and MODE as there (0 fresh, 1 accumulate) but as override constants: branching on
// uniforms halved the bandwidth on SwiftShader. The host dispatches the n % 4 tail to
// weighted_sum.wgsl. Unused X bindings alias another read-only buffer (a weight is too small).
// The planner binds Y at exactly its blob's bytes, so arrayLength(&Y) is floor(n / 4): the bound
// needs no uniform (as in elementwise_vec4.wgsl, measurably cheaper on SwiftShader). Each weight is
// declared a single f32, not array<f32> read at [0]: an index into a runtime-sized array is clamped
// per lane (robust access), which cost ~10 % of the in-place SGD update's rate on SwiftShader.
#include "indexing.wgsl"

override PAIRS: u32 = 1u;
override MODE: u32 = 0u;

@group(0) @binding(0) var<storage, read_write> Y: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> X0: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> W0: f32;
@group(0) @binding(3) var<storage, read> X1: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> W1: f32;
@group(0) @binding(5) var<storage, read> X2: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> W2: f32;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lane: u32) {
  let i = group_flat_index(wg, nwg, lane, 256u);
  if (i >= arrayLength(&Y)) {
    return;
  }
  // PAIRS >= 1. Starting from the first term rather than from 0 + it saves an add per element and
  // gives the same sum (up to the sign of a zero).
  var acc = W0 * X0[i];
  if (MODE == 1u) {
    acc = Y[i] + acc;
  }
  if (PAIRS > 1u) {
    acc += W1 * X1[i];
  }
  if (PAIRS > 2u) {
    acc += W2 * X2[i];
  }
  Y[i] = acc;
}
