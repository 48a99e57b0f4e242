// Adagrad from param and moment (P_IN, H_IN) into P and H. Pointwise, and every read comes before
// the writes, so in place (the usual call) the planner reads P_IN and H_IN through P and H:
//   h' = decay·h + g²;  param' = param + lr·g / (sqrt(h') + ε)   (lr negative).
// `extra` counts the optional outputs: 1 writes the effective learning rate e = lr/(sqrt(h') + ε)
// to ELR (param' = param + e·g), 2 also the update u = e·g to UPD (param' = param + u). Outputs
// that are absent are placeholder buffers that are never touched.
#include "indexing.wgsl"

struct Params {
  n: u32,
  epsilon: f32,
  decay: f32,
  extra: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> P: array<f32>;
@group(0) @binding(2) var<storage, read_write> H: array<f32>;
@group(0) @binding(3) var<storage, read> G: array<f32>;
@group(0) @binding(4) var<storage, read> LR: array<f32>;
@group(0) @binding(5) var<storage, read_write> ELR: array<f32>;
@group(0) @binding(6) var<storage, read_write> UPD: array<f32>;
@group(0) @binding(7) var<storage, read> P_IN: array<f32>;
@group(0) @binding(8) var<storage, read> H_IN: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  let g = G[i];
  let p = P_IN[i];
  let h = params.decay * H_IN[i] + g * g;
  H[i] = h;
  if (params.extra == 0u) {
    P[i] = p + LR[0] * g / (sqrt(h) + params.epsilon);
    return;
  }
  let e = LR[0] / (sqrt(h) + params.epsilon);
  ELR[i] = e;
  if (params.extra == 1u) {
    P[i] = p + e * g;
  } else {
    let u = e * g;
    UPD[i] = u;
    P[i] = p + u;
  }
}
