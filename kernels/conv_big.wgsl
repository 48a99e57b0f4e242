// Conv's forward pass for large problems: the implicit GEMM of conv.wgsl (operands in
// shaders/conv_fwd_io.wgsl) on the 128x128 tile of shaders/matmul_tile_big.wgsl, its quads read
// as four gathered scalars (a window's taps are not neighbours in memory).

#include "matmul_tile_big.wgsl"
#include "conv_geom.wgsl"
#include "conv_fwd_io.wgsl"
#include "scalar_quads.wgsl"
