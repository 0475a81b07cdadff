// The pass a convolution's matrix product leaves: y[c][p] = clamp(y[c][p] + bias[c], low, high),
// one read and one write of the output instead of a bias fill before the product (which then has
// to read C back) and an activation pass after it. The vector loops are elementwise.c's.
#include "lens_kernels.h"

void lens_bias_clamp(float *output, int channels, long positions, const float *bias, float low, float high) {
    lens_bias_clamp_rows(output, channels, positions, positions, bias, low, high, LENS_LEVEL_CHOSEN);
}
