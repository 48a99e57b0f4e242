// C = A op B elementwise with broadcasting. Each input is read through its own strides over C's
// (merged) dims, 0 where it is broadcast, so numpy-style and legacy broadcast=1 differ only on the
// host (src/ops/broadcast.ts). T is f32 or i32; integer + - * wrap as WGSL defines them.
#include "indexing.wgsl"

// 0 add, 1 sub, 2 mul, 3 div, 4 integer div (truncates toward zero; x / 0 = 0 instead of WGSL's x).
override OP: u32 = 0u;

struct Params {
  n: u32,
  rank: u32,
  shape: array<vec4<u32>, 2>,
  a_strides: array<vec4<u32>, 2>,
  b_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> A: array<T>;
@group(0) @binding(2) var<storage, read> B: array<T>;
@group(0) @binding(3) var<storage, read_write> C: array<T>;

fn apply(a: T, b: T) -> T {
  switch OP {
    case 0u: { return a + b; }
    case 1u: { return a - b; }
    case 2u: { return a * b; }
    case 3u: { return a / b; }
    default: {
      let zero = b == T(0);
      return select(a / select(b, T(1), zero), T(0), zero);
    }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (i >= params.n) {
    return;
  }
  var rem = i;
  var ia = 0u;
  var ib = 0u;
  for (var d = params.rank; d > 0u; d--) {
    let k = d - 1u;
    let extent = params.shape[k / 4u][k % 4u];
    let coord = rem % extent;
    rem = rem / extent;
    ia += coord * params.a_strides[k / 4u][k % 4u];
    ib += coord * params.b_strides[k / 4u][k % 4u];
  }
  C[i] = apply(A[min(ia, arrayLength(&A) - 1u)], B[min(ib, arrayLength(&B) - 1u)]);
}
