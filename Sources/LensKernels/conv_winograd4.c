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

// Channels [first, end), tiles innermost (as conv_winograd.c): each row of tiles' Bᵀ d over whole rows
// (contiguous, vectorised), then · B per tile, its six columns a0..a5 read from the rows' phases
// (conv_winograd_plane.h): a_j at phase j mod 4, tile tx + j / 4, contiguous over the tiles.
WINOGRAD_CLONES void lens_winograd4_input(const float *image, int channels, int height, int width, int pad_top,
                                          int pad_left, int tiles_y, int tiles_x, int first, int end, float *plane,
                                          float *transformed, int packed_width, int packed_depth) {
    const int ph = 4 * tiles_y + 2, length = tiles_x + 1, pw = 4 * length;
    const long tiles = (long)tiles_y * tiles_x;
    // Packed: each channel's V[ξ][tiles] staged after the plane, then stored into the panels.
    float *stage = plane + (long)ph * pw;
    const long block = packed_width ? tiles : tiles * channels;
    for (int c = first; c < end; c++) {
        winograd_phased_plane(image + (long)c * height * width, height, width, pad_top, pad_left, ph, 4, length, plane);
        for (int ty = 0; ty < tiles_y; ty++) {
            const float *restrict d0 = plane + (long)(4 * ty) * pw, *restrict d1 = d0 + pw, *restrict d2 = d1 + pw;
            const float *restrict d3 = d2 + pw, *restrict d4 = d3 + pw, *restrict d5 = d4 + pw;
            float t[6][pw];   // t = Bᵀ d over the whole row of tiles (elementwise: the phases need no care)
            WINOGRAD_TILE_LOOP
            for (int s = 0; s < pw; s++) {
                t[0][s] = d0[s] + 1.5f * (d1[s] - d3[s]) - 2.0f * d2[s] + d4[s];
                t[1][s] = -d1[s] - 2.5f * d2[s] - 0.5f * d3[s] + d4[s];
                t[2][s] = d1[s] + 0.5f * d2[s] - 2.5f * d3[s] + d4[s];
                t[3][s] = 0.5f * (d3[s] - d1[s]) - d2[s] + d4[s];
                t[4][s] = 2.0f * (d1[s] - d3[s]) - d2[s] + d4[s];
                t[5][s] = d1[s] + 1.5f * (d2[s] - d4[s]) - 2.0f * d3[s] + d5[s];
            }
            float *restrict v = (packed_width ? stage : transformed + (long)c * tiles) + (long)ty * tiles_x;   // V[ξ][c, tile]
            for (int i = 0; i < 6; i++) {   // v = t B (columns of each tile), stored at V[ξ = 6i + j]
                const float *restrict p0 = t[i], *restrict p1 = p0 + length;
                const float *restrict p2 = p1 + length, *restrict p3 = p2 + length;
                float *restrict v0 = v + (6 * i + 0) * block, *restrict v1 = v + (6 * i + 1) * block;
                float *restrict v2 = v + (6 * i + 2) * block, *restrict v3 = v + (6 * i + 3) * block;
                float *restrict v4 = v + (6 * i + 4) * block, *restrict v5 = v + (6 * i + 5) * block;
                WINOGRAD_TILE_LOOP
                for (int tx = 0; tx < tiles_x; tx++) {
                    const float a0 = p0[tx], a1 = p1[tx], a2 = p2[tx], a3 = p3[tx], a4 = p0[tx + 1], a5 = p1[tx + 1];
                    v0[tx] = a0 + 1.5f * (a1 - a3) - 2.0f * a2 + a4;
                    v1[tx] = -a1 - 2.5f * a2 - 0.5f * a3 + a4;
                    v2[tx] = a1 + 0.5f * a2 - 2.5f * a3 + a4;
                    v3[tx] = 0.5f * (a3 - a1) - a2 + a4;
                    v4[tx] = 2.0f * (a1 - a3) - a2 + a4;
                    v5[tx] = a1 + 1.5f * (a2 - a4) - 2.0f * a3 + a5;
                }
            }
        }
        if (packed_width) winograd_store_packed(stage, 36, tiles, c, channels, packed_width, packed_depth, transformed);
    }
}

