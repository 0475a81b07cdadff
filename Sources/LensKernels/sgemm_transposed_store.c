// The store of a register tile computed transposed (Cᵀ = Bᵀ·Aᵀ, sgemm.c's prepacked products with few
// columns): C[i][j] = tile[j][i] (+ beta C[i][j]), then on the last block of K the rows' bias and clamp,
// while the tile is in registers. The scalar store read the tile down its columns, one float at a time.
#include <immintrin.h>
#include "sgemm_kernels.h"

static inline float clamp_one(float x, float low, float high) { return x < low ? low : (x > high ? high : x); }

static void store_plain(const float *tile, long nr, long rows, long columns, float beta, float *C, long ldc,
                        const lens_row_epilogue *last) {
    for (long i = 0; i < rows; i++)
        for (long j = 0; j < columns; j++) {
            float v = tile[j * nr + i];
            if (beta != 0.0f) v = v + beta * C[i * ldc + j];
            if (last) v = clamp_one(v + (last->bias ? last->bias[i] : 0.0f), last->low, last->high);
            C[i * ldc + j] = v;
        }
}

#if defined(__x86_64__)
#define AVX2 __attribute__((target("avx2")))
typedef float v8 __attribute__((vector_size(32), aligned(4)));

// Eight tile rows of eight floats in, eight C rows out: o[s][q] = r[q][s].
static inline AVX2 void transpose_8x8(const v8 r[8], v8 o[8]) {
    v8 a[8], b[8];
    for (int q = 0; q < 8; q += 2) {
        a[q] = __builtin_shufflevector(r[q], r[q + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        a[q + 1] = __builtin_shufflevector(r[q], r[q + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
    for (int q = 0; q < 8; q += 4) {
        b[q] = __builtin_shufflevector(a[q], a[q + 2], 0, 1, 8, 9, 4, 5, 12, 13);
        b[q + 1] = __builtin_shufflevector(a[q], a[q + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        b[q + 2] = __builtin_shufflevector(a[q + 1], a[q + 3], 0, 1, 8, 9, 4, 5, 12, 13);
        b[q + 3] = __builtin_shufflevector(a[q + 1], a[q + 3], 2, 3, 10, 11, 6, 7, 14, 15);
    }
    for (int s = 0; s < 4; s++) {
        o[s] = __builtin_shufflevector(b[s], b[s + 4], 0, 1, 2, 3, 8, 9, 10, 11);
        o[s + 4] = __builtin_shufflevector(b[s], b[s + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    }
}

// Tiles of nr a multiple of 8 and at most 16 rows (tile rows mr..15 may hold anything: their lanes are
// never stored). beta·C and the bias are added as the scalar store adds them (no fused multiply-add),
// so both stores give the same bits.
static AVX2 void store_avx2(const float *tile, long nr, long rows, long columns, float beta, float *C, long ldc,
                            const lens_row_epilogue *last) {
    const __m256 vbeta = _mm256_set1_ps(beta);
    const __m256 vlow = _mm256_set1_ps(last ? last->low : 0.0f), vhigh = _mm256_set1_ps(last ? last->high : 0.0f);
    for (long j0 = 0; j0 < columns; j0 += 8) {
        const long width = columns - j0 < 8 ? columns - j0 : 8;
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)width), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        for (long i0 = 0; i0 < rows; i0 += 8) {
            v8 r[8], o[8];
            for (int q = 0; q < 8; q++) r[q] = *(const v8 *)(tile + (j0 + q) * nr + i0);
            transpose_8x8(r, o);
            const long height = rows - i0 < 8 ? rows - i0 : 8;
            for (long s = 0; s < height; s++) {
                float *c = C + (i0 + s) * ldc + j0;
                __m256 v = (__m256)o[s];
                if (beta != 0.0f) v = _mm256_add_ps(v, _mm256_mul_ps(vbeta, _mm256_maskload_ps(c, mask)));
                if (last) {
                    // max(low, x) and min(high, ·) return their second operand when one is NaN: a NaN comes through.
                    v = _mm256_add_ps(v, _mm256_set1_ps(last->bias ? last->bias[i0 + s] : 0.0f));
                    v = _mm256_min_ps(vhigh, _mm256_max_ps(vlow, v));
                }
                _mm256_maskstore_ps(c, mask, v);
            }
        }
    }
}
#endif

lens_transposed_store lens_transposed_store_for(const lens_sgemm_kernel *kern) {
#if defined(__x86_64__)
    if (kern->nr % 8 == 0 && kern->mr <= 16 && lens_kernel_level() >= LENS_LEVEL_AVX2) return store_avx2;
#endif
    return store_plain;
}
