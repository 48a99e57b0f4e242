/** A CPU Philox4x32-10, independent of the WGSL one, for bit-exact tests of the random ops. */

function mulhilo(a: number, b: number): [number, number] {
  const p = BigInt(a) * BigInt(b);
  return [Number(p >> 32n), Number(p & 0xffffffffn)];
}

/** Philox4x32-10 of a 4-word counter under a 2-word key (Salmon et al. 2011). */
export function philox(ctr: readonly number[], key: readonly number[]): number[] {
  let [c0, c1, c2, c3] = ctr as [number, number, number, number];
  let [k0, k1] = key as [number, number];
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + 0x9e3779b9) >>> 0;
      k1 = (k1 + 0xbb67ae85) >>> 0;
    }
    const [h0, l0] = mulhilo(0xd2511f53, c0);
    const [h1, l1] = mulhilo(0xcd9e8d57, c2);
    [c0, c1, c2, c3] = [(h1 ^ c1 ^ k0) >>> 0, l1, (h0 ^ c3 ^ k1) >>> 0, l0];
  }
  return [c0, c1, c2, c3];
}

/** The 4 words the GPU draws for one block: counter (block, stream, run), key = seed. */
export function block(seed: number, stream: number, run: number, b: number): number[] {
  return philox([b, stream, run >>> 0, Math.floor(run / 2 ** 32) >>> 0], [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0]);
}

