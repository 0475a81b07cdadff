// Winograd F(2x2, 3x3) (Lavin & Gray 2016) for 3x3 stride-1 convolutions: each 2x2 output tile is
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
// with d the tile's 4x4 input patch and g a 3x3 kernel. Summed over input channels, the ⊙ becomes 16
// matrix products (one per position ξ of the 4x4 transformed tile):
//   M[ξ][out, T] = U[ξ][out, C] · V[ξ][C, T]
// so 16 multiplies per 4 outputs (2.25x fewer than 36). These functions are the three transforms;
// the products run through lens_sgemm (LensModels' ConvolutionWinograd.swift).
//
//   Bᵀ = | 1  0 -1  0 |     G = | 1    0    0  |     Aᵀ = | 1  1  1  0 |
//        | 0  1  1  0 |         | 1/2  1/2  1/2 |          | 0  1 -1 -1 |
//        | 0 -1  1  0 |         | 1/2 -1/2  1/2 |
//        | 0  1  0 -1 |         | 0    0    1  |
#include "conv_winograd_plane.h"
#include "lens_kernels.h"

// The transforms are plain loops over contiguous channels; the compiler vectorises a copy for each ISA.
#define WINOGRAD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

// u = G g Gᵀ for one row-major 3x3 g.
static void transform_kernel(const float g[9], float u[16]) {
    float t[4][3];   // t = G g  [4, 3]
    for (int j = 0; j < 3; j++) {
        const float g0 = g[j], g1 = g[3 + j], g2 = g[6 + j];
        t[0][j] = g0;
        t[1][j] = 0.5f * (g0 + g1 + g2);
        t[2][j] = 0.5f * (g0 - g1 + g2);
        t[3][j] = g2;
    }
    for (int i = 0; i < 4; i++) {   // u = t Gᵀ  [4, 4]
        const float t0 = t[i][0], t1 = t[i][1], t2 = t[i][2];
        u[4 * i + 0] = t0;
        u[4 * i + 1] = 0.5f * (t0 + t1 + t2);
        u[4 * i + 2] = 0.5f * (t0 - t1 + t2);
        u[4 * i + 3] = t2;
    }
}

void lens_winograd_weights(const float *weight, int outputs, int channels, int gradient, float *transformed) {
    const long block = (long)outputs * channels;
    for (int o = 0; o < outputs; o++) {
        for (int c = 0; c < channels; c++) {
            const float *w = weight + ((long)o * channels + c) * 9;
            float g[9], u[16];
            // The input gradient is the correlation of dy with the kernel turned 180°: g'[ky][kx] = g[2-ky][2-kx].
            for (int k = 0; k < 9; k++) g[k] = gradient ? w[8 - k] : w[k];
            transform_kernel(g, u);
            // Forward: U[ξ][out, C]; gradient: U'[ξ][C, out] (the product's K is then out).
            const long at = gradient ? (long)c * outputs + o : (long)o * channels + c;
            for (int xi = 0; xi < 16; xi++) transformed[xi * block + at] = u[xi];
        }
    }
}

// t = Bᵀ d for one row of tiles, elementwise over each of its phases: d its four plane rows (pw floats apart),
// into T[i][k][ty][q] at t (T's rows span floats apart). Restrict parameters: clang keeps no restrict of locals,
// and plane and T lie in one scratch, so it would check their overlap at run time.
static inline __attribute__((always_inline)) void rows_times_bt(const float *restrict d, int pw, int length,
                                                                float *restrict t, long span) {
    for (int k = 0; k < 2; k++) {
        const float *d0 = d + k * length, *d1 = d0 + pw, *d2 = d1 + pw, *d3 = d2 + pw;
        float *t0 = t + k * span, *t1 = t0 + 2 * span, *t2 = t1 + 2 * span, *t3 = t2 + 2 * span;
        WINOGRAD_FLAT_LOOP
        for (int q = 0; q < length; q++) {
            t0[q] = d0[q] - d2[q];
            t1[q] = d1[q] + d2[q];
            t2[q] = d2[q] - d1[q];
            t3[q] = d1[q] - d3[q];
        }
    }
}

