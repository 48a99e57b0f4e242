// dX = scale · Σ term(dC, P, Q) over the axes along which input X was broadcast: the gradient of
// one input of a broadcasting elementwise op, summed down to that input's shape. The walk over C's
// dims is split on the host (splitReduction in src/ops/broadcast.ts) into the dims X keeps, which
// enumerate dX in order, and the dims it is summed over. `lanes` threads (a power of two dividing
// the workgroup) share one output: each sums a strided share of the positions, then they combine
// in workgroup memory; lanes = 1 is one thread per output, 256 one workgroup per output.
#include "indexing.wgsl"
#include "lane_fold.wgsl"

// 0: dC, 1: dC·P, 2: dC/P, 3: dC·P/Q.
override TERM: u32 = 0u;

struct Params {
  n_out: u32,
  n_red: u32,
  keep_rank: u32,
  red_rank: u32,
  lanes: u32,
  scale: f32,
  keep_shape: array<vec4<u32>, 2>,
  keep_c: array<vec4<u32>, 2>,
  keep_p: array<vec4<u32>, 2>,
  keep_q: array<vec4<u32>, 2>,
  red_shape: array<vec4<u32>, 2>,
  red_c: array<vec4<u32>, 2>,
  red_p: array<vec4<u32>, 2>,
  red_q: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dC: array<f32>;
@group(0) @binding(2) var<storage, read> P: array<f32>;
@group(0) @binding(3) var<storage, read> Q: array<f32>;
@group(0) @binding(4) var<storage, read_write> dX: array<f32>;

fn combine(a: f32, b: f32) -> f32 {
  return a + b;
}

fn term(g: f32, p: f32, q: f32) -> f32 {
  switch TERM {
    case 0u: { return g; }
    case 1u: { return g * p; }
    case 2u: { return g / p; }
    default: { return g * p / q; }
  }
}

@compute @workgroup_size(256)
fn main(
  @builtin(global_invocation_id) gid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = flat_index(gid, nwg, 256u);
  let lanes = params.lanes;
  let o = i / lanes;
  let lane = i % lanes;
  var acc = 0.0;
  if (o < params.n_out) {
    var rem = o;
    var base = vec3u(0u);
    for (var d = params.keep_rank; d > 0u; d--) {
      let k = d - 1u;
      let extent = params.keep_shape[k / 4u][k % 4u];
      let coord = rem % extent;
      rem = rem / extent;
      base += coord * vec3u(params.keep_c[k / 4u][k % 4u], params.keep_p[k / 4u][k % 4u], params.keep_q[k / 4u][k % 4u]);
    }
    let last = vec3u(arrayLength(&dC), arrayLength(&P), arrayLength(&Q)) - 1u;
    for (var r = lane; r < params.n_red; r += lanes) {
      var rr = r;
      var at = base;
      for (var d = params.red_rank; d > 0u; d--) {
        let k = d - 1u;
        let extent = params.red_shape[k / 4u][k % 4u];
        let coord = rr % extent;
        rr = rr / extent;
        at += coord * vec3u(params.red_c[k / 4u][k % 4u], params.red_p[k / 4u][k % 4u], params.red_q[k / 4u][k % 4u]);
      }
      at = min(at, last);
      acc += term(dC[at.x], P[at.y], Q[at.z]);
    }
  }
  let total = fold_lanes(lid, lane, lanes, acc);
  if (o < params.n_out && lane == 0u) {
    dX[o] = params.scale * total;
  }
}
