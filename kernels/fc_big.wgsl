// FC of large products (Y = X·W^T + b) on the 128x128 tile of shaders/matmul_tile_big.wgsl: X is
// MatMul's A [M,K] and W its B stored [N,K] (TRANS_B), bound by name; quads read as four scalars.
// fc_big_v4.wgsl reads vec4s when K is a multiple of 4.

#include "matmul_tile_big.wgsl"
#include "matmul_layout.wgsl"
#include "matmul_operands.wgsl"
#include "fc_out.wgsl"
