// TensorProtosDBInput: gathers one batch. CURSOR holds [position, epoch] of the batch's first
// record; output element i is element i % record of the record read at position
// cursor + i / record (wrapping into the next epoch), which is that position itself, or with
// SHUFFLE the epoch's seeded permutation of it (shaders/db_shuffle.wgsl). DATA holds every
// record's tensor, concatenated. With PACKED (uint8 storage, four elements to a word) each thread
// assembles one output word byte by byte.
#include "indexing.wgsl"
#include "db_shuffle.wgsl"

override PACKED: u32 = 0u;
override SHUFFLE: u32 = 0u;

struct Params {
  n: u32,
  record: u32,
  count: u32,
  batch: u32,
  half: u32,
  seed: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> DATA: array<u32>;
@group(0) @binding(2) var<storage, read> CURSOR: array<u32>;
@group(0) @binding(3) var<storage, read_write> Y: array<u32>;

// Index in DATA of output element i.
fn source(i: u32) -> u32 {
  let q = CURSOR[0] + i / params.record;
  var r = q % params.count;
  if (SHUFFLE != 0u) {
    r = shuffle_record(r, CURSOR[1] + q / params.count, params.count, params.half, params.seed);
  }
  return r * params.record + i % params.record;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg, 256u);
  if (PACKED == 0u) {
    if (i < params.n) {
      Y[i] = DATA[source(i)];
    }
    return;
  }
  if (i * 4u >= params.n) {
    return;
  }
  var word = 0u;
  for (var k = 0u; k < 4u; k++) {
    let e = i * 4u + k;
    if (e < params.n) {
      let s = source(e);
      word |= ((DATA[s / 4u] >> ((s % 4u) * 8u)) & 0xffu) << (k * 8u);
    }
  }
  Y[i] = word;
}
