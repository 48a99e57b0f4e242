// MatMul: Y[M,N] = op(A)·op(B) with A and B row-major (layouts in shaders/matmul_layout.wgsl), as
// the tiled product of shaders/matmul_tile.wgsl with rows = M, cols = N, depth = K. Large
// products take matmul_big.wgsl or matmul_big_v4.wgsl instead.

#include "matmul_tile.wgsl"
#include "matmul_layout.wgsl"
#include "matmul_operands.wgsl"
#include "matmul_out.wgsl"
