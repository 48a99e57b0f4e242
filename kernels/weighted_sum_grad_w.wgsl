// WeightedSumGradient with grad_on_w: dw = Σ dY·X, one scalar per weight. One 256-invocation
// workgroup sums strided slices and reduces them in workgroup memory: weights are few and their
// gradients are rarely asked for, so one dispatch per weight and no scratch buffer suits it.
#include "lane_fold.wgsl"

struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dY: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> dw: array<f32>;

fn combine(a: f32, b: f32) -> f32 {
  return a + b;
}

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var i = lid; i < params.n; i += 256u) {
    s += dY[i] * X[i];
  }
  let total = fold_lanes(lid, lid, 256u, s);
  if (lid == 0u) {
    dw[0] = total;
  }
}
