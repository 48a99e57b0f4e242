// Conv's forward pass as an implicit GEMM on shaders/matmul_tile.wgsl (no im2col buffer): rows are
// output pixels (batch, y, x), columns the output channels of one group, and the depth runs over
// the taps (input channel, ky, kx) of each group in turn. The depth is split at group boundaries
// (split_depth = taps per group), so split g is group g and every tile reads one group's inputs.
// A tap whose input position lies in the padding reads 0. Small problems use conv_direct.wgsl,
// large ones conv_big.wgsl.

#include "matmul_tile.wgsl"
#include "conv_geom.wgsl"
#include "conv_fwd_io.wgsl"
