// Element offset of flat index `i` of a walk over up to 8 dims: `i` is decomposed row-major over
// `shape` (the last dim fastest) and each coordinate is multiplied by its `stride`. Shapes and
// strides arrive in uniforms as array<vec4<u32>, 2> (dim k at [k / 4][k % 4]).
fn strided_offset(i: u32, rank: u32, shape: array<vec4<u32>, 2>, stride: array<vec4<u32>, 2>) -> u32 {
  var rem = i;
  var at = 0u;
  for (var d = rank; d > 0u; d--) {
    let k = d - 1u;
    let extent = shape[k / 4u][k % 4u];
    at += (rem % extent) * stride[k / 4u][k % 4u];
    rem = rem / extent;
  }
  return at;
}
