// Accuracy in one workgroup: each invocation ranks the labels of rows lid, lid + WG, … (rank = 1 +
// classes scoring higher + classes scoring equal at a lower index), counts those within top_k,
// and a tree sums the counts. A label outside [0, cols) makes the result NaN (the host rejects
// the ones it knows).
override WG: u32 = 64u;

struct Params {
  rows: u32,
  cols: u32,
  top_k: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> predictions: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<i32>;
@group(0) @binding(3) var<storage, read_write> accuracy: array<f32>;

var<workgroup> part_correct: array<u32, WG>;
var<workgroup> part_bad: array<u32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var correct = 0u;
  var bad = 0u;
  for (var i = lid; i < params.rows; i += WG) {
    let label = labels[i];
    if (label < 0 || label >= i32(params.cols)) {
      bad = 1u;
      continue;
    }
    let base = i * params.cols;
    let score = predictions[base + u32(label)];
    var rank = 1u;
    for (var j = 0u; j < params.cols && rank <= params.top_k; j++) {
      let v = predictions[base + j];
      rank += u32(v > score || (v == score && i32(j) < label));
    }
    correct += u32(rank <= params.top_k);
  }
  part_correct[lid] = correct;
  part_bad[lid] = bad;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      part_correct[lid] += part_correct[lid + stride];
      part_bad[lid] = max(part_bad[lid], part_bad[lid + stride]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    var value = f32(part_correct[0]) / f32(params.rows);
    if (part_bad[0] != 0u) {
      let zero = value * 0.0;
      value = zero / zero;
    }
    accuracy[0] = value;
  }
}
