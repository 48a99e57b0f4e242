/**
 * TensorProtosDBInput's shuffle in TypeScript, bit for bit what shaders/db_shuffle.wgsl computes on
 * the GPU (a keyed 4-round Feistel permutation with cycle-walking): the streamed form gathers its
 * windows with it on the host, the whole-DB form on the GPU, and both read the same records.
 */

const mix = (x: number): number => {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
};

/** Half the bits of the smallest even-width power of two covering `count` (at least 1). */
export function shuffleHalfBits(count: number): number {
  let bits = 2;
  while (2 ** bits < count) bits += 2;
  return bits / 2;
}

/** The record read at position `i` of epoch `epoch` (both < 2^32) of a DB of `count` records. */
export function shuffleRecord(i: number, epoch: number, count: number, half: number, seed: number): number {
  const mask = (1 << half) - 1;
  const key = mix((seed ^ mix(epoch)) >>> 0);
  let x = i;
  do {
    let l = x >>> half;
    let r = x & mask;
    for (let round = 0; round < 4; round++) {
      const f = mix((r ^ mix((key + round) >>> 0)) >>> 0) & mask;
      const next = (l ^ f) >>> 0;
      l = r;
      r = next;
    }
    x = ((l << half) | r) >>> 0;
  } while (x >= count);
  return x;
}
