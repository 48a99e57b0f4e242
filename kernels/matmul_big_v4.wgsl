// MatMul of large products on the 128x128 tile of shaders/matmul_tile_big.wgsl, A and B read as
// vec4s (both contiguous extents are multiples of 4).

#include "matmul_tile_big.wgsl"
#include "matmul_layout.wgsl"
#include "matmul_operands_v4.wgsl"
#include "matmul_out.wgsl"
