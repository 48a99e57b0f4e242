// ConvGradient's dW for large problems: the implicit GEMM of conv_grad_w.wgsl (operands in
// shaders/conv_grad_w_io.wgsl) on the 128x128 tile of shaders/matmul_tile_big.wgsl, its quads read as
// four gathered scalars.

#include "matmul_tile_big.wgsl"
#include "conv_geom.wgsl"
#include "conv_grad_w_io.wgsl"
#include "scalar_quads.wgsl"