static inline float clamp_to(float r, float low, float high) { return r < low ? low : (r > high ? high : r); }

// Output channels [first, end): per row of tiles, t = Aᵀ m for all its tiles at once (runs of tiles are
// contiguous in M, vectorised), then y = t A + bias per tile, clamped; NaN stays NaN.
WINOGRAD_CLONES void lens_winograd4_output(const float *products, int outputs, int tiles_y, int tiles_x,
                                           int out_height, int out_width, int first, int end, const float *bias,
                                           float low, float high, float *output) {
    const long tiles = (long)tiles_y * tiles_x, block = tiles * outputs;
    for (int o = first; o < end; o++) {
        const float b = bias ? bias[o] : 0.0f;
        float *y = output + (long)o * out_height * out_width;
        for (int ty = 0; ty < tiles_y; ty++) {
            const float *restrict m = products + (long)o * tiles + (long)ty * tiles_x;   // M[ξ][o, tile]
            float t[4][6][tiles_x];
            for (int j = 0; j < 6; j++) {
                const float *restrict m0 = m + j * block, *restrict m1 = m + (6 + j) * block;
                const float *restrict m2 = m + (12 + j) * block, *restrict m3 = m + (18 + j) * block;
                const float *restrict m4 = m + (24 + j) * block, *restrict m5 = m + (30 + j) * block;
                WINOGRAD_TILE_LOOP
                for (int tx = 0; tx < tiles_x; tx++) {
                    const float s12 = m1[tx] + m2[tx], d12 = m1[tx] - m2[tx], a3 = m3[tx], a4 = m4[tx];
                    t[0][j][tx] = m0[tx] + s12 + a3 + a4;
                    t[1][j][tx] = d12 + 2.0f * a3 - 0.5f * a4;
                    t[2][j][tx] = s12 + 4.0f * a3 + 0.25f * a4;
                    t[3][j][tx] = d12 + 8.0f * a3 - 0.125f * a4 + m5[tx];
                }
            }
            // y = t A + b per row of the tiles, each output column j of all tiles at once (r[j][tx], contiguous,
            // vectorised), then interleaved into the row: whole tiles in one loop, the last partial one alone.
            const int rows = out_height - 4 * ty < 4 ? out_height - 4 * ty : 4;
            const int whole = out_width / 4 < tiles_x ? out_width / 4 : tiles_x;
            for (int i = 0; i < rows; i++) {
                float *restrict target = y + (long)(4 * ty + i) * out_width;
                const float *restrict a0 = t[i][0], *restrict a1 = t[i][1], *restrict a2 = t[i][2];
                const float *restrict a3 = t[i][3], *restrict a4 = t[i][4], *restrict a5 = t[i][5];
                float r[4][tiles_x];
                WINOGRAD_TILE_LOOP
                for (int tx = 0; tx < tiles_x; tx++) {
                    const float s12 = a1[tx] + a2[tx], d12 = a1[tx] - a2[tx];
                    r[0][tx] = clamp_to(a0[tx] + s12 + a3[tx] + a4[tx] + b, low, high);
                    r[1][tx] = clamp_to(d12 + 2.0f * a3[tx] - 0.5f * a4[tx] + b, low, high);
                    r[2][tx] = clamp_to(s12 + 4.0f * a3[tx] + 0.25f * a4[tx] + b, low, high);
                    r[3][tx] = clamp_to(d12 + 8.0f * a3[tx] - 0.125f * a4[tx] + a5[tx] + b, low, high);
                }
                for (int tx = 0; tx < whole; tx++)
                    for (int j = 0; j < 4; j++) target[4 * tx + j] = r[j][tx];
                for (int tx = whole; tx < tiles_x; tx++)
                    for (int j = 0; j < out_width - 4 * tx; j++) target[4 * tx + j] = r[j][tx];
            }
        }
    }
}
