// Adam out of place, first pass: the new moments m1' = β1·m1 + (1−β1)·g, m2' = β2·m2 + (1−β2)·g²
// (shaders/adam_math.wgsl) from inputs M1I, M2I, G into outputs M1, M2; adam_param.wgsl then
// updates the parameter from them. Pointwise: a moment given in place is read through its output
// binding (the planner's variant).
#include "indexing.wgsl"
#include "adam_math.wgsl"

struct Params {
  n: u32,
  beta1: f32,
  beta2: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> M1I: array<f32>;
@group(0) @binding(2) var<storage, read> M2I: array<f32>;
@group(0) @binding(3) var<storage, read> G: array<f32>;
@group(0) @binding(4) var<storage, read_write> M1: array<f32>;
@group(0) @binding(5) var<storage, read_write> M2: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lane: u32) {
  let i = group_flat_index(wg, nwg, lane, 256u);
  if (i >= params.n) {
    return;
  }
  let g = G[i];
  M1[i] = adam_moment1(M1I[i], g, params.beta1);
  M2[i] = adam_moment2(M2I[i], g, params.beta2);
}
