// FC (Y = X·W^T + b) on the register blocks of shaders/matmul_tile_reg.wgsl: X is MatMul's A
// [M,K] and W its B stored [N,K] (TRANS_B), bound by name.

#include "matmul_tile_reg.wgsl"
#include "matmul_layout.wgsl"
#include "matmul_operands.wgsl"
#include "fc_out.wgsl"
