// FC of large products on the 128x128 tile, as fc_big.wgsl with X and W read as vec4s (K a
// multiple of 4).

#include "matmul_tile_big.wgsl"
#include "matmul_layout.wgsl"
#include "matmul_operands_v4.wgsl"
#include "fc_out.wgsl"
