// MomentumSGDUpdate, in place on its outputs (the op copies any input given out of place first).
// Plain:    a = lr·g + μ·m;  m' = a;  g' = a;  param -= a.
// Nesterov: m' = μ·m + lr·g;  g' = (1 + μ)·m' − μ·m;  param -= g'.
// lr (one element, positive here) is read on the GPU, where LearningRate wrote it.
#include "indexing.wgsl"

struct Params {
  n: u32,
  momentum: f32,
  nesterov: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> G: array<f32>;
@group(0) @binding(2) var<storage, read_write> M: array<f32>;
@group(0) @binding(3) var<storage, read> LR: array<f32>;
@group(0) @binding(4) var<storage, read_write> P: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  let mu = params.momentum;
  let g = G[i];
  let m = M[i];
  var step: f32;
  if (params.nesterov != 0u) {
    let m_new = mu * m + LR[0] * g;
    M[i] = m_new;
    step = (1.0 + mu) * m_new - mu * m;
  } else {
    step = LR[0] * g + mu * m;
    M[i] = step;
  }
  G[i] = step;
  P[i] = P[i] - step;
}