// v = t B for row i of every tile at once: p = T[i] (two phases, span floats apart), into wide[ξ = 4i + j] at v.
static inline __attribute__((always_inline)) void columns_times_b(const float *restrict p, float *restrict v, long span) {
    const float *even = p, *odd = p + span;
    float *v0 = v, *v1 = v0 + span, *v2 = v1 + span, *v3 = v2 + span;
    WINOGRAD_FLAT_LOOP
    for (long f = 0; f < span - 1; f++) {
        const float a0 = even[f], a1 = odd[f], a2 = even[f + 1], a3 = odd[f + 1];
        v0[f] = a0 - a2;
        v1[f] = a1 + a2;
        v2[f] = a2 - a1;
        v3[f] = a1 - a3;
    }
}

// Both transforms run over channels [first, end) with the tiles innermost, so that the stores of
// the input transform and the loads of the output transform are contiguous runs of tiles; the input
// transform through the steps above (conv_winograd_plane.h: winograd_input_channels).
WINOGRAD_CLONES void lens_winograd_input(const float *image, int channels, int height, int width, int pad_top,
                                         int pad_left, int tiles_y, int tiles_x, int first, int end, float *plane,
                                         float *transformed, long column, long columns, int packed_width, int packed_depth) {
    winograd_input_channels(image, 2, channels, height, width, pad_top, pad_left, tiles_y, tiles_x, first, end, plane,
                            transformed, column, columns, packed_width, packed_depth, rows_times_bt, columns_times_b);
}

// r = clamp(Aᵀ m A + b) for every tile at once: m = M[0][o] (M[ξ = 4k + j] at m + (4k + j)·block), into
// r[i][j] = output row i, column j of each tile (2i + j arrays, stride floats apart), t = Aᵀ m per tile kept in
// registers; NaN stays NaN.
static inline __attribute__((always_inline)) void tiles_times_a(const float *restrict m, long block, long tiles, float b,
                                                                float low, float high, float *restrict r, long stride) {
    const long k4 = 4 * block;
    WINOGRAD_FLAT_LOOP
    for (long f = 0; f < tiles; f++) {
        float t[2][4];
        const float *mf = m + f;
#pragma clang loop unroll(full)
        for (int j = 0; j < 4; j++) {
            const float *mj = mf + j * block;
            const float m0 = mj[0], m1 = mj[k4], m2 = mj[2 * k4], m3 = mj[3 * k4];
            t[0][j] = m0 + m1 + m2;
            t[1][j] = m1 - m2 - m3;
        }
        float *rf = r + f;
#pragma clang loop unroll(full)
        for (int i = 0; i < 2; i++) {
            const float *a = t[i];
            rf[(2 * i) * stride] = clamp_to(a[0] + a[1] + a[2] + b, low, high);
            rf[(2 * i + 1) * stride] = clamp_to(a[1] - a[2] - a[3] + b, low, high);
        }
    }
}

// Output channels [first, end), each over all its tiles flattened (WINOGRAD_FLAT_LOOP): r = Aᵀ m A + b clamped
// as r[i][j][tile] (tiles_times_a), then every output row interleaved from r (winograd_interleave); an odd width's last tile column is one output column. `scratch` holds
// lens_winograd_output_scratch floats; gate_values as lens_winograd4_output's.
WINOGRAD_CLONES void lens_winograd_output(const float *products, int outputs, int tiles_y, int tiles_x, int out_height,
                                          int out_width, int first, int end, const float *bias, float low, float high,
                                          float *scratch, const float *gate_values, float gate_low, float gate_top,
                                          int gate_mode, long columns, float *output) {
    const long tiles = (long)tiles_y * tiles_x, block = columns * outputs, stride = tiles + 8, plane = (long)out_height * out_width;
    float *r = scratch;   // r[2][2][stride]
    for (int o = first; o < end; o++) {
        const float b = bias ? bias[o] : 0.0f;
        float *y = output + (long)o * plane;
        tiles_times_a(products + (long)o * columns, block, tiles, b, low, high, r, stride);
        for (int ty = 0; ty < tiles_y; ty++) {
            const int rows = 2 * ty + 1 < out_height ? 2 : 1;
            for (int i = 0; i < rows; i++) {
                const float *base = r + 2 * i * stride + (long)ty * tiles_x;
                const float *const row[4] = {base, base + stride, NULL, NULL};
                const long at = (long)(2 * ty + i) * out_width;
                winograd_interleave(row, 2, out_width, plane - at, y + at);
            }
        }
        if (gate_values) lens_clamp_backward(y, gate_values + (long)o * plane, y, plane, gate_low, gate_top, gate_mode, LENS_LEVEL_CHOSEN);
    }
}

long lens_winograd_output_scratch(int tiles_y, int tiles_x) { return 4L * tiles_y * tiles_x + 32; }
