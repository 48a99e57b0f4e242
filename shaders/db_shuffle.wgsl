// TensorProtosDBInput's shuffle: position i of epoch e reads record shuffle_record(i, e), a
// bijection of [0, count) chosen by (seed, epoch). A 4-round Feistel network permutes the
// 2^(2·half) values that cover count, and cycle-walking skips those >= count (fewer than 3 of
// every 4 values, so a few steps at most). src/ops/db_shuffle.ts computes the same in TypeScript.

fn shuffle_mix(x: u32) -> u32 {
  var h = x;
  h ^= h >> 16u;
  h *= 0x7feb352du;
  h ^= h >> 15u;
  h *= 0x846ca68bu;
  h ^= h >> 16u;
  return h;
}

fn shuffle_record(i: u32, epoch: u32, count: u32, half: u32, seed: u32) -> u32 {
  let mask = (1u << half) - 1u;
  let key = shuffle_mix(seed ^ shuffle_mix(epoch));
  var x = i;
  loop {
    var l = x >> half;
    var r = x & mask;
    for (var round = 0u; round < 4u; round++) {
      let f = shuffle_mix(r ^ shuffle_mix(key + round)) & mask;
      let next = l ^ f;
      l = r;
      r = next;
    }
    x = (l << half) | r;
    if (x < count) {
      break;
    }
  }
  return x;
}
