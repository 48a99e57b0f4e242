// Adam with param, moment_1 and moment_2 all in place (the optimizer's update; math in
// shaders/adam_math.wgsl): one pass reading and writing each. Out of place the op runs
// adam_moments.wgsl then adam_param.wgsl instead, which bind inputs and outputs apart within the
// eight storage buffers a stage may bind. t comes from the iteration blob on the GPU.
// With has_grad=1 the effective gradient c·m1'/(sqrt(m2') + ε) is also written to EG; otherwise EG
// is a placeholder buffer that is never touched. LR and ITER are declared single values, not
// arrays read at [0] (robust access would clamp that index per lane).
#include "indexing.wgsl"
#include "adam_math.wgsl"

struct Params {
  n: u32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
  ln_beta1: f32,
  ln_beta2: f32,
  has_grad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> P: array<f32>;
@group(0) @binding(2) var<storage, read_write> M1: array<f32>;
@group(0) @binding(3) var<storage, read_write> M2: array<f32>;
@group(0) @binding(4) var<storage, read> G: array<f32>;
@group(0) @binding(5) var<storage, read> LR: f32;
@group(0) @binding(6) var<storage, read> ITER: i32;
@group(0) @binding(7) var<storage, read_write> EG: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lane: u32) {
  let i = group_flat_index(wg, nwg, lane, 256u);
  if (i >= params.n) {
    return;
  }
  let correction = adam_correction(ITER, params.ln_beta1, params.ln_beta2);
  let g = G[i];
  let m = adam_moment1(M1[i], g, params.beta1);
  let v = adam_moment2(M2[i], g, params.beta2);
  M1[i] = m;
  M2[i] = v;
  let eg = correction * m / (sqrt(v) + params.epsilon);
  if (params.has_grad != 0u) {
    EG[i] = eg;
  }
  P[i] = P[i] + LR * eg;
}
