// The pass a convolution's matrix product leaves: y[c][p] = clamp(y[c][p] + bias[c], low, high),
// one read and one write of the output instead of a bias fill before the product (which then has
// to read C back) and an activation pass after it.
#include "lens_kernels.h"

void lens_bias_clamp(float *output, int channels, long positions, const float *bias, float low, float high) {
    for (int c = 0; c < channels; c++) {
        float *y = output + c * positions;
        const float b = bias ? bias[c] : 0.0f;
        for (long p = 0; p < positions; p++) {
            const float v = y[p] + b;
            y[p] = v < low ? low : (v > high ? high : v);   // NaN stays NaN, as ClipLayer and ReLULayer
        }
    }
}
