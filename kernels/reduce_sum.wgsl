// Y[0] = scale · Σ X (AveragedLoss: scale = 1/n; SumElements: 1 or 1/n). One 256-invocation
// workgroup: each invocation sums a strided slice (neighbours read neighbouring words), then a tree
// reduction in workgroup memory. Correct for any n; one group means one dispatch and no scratch
// buffer, which suits losses, but it serialises a very large reduction onto one compute unit.
// WG is chosen per size: small inputs (a batch's loss) take a small group, since every barrier of
// the tree costs in proportion to the group's width (dearly so on software adapters).
struct Params {
  n: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

override WG: u32 = 256u;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var i = lid; i < params.n; i += WG) {
    s += X[i];
  }
  partial[lid] = s;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      partial[lid] += partial[lid + stride];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    Y[0] = partial[0] * params.scale;
  }
}
