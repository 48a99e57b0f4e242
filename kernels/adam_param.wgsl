// Adam out of place, second pass (after adam_moments.wgsl): P = PI + lr·c·m1'/(sqrt(m2') + ε) from
// the new moments M1, M2 (the op's outputs, read here), with t from the iteration blob (math in
// shaders/adam_math.wgsl). With has_grad=1 the effective gradient is also written to EG; otherwise
// EG is a placeholder never touched. Pointwise: a parameter given in place is read through P.
#include "indexing.wgsl"
#include "adam_math.wgsl"

struct Params {
  n: u32,
  epsilon: f32,
  ln_beta1: f32,
  ln_beta2: f32,
  has_grad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> PI: array<f32>;
@group(0) @binding(2) var<storage, read> M1: array<f32>;
@group(0) @binding(3) var<storage, read> M2: array<f32>;
@group(0) @binding(4) var<storage, read> LR: f32;
@group(0) @binding(5) var<storage, read> ITER: i32;
@group(0) @binding(6) var<storage, read_write> P: array<f32>;
@group(0) @binding(7) var<storage, read_write> EG: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lane: u32) {
  let i = group_flat_index(wg, nwg, lane, 256u);
  if (i >= params.n) {
    return;
  }
  let correction = adam_correction(ITER, params.ln_beta1, params.ln_beta2);
  let eg = correction * M1[i] / (sqrt(M2[i]) + params.epsilon);
  if (params.has_grad != 0u) {
    EG[i] = eg;
  }
  P[i] = PI[i] + LR * eg;
}
