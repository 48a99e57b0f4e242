// LearningRate: LR = base_lr · scale_k · f_k(it), from the int32 iteration blob, in f32 on the GPU,
// so a schedule advances with Iter and nothing is uploaded per iteration.
// A slot k is one policy: a code, its float args (fargs[2k], fargs[2k+1]) and int args (iargs[k]),
// in the order the host packs them (src/ops/learning_rate.ts, POLICIES). A plain policy uses slot 0;
// "composite" uses one slot per sub-policy, slot k active from iteration starts[k] on.
struct Params {
  base_lr: f32,
  count: u32,
  codes: array<vec4<u32>, 2>,
  starts: array<vec4<i32>, 2>,
  scales: array<vec4<f32>, 2>,
  fargs: array<vec4<f32>, 16>,
  iargs: array<vec4<i32>, 8>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> ITER: array<i32>;
@group(0) @binding(2) var<storage, read_write> LR: array<f32>;

#include "lr_policy.wgsl"

// Slot k of the uniform.
fn slot(k: u32) -> LrSlot {
  var s: LrSlot;
  s.code = params.codes[k / 4u][k % 4u];
  for (var j = 0u; j < 8u; j++) {
    s.f[j] = params.fargs[2u * k + j / 4u][j % 4u];
  }
  for (var j = 0u; j < 4u; j++) {
    s.i[j] = params.iargs[k][j];
  }
  return s;
}

@compute @workgroup_size(1)
fn main() {
  let it = ITER[0];
  var k = 0u;
  for (var j = 1u; j < params.count; j++) {
    if (it >= params.starts[j / 4u][j % 4u]) {
      k = j;
    }
  }
  LR[0] = params.base_lr * (lr_policy(slot(k), it, params.base_lr) * params.scales[k / 4u][k % 4u]);
}
