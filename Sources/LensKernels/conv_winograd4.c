// Winograd F(4x4, 3x3) (Lavin & Gray 2016): the same scheme as conv_winograd.c with 4x4 output tiles,
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,   d the tile's 6x6 input patch,
// so 36 matrix products M[ξ][out, T] = U[ξ][out, C] · V[ξ][C, T] per 16 outputs: 2.25 multiplies per
// output instead of F(2x2)'s 4 (and 9 directly). The points 0, ±1, 2, −1/2 (and ∞) instead of the usual
// 0, ±1, ±2: the error the float transforms add, simulated over 128 channels, about half at the worst
// output and 15% lower on average, and G g Gᵀ is made in double (its thirds and fifteenths rounded once).
//
//   Bᵀ = | 1  3/2   -2  -3/2    1  0 |   G = |     1     0     0 |   Aᵀ = | 1  1  1  1     1  0 |
//        | 0   -1 -5/2  -1/2    1  0 |       |  -1/3  -1/3  -1/3 |        | 0  1 -1  2  -1/2  0 |
//        | 0    1  1/2  -5/2    1  0 |       |   1/3  -1/3   1/3 |        | 0  1  1  4   1/4  0 |
//        | 0 -1/2   -1   1/2    1  0 |       |  1/15  2/15  4/15 |        | 0  1 -1  8  -1/8  1 |
//        | 0    2   -1    -2    1  0 |       |-16/15  8/15 -4/15 |
//        | 0    1  3/2    -2 -3/2  1 |       |     0     0     1 |
#include "conv_winograd_plane.h"
#include "lens_kernels.h"

#define WINOGRAD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

// The six rows of G·(g0, g1, g2)ᵀ.
static void g_times(double g0, double g1, double g2, double r[6]) {
    r[0] = g0;
    r[1] = -(g0 + g1 + g2) / 3.0;
    r[2] = (g0 - g1 + g2) / 3.0;
    r[3] = (g0 + 2.0 * g1 + 4.0 * g2) / 15.0;
    r[4] = (-16.0 * g0 + 8.0 * g1 - 4.0 * g2) / 15.0;
    r[5] = g2;
}

void lens_winograd4_weights(const float *weight, int outputs, int channels, int gradient, float *transformed) {
    const long block = (long)outputs * channels;
    for (int o = 0; o < outputs; o++) {
        for (int c = 0; c < channels; c++) {
            const float *w = weight + ((long)o * channels + c) * 9;
            double g[9], t[6][3], u[6];
            // The input gradient correlates dy with the kernel turned 180°: g'[ky][kx] = g[2-ky][2-kx].
            for (int k = 0; k < 9; k++) g[k] = gradient ? w[8 - k] : w[k];
            for (int j = 0; j < 3; j++) {   // t = G g  [6, 3]
                double r[6];
                g_times(g[j], g[3 + j], g[6 + j], r);
                for (int i = 0; i < 6; i++) t[i][j] = r[i];
            }
            const long at = gradient ? (long)c * outputs + o : (long)o * channels + c;
            for (int i = 0; i < 6; i++) {   // u = t Gᵀ, stored at U[ξ = 6i + j]
                g_times(t[i][0], t[i][1], t[i][2], u);
                for (int j = 0; j < 6; j++) transformed[(6 * i + j) * block + at] = (float)u[j];
            }
        }
    }
}

// t = Bᵀ d for one row of tiles, elementwise over each of its phases: d its six plane rows (pw floats apart),
// into T[i][k][ty][q] at t (T's rows span floats apart). Restrict parameters: clang keeps no restrict of locals,
// and plane and T lie in one scratch, so it would check their overlap at run time.
static inline __attribute__((always_inline)) void rows_times_bt(const float *restrict d, int pw, int length,
                                                                float *restrict t, long span) {
    for (int k = 0; k < 4; k++) {
        const float *d0 = d + k * length, *d1 = d0 + pw, *d2 = d1 + pw, *d3 = d2 + pw, *d4 = d3 + pw, *d5 = d4 + pw;
        float *t0 = t + k * span, *t1 = t0 + 4 * span, *t2 = t1 + 4 * span, *t3 = t2 + 4 * span;
        float *t4 = t3 + 4 * span, *t5 = t4 + 4 * span;
        WINOGRAD_FLAT_LOOP
        for (int q = 0; q < length; q++) {
            t0[q] = d0[q] + 1.5f * (d1[q] - d3[q]) - 2.0f * d2[q] + d4[q];
            t1[q] = -d1[q] - 2.5f * d2[q] - 0.5f * d3[q] + d4[q];
            t2[q] = d1[q] + 0.5f * d2[q] - 2.5f * d3[q] + d4[q];
            t3[q] = 0.5f * (d3[q] - d1[q]) - d2[q] + d4[q];
            t4[q] = 2.0f * (d1[q] - d3[q]) - d2[q] + d4[q];
            t5[q] = d1[q] + 1.5f * (d2[q] - d4[q]) - 2.0f * d3[q] + d5[q];
        }
    }
}

