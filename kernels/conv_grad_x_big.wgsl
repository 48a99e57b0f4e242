// ConvGradient's dX for large problems: the implicit GEMM of conv_grad_x.wgsl (operands in
// shaders/conv_grad_x_io.wgsl) on the 128x128 tile of shaders/matmul_tile_big.wgsl, its quads read as
// four gathered scalars.

#include "matmul_tile_big.wgsl"
#include "conv_geom.wgsl"
#include "conv_grad_x_io.wgsl"
#include "scalar_quads.wgsl"
