// SoftmaxWithLoss in one workgroup: each invocation takes rows lid, lid + WG, …, writes their
// softmax P, and sums its rows' losses and weights; a tree in workgroup memory then gives
// loss = scale · Σ loss_i / Σ w_i (0 when Σ w = 0). One dispatch suits a batch's loss; a very
// large batch serialises onto one compute unit.
// Labels arrive as raw words: int32 class indices, or (LABEL_PROB) float32 rows of probabilities.
// A label Caffe2 would reject (index outside [0, cols), negative probability, a row not summing
// to 1 ± 1e-5) cannot throw on the GPU: it makes the loss NaN instead. Labels known on the host
// are checked there (src/ops/softmax_with_loss.ts).
override WG: u32 = 64u;
override LABEL_PROB: bool = false;
override WEIGHTED: bool = false;

struct Params {
  rows: u32,
  cols: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> T: array<u32>;
@group(0) @binding(3) var<storage, read> W: array<f32>;
@group(0) @binding(4) var<storage, read_write> P: array<f32>;
@group(0) @binding(5) var<storage, read_write> loss: array<f32>;

var<workgroup> part_loss: array<f32, WG>;
var<workgroup> part_weight: array<f32, WG>;
var<workgroup> part_bad: array<u32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  let cols = params.cols;
  var l = 0.0;
  var w = 0.0;
  var bad = 0u;
  for (var i = lid; i < params.rows; i += WG) {
    let base = i * cols;
    var m = X[base];
    for (var j = 1u; j < cols; j++) {
      m = max(m, X[base + j]);
    }
    var s = 0.0;
    for (var j = 0u; j < cols; j++) {
      s += exp(X[base + j] - m);
    }
    let log_s = log(s);
    for (var j = 0u; j < cols; j++) {
      P[base + j] = exp(X[base + j] - m - log_s);
    }
    var wi = 1.0;
    if (WEIGHTED) {
      wi = W[i];
    }
    if (LABEL_PROB) {
      var total = 0.0;
      for (var j = 0u; j < cols; j++) {
        let t = bitcast<f32>(T[base + j]);
        bad = max(bad, u32(t < 0.0));
        l -= log(max(P[base + j], 1e-20)) * t * wi;
        total += t;
      }
      bad = max(bad, u32(!(abs(total - 1.0) < 1e-5)));
    } else {
      let label = bitcast<i32>(T[i]);
      if (label < 0 || label >= i32(cols)) {
        bad = 1u;
      } else {
        // −log P[label] from the log-softmax, which stays finite where P underflows.
        l -= (X[base + u32(label)] - m - log_s) * wi;
      }
    }
    w += wi;
  }
  part_loss[lid] = l;
  part_weight[lid] = w;
  part_bad[lid] = bad;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      part_loss[lid] += part_loss[lid + stride];
      part_weight[lid] += part_weight[lid + stride];
      part_bad[lid] = max(part_bad[lid], part_bad[lid + stride]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let total_w = part_weight[0];
    var value = select(0.0, part_loss[0] * params.scale / total_w, total_w != 0.0);
    if (part_bad[0] != 0u) {
      let zero = value - value;
      value = zero / zero;
    }
    loss[0] = value;
  }
}
