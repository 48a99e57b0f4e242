// Summarize: S = [min, max, mean, std] of X (std unbiased, 0 for one element), as Caffe2 computes
// them: one workgroup, a strided pass for min/max/sum and a second for the squared deviations, each
// combined by a tree in workgroup memory. One workgroup keeps it to one dispatch; Summarize is a
// debugging aid, not a hot path.
struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> S: array<f32>;

var<workgroup> lo: array<f32, 256>;
var<workgroup> hi: array<f32, 256>;
var<workgroup> acc: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  var mn = X[0];
  var mx = X[0];
  var s = 0.0;
  for (var i = lid; i < n; i += 256u) {
    let v = X[i];
    mn = min(mn, v);
    mx = max(mx, v);
    s += v;
  }
  lo[lid] = mn;
  hi[lid] = mx;
  acc[lid] = s;
  workgroupBarrier();
  for (var k = 128u; k > 0u; k >>= 1u) {
    if (lid < k) {
      lo[lid] = min(lo[lid], lo[lid + k]);
      hi[lid] = max(hi[lid], hi[lid + k]);
      acc[lid] += acc[lid + k];
    }
    workgroupBarrier();
  }
  let mean = acc[0] / f32(n);
  workgroupBarrier();
  var d = 0.0;
  for (var i = lid; i < n; i += 256u) {
    let e = X[i] - mean;
    d += e * e;
  }
  acc[lid] = d;
  workgroupBarrier();
  for (var k = 128u; k > 0u; k >>= 1u) {
    if (lid < k) {
      acc[lid] += acc[lid + k];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    S[0] = lo[0];
    S[1] = hi[0];
    S[2] = mean;
    S[3] = select(sqrt(acc[0] / f32(n - 1u)), 0.0, n == 1u);
  }
}
