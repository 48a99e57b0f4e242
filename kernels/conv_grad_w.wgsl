// ConvGradient's dW as an implicit GEMM on shaders/matmul_tile.wgsl: rows are the output channels
// of one group, columns the filter taps in the filter's storage order, and the depth runs over
// output pixels (batch, oy, ox). Each group's pixels are padded to `parts` splits of split_depth
// (a multiple of the 16-deep step), so split s is part s % parts of group s / parts; padded depths
// read 0. With one part, dW is the output; with more, dW is a scratch of `parts` partial filters
// (part q at dW[q * M * taps..]) that ConvGradient sums with fc_grad_b.wgsl.
// Large problems use conv_grad_w_big.wgsl.

#include "matmul_tile.wgsl"
#include "conv_geom.wgsl"
#include "conv_grad_w_io.wgsl"
