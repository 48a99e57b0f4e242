// ConvGradient's dX as an implicit GEMM on shaders/matmul_tile.wgsl: rows are input pixels
// (batch, y, x), columns the input channels of one group, and the depth runs over (output channel
// of the group, ky, kx), split at group boundaries (split g is group g). Input pixel (y, x) met
// output (oy, ox) through tap (ky, kx) when y + pt - ky*dh = oy*sh (and likewise for x); depths
// where no such in-range output exists read 0. For few input channels per group (a 64-wide tile
// would be mostly idle) ConvGradient uses conv_grad_x_direct.wgsl instead.
// Large problems use conv_grad_x_big.wgsl.

#include "matmul_tile.wgsl"
#include "conv_geom.wgsl"
#include "conv_grad_x_io.wgsl"
