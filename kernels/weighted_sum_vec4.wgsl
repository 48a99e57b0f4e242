// weighted_sum.wgsl over vec4s: Y = a·Y + W0·X0 + W1·X1 + W2·X2 on the first floor(n / 4) vec4s of
// Y, with PAIRS and MODE as there (0 fresh, 1 accumulate) but as override constants: branching on
// uniforms halved the bandwidth on SwiftShader. The host dispatches the n % 4 tail to
// weighted_sum.wgsl. Unused X bindings alias another read-only buffer (a weight is too small).
#include "indexing.wgsl"

override PAIRS: u32 = 1u;
override MODE: u32 = 0u;

struct Params {
  n4: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> Y: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> X0: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> W0: array<f32>;
@group(0) @binding(4) var<storage, read> X1: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> W1: array<f32>;
@group(0) @binding(6) var<storage, read> X2: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> W2: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n4) {
    return;
  }
  var acc = vec4<f32>(0.0);
  if (MODE == 1u) {
    acc = Y[i];
  }
  if (PAIRS > 0u) {
    acc += W0[0] * X0[i];
  }
  if (PAIRS > 1u) {
    acc += W1[0] * X1[i];
  }
  if (PAIRS > 2u) {
    acc += W2[0] * X2[i];
  }
  Y[i] = acc;
}
