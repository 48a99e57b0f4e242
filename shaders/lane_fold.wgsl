// Folding the partial values of threads that share one output, in workgroup memory: `lanes`
// consecutive threads (a power of two dividing the workgroup of at most 256) each hold one value
// and the first of them gets the combination of all. The including kernel defines
// `fn combine(a: f32, b: f32) -> f32` (sum, max, ...), associative and commutative.

var<workgroup> partial: array<f32, 256>;

// Returns the fold of the `lanes` values of this thread's group to its lane 0 (other lanes get a
// partial result). Call in uniform control flow with a uniform `lanes`: it holds barriers.
fn fold_lanes(lid: u32, lane: u32, lanes: u32, value: f32) -> f32 {
  partial[lid] = value;
  for (var s = lanes / 2u; s > 0u; s /= 2u) {
    workgroupBarrier();
    if (lane < s) {
      partial[lid] = combine(partial[lid], partial[lid + s]);
    }
  }
  return partial[lid];
}
