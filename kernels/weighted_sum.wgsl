// One step of WeightedSum: Y = a·Y + W0·X0 + W1·X1 + W2·X2 (the first `pairs` pairs), where `mode`
// picks a: 0 → a fresh sum (Y is not read), 1 → accumulate (a = 1). Pointwise, so in place (X0 is Y,
// the SGD update) the planner compiles a variant reading X0 through Y's binding.
// Each weight is a one-element buffer read on the GPU (the learning rate changes per iteration).
// Three pairs per dispatch keep a dispatch at seven storage buffers (a stage may bind eight); longer
// sums take several dispatches, each adding to Y. Unused bindings alias a weight and are not read.
// This scalar kernel covers elements [start, n): the n % 4 tail after weighted_sum_vec4.wgsl, or all
// of a small sum.
#include "indexing.wgsl"

struct Params {
  start: u32,
  n: u32,
  pairs: u32,
  mode: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
@group(0) @binding(2) var<storage, read> X0: array<f32>;
@group(0) @binding(3) var<storage, read> W0: f32;
@group(0) @binding(4) var<storage, read> X1: array<f32>;
@group(0) @binding(5) var<storage, read> W1: f32;
@group(0) @binding(6) var<storage, read> X2: array<f32>;
@group(0) @binding(7) var<storage, read> W2: f32;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = params.start + flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  var acc = 0.0;
  if (params.mode == 1u) {
    acc = Y[i];
  }
  if (params.pairs > 0u) {
    acc += W0 * X0[i];
  }
  if (params.pairs > 1u) {
    acc += W1 * X1[i];
  }
  if (params.pairs > 2u) {
    acc += W2 * X2[i];
  }
  Y[i] = acc;
}
