// Cast: Y = X converted element by element, between float32, int32 and packed uint8 storage.
// Both sides are bound as raw words; one thread writes one word of Y (four elements when Y is
// uint8, else one). Float to int truncates toward zero (WGSL saturates outside i32; C++ leaves
// that undefined). Narrow targets wrap as C++'s static_cast does on two's-complement machines.
#include "indexing.wgsl"

// Source storage: 0 float32, 1 int32, 2 uint8 (packed).
override FROM: u32 = 0u;
// Target: 0 float32, 1 int32, 2 bool (0/1 in int32), 3 uint8 (packed), 4 int8, 5 int16, 6 uint16 (in int32).
override TO: u32 = 0u;

struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<u32>;
@group(0) @binding(2) var<storage, read_write> Y: array<u32>;

fn byte_at(e: u32) -> u32 {
  return (X[e / 4u] >> (8u * (e % 4u))) & 0xffu;
}

fn as_float(e: u32) -> f32 {
  switch FROM {
    case 0u: { return bitcast<f32>(X[e]); }
    case 1u: { return f32(bitcast<i32>(X[e])); }
    default: { return f32(byte_at(e)); }
  }
}

fn as_int(e: u32) -> i32 {
  switch FROM {
    case 0u: { return i32(bitcast<f32>(X[e])); }
    case 1u: { return bitcast<i32>(X[e]); }
    default: { return i32(byte_at(e)); }
  }
}

fn is_nonzero(e: u32) -> bool {
  if (FROM == 0u) {
    return bitcast<f32>(X[e]) != 0.0;
  }
  return as_int(e) != 0;
}

// One element converted to a word of an unpacked target.
fn convert(e: u32) -> u32 {
  switch TO {
    case 0u: { return bitcast<u32>(as_float(e)); }
    case 2u: { return select(0u, 1u, is_nonzero(e)); }
    case 4u: { return bitcast<u32>((as_int(e) << 24u) >> 24u); }
    case 5u: { return bitcast<u32>((as_int(e) << 16u) >> 16u); }
    case 6u: { return bitcast<u32>(as_int(e)) & 0xffffu; }
    default: { return bitcast<u32>(as_int(e)); }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = flat_index(gid, nwg, 256u);
  if (TO == 3u) {
    var word = 0u;
    for (var j = 0u; j < 4u; j++) {
      let e = 4u * w + j;
      if (e < params.n) {
        word |= (bitcast<u32>(as_int(e)) & 0xffu) << (8u * j);
      }
    }
    if (4u * w < params.n) {
      Y[w] = word;
    }
    return;
  }
  if (w < params.n) {
    Y[w] = convert(w);
  }
}
