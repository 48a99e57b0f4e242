// WeightedSumGradient with grad_on_w: dw = Σ dY·X, one scalar per weight. One 256-invocation
// workgroup sums strided slices and reduces them in workgroup memory: weights are few and their
// gradients are rarely asked for, so one dispatch per weight and no scratch buffer suits it.
struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dY: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> dw: array<f32>;

var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var i = lid; i < params.n; i += 256u) {
    s += dY[i] * X[i];
  }
  partial[lid] = s;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      partial[lid] += partial[lid + stride];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    dw[0] = partial[0];
  }
}