// v = t B for row i of every tile at once: p = T[i] (four phases, span floats apart), into wide[ξ = 6i + j] at v.
static inline __attribute__((always_inline)) void columns_times_b(const float *restrict p, float *restrict v, long span) {
    const float *p0 = p, *p1 = p0 + span, *p2 = p1 + span, *p3 = p2 + span;
    float *v0 = v, *v1 = v0 + span, *v2 = v1 + span, *v3 = v2 + span, *v4 = v3 + span, *v5 = v4 + span;
    WINOGRAD_FLAT_LOOP
    for (long f = 0; f < span - 1; f++) {
        const float a0 = p0[f], a1 = p1[f], a2 = p2[f], a3 = p3[f], a4 = p0[f + 1], a5 = p1[f + 1];
        v0[f] = a0 + 1.5f * (a1 - a3) - 2.0f * a2 + a4;
        v1[f] = -a1 - 2.5f * a2 - 0.5f * a3 + a4;
        v2[f] = a1 + 0.5f * a2 - 2.5f * a3 + a4;
        v3[f] = 0.5f * (a3 - a1) - a2 + a4;
        v4[f] = 2.0f * (a1 - a3) - a2 + a4;
        v5[f] = a1 + 1.5f * (a2 - a4) - 2.0f * a3 + a5;
    }
}

// Channels [first, end) through the steps above (conv_winograd_plane.h: winograd_input_channels).
WINOGRAD_CLONES void lens_winograd4_input(const float *image, int channels, int height, int width, int pad_top,
                                          int pad_left, int tiles_y, int tiles_x, int first, int end, float *plane,
                                          float *transformed, long column, long columns, int packed_width,
                                          int packed_depth) {
    winograd_input_channels(image, 4, channels, height, width, pad_top, pad_left, tiles_y, tiles_x, first, end, plane,
                            transformed, column, columns, packed_width, packed_depth, rows_times_bt, columns_times_b);
}

// r = clamp(Aᵀ m A + b) for every tile at once: m = M[0][o] (M[ξ = 6k + j] at m + (6k + j)·block), into
// r[i][j] = output row i, column j of each tile (4i + j arrays, stride floats apart). t = Aᵀ m per tile stays in
// registers (two flat loops with t in memory between them measured slower); NaN stays NaN.
static inline __attribute__((always_inline)) void tiles_times_a(const float *restrict m, long block, long tiles, float b,
                                                                float low, float high, float *restrict r, long stride) {
    const long k6 = 6 * block;
    WINOGRAD_FLAT_LOOP
    for (long f = 0; f < tiles; f++) {
        float t[4][6];
        const float *mf = m + f;
#pragma clang loop unroll(full)
        for (int j = 0; j < 6; j++) {
            const float *mj = mf + j * block;
            const float m0 = mj[0], m1 = mj[k6], m2 = mj[2 * k6], a3 = mj[3 * k6], a4 = mj[4 * k6], m5 = mj[5 * k6];
            const float s12 = m1 + m2, d12 = m1 - m2;
            t[0][j] = m0 + s12 + a3 + a4;
            t[1][j] = d12 + 2.0f * a3 - 0.5f * a4;
            t[2][j] = s12 + 4.0f * a3 + 0.25f * a4;
            t[3][j] = d12 + 8.0f * a3 - 0.125f * a4 + m5;
        }
        float *rf = r + f;
#pragma clang loop unroll(full)
        for (int i = 0; i < 4; i++) {
            const float *a = t[i], s12 = a[1] + a[2], d12 = a[1] - a[2];
            rf[(4 * i) * stride] = clamp_to(a[0] + s12 + a[3] + a[4] + b, low, high);
            rf[(4 * i + 1) * stride] = clamp_to(d12 + 2.0f * a[3] - 0.5f * a[4] + b, low, high);
            rf[(4 * i + 2) * stride] = clamp_to(s12 + 4.0f * a[3] + 0.25f * a[4] + b, low, high);
            rf[(4 * i + 3) * stride] = clamp_to(d12 + 8.0f * a[3] - 0.125f * a[4] + a[5] + b, low, high);
        }
    }
}

// Output channels [first, end), each over all its tiles flattened (WINOGRAD_FLAT_LOOP, as the input transform's
// column step; rows of 7-14 tiles each left a masked vector or two): r = Aᵀ m A + b clamped as r[i][j][tile]
// (tiles_times_a), then every output row interleaved from r (winograd_interleave). `scratch` holds
// lens_winograd4_output_scratch floats. With gate_values, each channel is then gated in place while in cache
// (lens_clamp_backward: dx = the clamp's backward of dx, gate_values the clamp's output).
WINOGRAD_CLONES void lens_winograd4_output(const float *products, int outputs, int tiles_y, int tiles_x,
                                           int out_height, int out_width, int first, int end, const float *bias,
                                           float low, float high, float *scratch, const float *gate_values,
                                           float gate_low, float gate_top, int gate_mode, long columns, float *output) {
    const long tiles = (long)tiles_y * tiles_x, block = columns * outputs, stride = tiles + 8, plane = (long)out_height * out_width;
    float *r = scratch;   // r[4][4][stride]
    for (int o = first; o < end; o++) {
        const float b = bias ? bias[o] : 0.0f;
        float *y = output + (long)o * plane;
        tiles_times_a(products + (long)o * columns, block, tiles, b, low, high, r, stride);
        for (int ty = 0; ty < tiles_y; ty++) {
            const int rows = out_height - 4 * ty < 4 ? out_height - 4 * ty : 4;
            for (int i = 0; i < rows; i++) {
                const float *base = r + 4 * i * stride + (long)ty * tiles_x;
                const float *const row[4] = {base, base + stride, base + 2 * stride, base + 3 * stride};
                const long at = (long)(4 * ty + i) * out_width;
                winograd_interleave(row, 4, out_width, plane - at, y + at);
            }
        }
        if (gate_values) lens_clamp_backward(y, gate_values + (long)o * plane, y, plane, gate_low, gate_top, gate_mode, LENS_LEVEL_CHOSEN);
    }
}

long lens_winograd4_output_scratch(int tiles_y, int tiles_x) { return 16L * tiles_y * tiles_x + 128; }
