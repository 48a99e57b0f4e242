// The sum of ConvGradient's partial filters: dW[e] = Σ over parts q of partials[q * size + e], one
// thread per element of dW in part order. No workgroup memory or barriers: fc_grad_b.wgsl's tree
// over a few parts of a wide dW (16 x 50000 for LeNet's second layer) costs more in barriers than
// the sums themselves on software adapters, where a barrier switches every thread of the group.
#include "indexing.wgsl"

struct Params {
  size: u32,
  parts: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read_write> dW: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = flat_index(gid, nwg, 64u);
  if (e >= params.size) {
    return;
  }
  var acc = 0.0;
  for (var q = 0u; q < params.parts; q++) {
    acc += partials[q * params.size + e];
  }
  dW[e] = acc;
}
