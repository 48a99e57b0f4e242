// MatMul-layout products (Y = op(A)·op(B), shaders/matmul_layout.wgsl) on the register blocks of
// shaders/matmul_tile_reg.wgsl: FCGradient's dW and dX where a 128x128 tile would sit half idle.

#include "matmul_tile_reg.wgsl"
#include "matmul_layout.wgsl"
#include "matmul_operands.wgsl"
#include "matmul_out.wgsl"
