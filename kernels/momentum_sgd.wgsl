// MomentumSGDUpdate from grad, moment, param (G_IN, M_IN, P_IN) into G, M, P. Pointwise, every read
// before the writes, so in place (the usual call) the planner reads the inputs through the outputs.
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
@group(0) @binding(5) var<storage, read> G_IN: array<f32>;
@group(0) @binding(6) var<storage, read> M_IN: array<f32>;
@group(0) @binding(7) var<storage, read> P_IN: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  let mu = params.momentum;
  let g = G_IN[i];
  let m = M_IN[i];
  let p = P_IN[i];
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
  P[i] = p - step;
}
