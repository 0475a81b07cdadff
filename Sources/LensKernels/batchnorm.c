// Batch normalisation's passes over one channel c of x [N, C, P] (P = H·W), the planes
// x[n·stride .. n·stride + P) for n < N (stride = C·P). BatchNormLayer.swift holds the equations;
// these are its loops. Each sum runs in 16 independent lanes added at the end: a single float
// accumulator is one dependent add per element (4 cycles each) that no compiler may reorder, and it
// made these passes a fifth of a BatchNorm CNN's training. The lanes fix the order of the sums, so
// every ISA's copy returns the same bits up to fused multiply-adds.
#include "lens_kernels.h"

#define BN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#define LANES 16

static inline float lanes_total(const float lane[LANES]) {
    float total = 0;
    for (int j = 0; j < LANES; j++) total += lane[j];
    return total;
}

BN_CLONES void lens_bn_sums(const float *x, long planes, long stride, long plane, float centre, float *sum, float *square) {
    float s[LANES] = {0}, q[LANES] = {0}, ts = 0, tq = 0;
    for (long n = 0; n < planes; n++) {
        const float *xp = x + n * stride;
        long i = 0;
        for (; i + LANES <= plane; i += LANES) {
            for (int j = 0; j < LANES; j++) {
                const float d = xp[i + j] - centre;
                s[j] += d;
                q[j] += d * d;
            }
        }
        for (; i < plane; i++) {
            const float d = xp[i] - centre;
            ts += d;
            tq += d * d;
        }
    }
    *sum = lanes_total(s) + ts;
    *square = lanes_total(q) + tq;
}

BN_CLONES void lens_bn_gradient_sums(const float *x, const float *dy, long planes, long stride, long plane,
                                     float mean, float inverse, float *sum, float *product) {
    float s[LANES] = {0}, p[LANES] = {0}, ts = 0, tp = 0;
    for (long n = 0; n < planes; n++) {
        const float *xp = x + n * stride, *gp = dy + n * stride;
        long i = 0;
        for (; i + LANES <= plane; i += LANES) {
            for (int j = 0; j < LANES; j++) {
                s[j] += gp[i + j];
                p[j] += gp[i + j] * ((xp[i + j] - mean) * inverse);
            }
        }
        for (; i < plane; i++) {
            ts += gp[i];
            tp += gp[i] * ((xp[i] - mean) * inverse);
        }
    }
    *sum = lanes_total(s) + ts;
    *product = lanes_total(p) + tp;
}

BN_CLONES void lens_bn_affine(const float *x, float *y, long planes, long stride, long plane, float scale, float shift) {
    for (long n = 0; n < planes; n++) {
        const float *xp = x + n * stride;
        float *yp = y + n * stride;
        for (long i = 0; i < plane; i++) yp[i] = scale * xp[i] + shift;
    }
}

BN_CLONES void lens_bn_input_gradient(const float *x, const float *dy, float *dx, long planes, long stride, long plane,
                                      float scale, float mean, float inverse, float mean_gradient, float mean_product) {
    for (long n = 0; n < planes; n++) {
        const float *xp = x + n * stride, *gp = dy + n * stride;
        float *dp = dx + n * stride;
        for (long i = 0; i < plane; i++) dp[i] = scale * (gp[i] - mean_gradient - (xp[i] - mean) * inverse * mean_product);
    }
}
