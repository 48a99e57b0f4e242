// SoftmaxWithLossGradient: dX[i, j] = (P[i, j] − target[i, j]) · w_i · scale · dLoss / Σ w, with
// target the one-hot label row (or, LABEL_PROB, the label's probabilities); Σ w = rows without
// weights. With weights, Caffe2 leaves dX unscaled when Σ w ≤ 0. One workgroup: the weight sum
// is a tree reduction, then every invocation writes a strided share of dX.
override WG: u32 = 64u;
override LABEL_PROB: bool = false;
override WEIGHTED: bool = false;

struct Params {
  rows: u32,
  cols: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> T: array<u32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> P: array<f32>;
@group(0) @binding(4) var<storage, read> dLoss: array<f32>;
@group(0) @binding(5) var<storage, read_write> dX: array<f32>;

var<workgroup> part_weight: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var total_w = f32(params.rows);
  if (WEIGHTED) {
    var w = 0.0;
    for (var i = lid; i < params.rows; i += WG) {
      w += W[i];
    }
    part_weight[lid] = w;
    workgroupBarrier();
    for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
      if (lid < stride) {
        part_weight[lid] += part_weight[lid + stride];
      }
      workgroupBarrier();
    }
    total_w = workgroupUniformLoad(&part_weight[0]);
  }
  let factor = select(1.0, params.scale / total_w * dLoss[0], total_w > 0.0);
  let n = params.rows * params.cols;
  for (var k = lid; k < n; k += WG) {
    let i = k / params.cols;
    let j = k % params.cols;
    var goal = 0.0;
    if (LABEL_PROB) {
      goal = bitcast<f32>(T[k]);
    } else {
      goal = select(0.0, 1.0, bitcast<i32>(T[i]) == i32(j));
    }
    var wi = 1.0;
    if (WEIGHTED) {
      wi = W[i];
    }
    dX[k] = (P[k] - goal) * wi * factor;
  }
}
