// Where MatMul's operands live: op(A) is A [M,K] or, with TRANS_A, the transpose of A stored as
// [K,M]; likewise op(B) is B [K,N] or B stored as [N,K]. Shared by the MatMul kernels of both tile
// sizes (they include a tile file first, which owns params: rows = M, cols = N, depth = K).
// The transposes are override constants: one pipeline per combination, no branch per load.

override TRANS_A: bool = false;
override TRANS_B: bool = false;

// A stored [M,K] walks K contiguously; stored [K,M] (transposed) it does not. B is the reverse.
override A_DEPTH_CONTIGUOUS: bool = !TRANS_A;
override B_DEPTH_CONTIGUOUS: bool = TRANS_B;

// Element index of op(A)[m, k] in A.
fn a_index(m: u32, k: u32) -> u32 {
  return select(m * params.depth + k, k * params.rows + m, TRANS_A);
}

// Element index of op(B)[k, n] in B.
fn b_index(n: u32, k: u32) -> u32 {
  return select(k * params.cols + n, n * params.depth + k, TRANS_B);
}
