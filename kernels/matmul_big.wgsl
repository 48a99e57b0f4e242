// MatMul of large products on the 128x128 tile of shaders/matmul_tile_big.wgsl, its quads read as
// four scalars; matmul_big_v4.wgsl reads them as one vec4 where the layout allows.

#include "matmul_tile_big.wgsl"
#include "matmul_layout.wgsl"
#include "matmul_operands.wgsl"
#include "matmul_out.wgsl"
