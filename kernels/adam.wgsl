// Adam, in place on its outputs (the op copies any input given out of place first):
//   t = iter + 1;  m1' = β1·m1 + (1−β1)·g;  m2' = β2·m2 + (1−β2)·g²;
//   c = sqrt(1 − β2^t) / (1 − β1^t);  param' = param + lr·c·m1' / (sqrt(m2') + ε)   (lr negative).
// t comes from the iteration blob on the GPU. 1 − β^t is computed as −expm1(t·ln β) with ln β from
// the host in float64: for β near 1 and small t, 1 − pow(β, t) in f32 would lose most digits.
// With has_grad=1 the effective gradient c·m1'/(sqrt(m2') + ε) is also written to EG; otherwise EG
// is a placeholder buffer that is never touched.
#include "indexing.wgsl"

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
@group(0) @binding(5) var<storage, read> LR: array<f32>;
@group(0) @binding(6) var<storage, read> ITER: array<i32>;
@group(0) @binding(7) var<storage, read_write> EG: array<f32>;

// e^x − 1 without cancellation for small |x| (Taylor series, error ~1e-10 for |x| < 0.5).
fn expm1(x: f32) -> f32 {
  if (abs(x) < 0.5) {
    return x * (1.0 + x / 2.0 * (1.0 + x / 3.0 * (1.0 + x / 4.0 * (1.0 + x / 5.0 * (1.0 + x / 6.0 * (1.0 + x / 7.0 * (1.0 + x / 8.0 * (1.0 + x / 9.0))))))));
  }
  return exp(x) - 1.0;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  let t = f32(ITER[0]) + 1.0;
  let correction = sqrt(-expm1(t * params.ln_beta2)) / -expm1(t * params.ln_beta1);
  let g = G[i];
  let m = M1[i] * params.beta1 + g * (1.0 - params.beta1);
  let v = M2[i] * params.beta2 + g * g * (1.0 - params.beta2);
  M1[i] = m;
  M2[i] = v;
  if (params.has_grad != 0u) {
    let eg = correction * m / (sqrt(v) + params.epsilon);
    EG[i] = eg;
    P[i] = P[i] + LR[0] * eg;
  } else {
    P[i] = P[i] + LR[0] * correction * m / (sqrt(v) + params.epsilon);
  }
}
