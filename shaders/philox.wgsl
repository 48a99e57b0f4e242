// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"): a counter-based
// generator, so every element's random bits are a pure function of (seed, stream, run counter, index)
// and a fill needs no per-thread or per-run host state.

const PHILOX_M0: u32 = 0xD2511F53u;
const PHILOX_M1: u32 = 0xCD9E8D57u;
const PHILOX_W0: u32 = 0x9E3779B9u;
const PHILOX_W1: u32 = 0xBB67AE85u;

// Full 32x32 -> 64-bit product as (hi, lo); WGSL has no mulhi, so build it from 16-bit halves.
fn philox_mulhilo(a: u32, b: u32) -> vec2u {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let p0 = a_lo * b_lo;
  let p1 = a_lo * b_hi;
  let p2 = a_hi * b_lo;
  let p3 = a_hi * b_hi;
  let mid = (p0 >> 16u) + (p1 & 0xffffu) + (p2 & 0xffffu);
  let hi = p3 + (p1 >> 16u) + (p2 >> 16u) + (mid >> 16u);
  return vec2u(hi, a * b);
}

fn philox_round(ctr: vec4u, key: vec2u) -> vec4u {
  let r0 = philox_mulhilo(PHILOX_M0, ctr.x);
  let r1 = philox_mulhilo(PHILOX_M1, ctr.z);
  return vec4u(r1.x ^ ctr.y ^ key.x, r1.y, r0.x ^ ctr.w ^ key.y, r0.y);
}

fn philox4x32_10(ctr: vec4u, key: vec2u) -> vec4u {
  var c = ctr;
  var k = key;
  for (var i = 0u; i < 10u; i++) {
    if (i > 0u) {
      k = k + vec2u(PHILOX_W0, PHILOX_W1);
    }
    c = philox_round(c, k);
  }
  return c;
}

// Four random words for block `blk` of an op's output. `state` is the workspace RNG buffer
// [seed_lo, seed_hi, counter_lo, counter_hi]; the counter advances once per net run, and `stream`
// tells the ops of one net apart.
fn philox_block(state: vec4u, stream: u32, blk: u32) -> vec4u {
  return philox4x32_10(vec4u(blk, stream, state.z, state.w), state.xy);
}

// Uniform in [0, 1) from the top 24 bits.
fn philox_unit(x: u32) -> f32 {
  return f32(x >> 8u) * (1.0 / 16777216.0);
}

// Uniform in (0, 1]: safe under log().
fn philox_unit_open0(x: u32) -> f32 {
  return (f32(x >> 8u) + 1.0) * (1.0 / 16777216.0);
}

// Two standard normals from two words (Box-Muller).
fn philox_normal2(a: u32, b: u32) -> vec2f {
  let r = sqrt(-2.0 * log(philox_unit_open0(a)));
  let t = 6.283185307179586 * philox_unit(b);
  return vec2f(r * cos(t), r * sin(t));
}
