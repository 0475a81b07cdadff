// Products with one side of at most LENS_SKINNY_MAX (8) rows or columns: a softmax layer's
// logits (N = classes), its weight gradient (M = classes), batch-1 inference (M = 1). Packing
// panels costs as much as such a product itself (each packed element is used at most 8 times),
// so these kernels read the operands where they lie:
//   dot:      C = alpha·A·Bᵀ + beta·C with A M x K and B N x K stored row-major (both along K),
//             as vector partial sums; also used for long-K products with a narrow N (a
//             convolution's weight gradient: 16 x 9 x 4096), which tiles of 32 columns would waste.
//   rows:     C = alpha·op(A)·B + beta·C with M <= 8 and B K x N row-major: each row of B is
//             read once per 2W-column block, A (tiny) is packed first.
// Written once with vector extensions and compiled per instruction set, like sgemm_vector_kernels.c.
#include <string.h>
#include "sgemm_kernels.h"

#define UNROLL _Pragma("clang loop unroll(full)")

// C[i * rs + j * cs] for i < M rows of A and j < N rows of B: blocks of NBMAX rows of B against
// RAMAX rows of A, one vector of partial sums per pair, over K in chunks of DOT_KC (the B block
// then stays in L1 while the rows of A stream past it). Each chunk after the first adds to C.
#define DOT_KC 2048
#define LENS_DEFINE_DOT(NAME, ATTR, VEC, W, RAMAX, NBMAX)                                          \
    ATTR static inline __attribute__((always_inline)) void NAME##_rows(                          \
        const int NB, const int RA, long K, float alpha, const float *a, long lda,                \
        const float *b, long ldb, float beta, float *c, long rs, long cs) {                      \
        VEC acc[RAMAX][NBMAX];                                                                    \
        float tail[RAMAX][NBMAX];                                                                 \
        UNROLL for (int r = 0; r < RA; r++) UNROLL for (int j = 0; j < NB; j++) {                 \
            acc[r][j] = (VEC){0}; tail[r][j] = 0;                                                 \
        }                                                                                         \
        long p = 0;                                                                               \
        for (; p + W <= K; p += W) {                                                              \
            VEC av[RAMAX];                                                                        \
            UNROLL for (int r = 0; r < RA; r++) memcpy(&av[r], a + r * lda + p, sizeof(VEC));     \
            UNROLL for (int j = 0; j < NB; j++) {                                                 \
                VEC bv;                                                                           \
                memcpy(&bv, b + j * ldb + p, sizeof bv);                                          \
                UNROLL for (int r = 0; r < RA; r++) acc[r][j] += av[r] * bv;                      \
            }                                                                                     \
        }                                                                                         \
        for (; p < K; p++)                                                                        \
            UNROLL for (int r = 0; r < RA; r++) UNROLL for (int j = 0; j < NB; j++)               \
                tail[r][j] += a[r * lda + p] * b[j * ldb + p];                                    \
        UNROLL for (int r = 0; r < RA; r++) UNROLL for (int j = 0; j < NB; j++) {                 \
            float sum = tail[r][j];                                                               \
            UNROLL for (int l = 0; l < W; l++) sum += acc[r][j][l];                               \
            float *out = c + r * rs + j * cs;                                                     \
            *out = alpha * sum + (beta == 0.0f ? 0.0f : beta * *out);                             \
        }                                                                                         \
    }                                                                                             \
    ATTR static inline __attribute__((always_inline)) void NAME##_block(                         \
        const int NB, long M, long K, float alpha, const float *a, long lda, const float *b,      \
        long ldb, float beta, float *c, long rs, long cs) {                                       \
        long i = 0;                                                                               \
        for (; i + RAMAX <= M; i += RAMAX)                                                        \
            NAME##_rows(NB, RAMAX, K, alpha, a + i * lda, lda, b, ldb, beta, c + i * rs, rs, cs); \
        switch (M - i) {                                                                          \
        case 1: NAME##_rows(NB, 1, K, alpha, a + i * lda, lda, b, ldb, beta, c + i * rs, rs, cs); break; \
        case 2: NAME##_rows(NB, 2 < RAMAX ? 2 : 1, K, alpha, a + i * lda, lda, b, ldb, beta, c + i * rs, rs, cs); break; \
        case 3: NAME##_rows(NB, 3 < RAMAX ? 3 : 1, K, alpha, a + i * lda, lda, b, ldb, beta, c + i * rs, rs, cs); break; \
        default: break;   /* RAMAX <= 4 */                                                        \
        }                                                                                         \
    }                                                                                             \
    ATTR static void NAME(long M, long N, long K, float alpha, const float *a, long lda,          \
                          const float *b, long ldb, float beta, float *c, long rs, long cs) {     \
        for (long p0 = 0; p0 < K; p0 += DOT_KC) {                                                 \
            const long kc = K - p0 < DOT_KC ? K - p0 : DOT_KC;                                    \
            const float beta_here = p0 == 0 ? beta : 1.0f;                                        \
            for (long j = 0; j < N; j += NBMAX) {                                                 \
                const float *bj = b + j * ldb + p0, *ai = a + p0;                                 \
                float *cj = c + j * cs;                                                           \
                switch (N - j < NBMAX ? N - j : NBMAX) {                                          \
                case 1: NAME##_block(1, M, kc, alpha, ai, lda, bj, ldb, beta_here, cj, rs, cs); break; \
                case 2: NAME##_block(2, M, kc, alpha, ai, lda, bj, ldb, beta_here, cj, rs, cs); break; \
                case 3: NAME##_block(3, M, kc, alpha, ai, lda, bj, ldb, beta_here, cj, rs, cs); break; \
                case 4: NAME##_block(4, M, kc, alpha, ai, lda, bj, ldb, beta_here, cj, rs, cs); break; \
                case 5: NAME##_block(5 < NBMAX ? 5 : NBMAX, M, kc, alpha, ai, lda, bj, ldb, beta_here, cj, rs, cs); break; \
                case 6: NAME##_block(6 < NBMAX ? 6 : NBMAX, M, kc, alpha, ai, lda, bj, ldb, beta_here, cj, rs, cs); break; \
                case 7: NAME##_block(7 < NBMAX ? 7 : NBMAX, M, kc, alpha, ai, lda, bj, ldb, beta_here, cj, rs, cs); break; \
                default: NAME##_block(NBMAX, M, kc, alpha, ai, lda, bj, ldb, beta_here, cj, rs, cs); break; \
                }                                                                                 \
            }                                                                                     \
        }                                                                                         \
    }

// C[0:M, 0:N] for M <= 8 rows; `packed_a` is op(A) as packed[p * M + i].
#define LENS_DEFINE_ROWS(NAME, ATTR, VEC, W)                                                       \
    ATTR static inline __attribute__((always_inline)) void NAME##_fixed(                         \
        const int M, long N, long K, float alpha, const float *packed_a, const float *b,          \
        long ldb, float beta, float *c, long ldc) {                                               \
        for (long j = 0; j < N; j += 2 * W) {                                                     \
            const long cols = N - j < 2 * W ? N - j : 2 * W;                                      \
            VEC acc0[LENS_SKINNY_MAX], acc1[LENS_SKINNY_MAX];                                     \
            UNROLL for (int i = 0; i < M; i++) { acc0[i] = (VEC){0}; acc1[i] = (VEC){0}; }        \
            for (long p = 0; p < K; p++) {                                                        \
                const float *row = b + p * ldb + j;                                               \
                float padded_row[2 * W];   /* the last block: its columns, then zeros */          \
                if (cols < 2 * W) {                                                               \
                    memset(padded_row, 0, sizeof padded_row);                                     \
                    memcpy(padded_row, row, (size_t)cols * sizeof(float));                        \
                    row = padded_row;                                                             \
                }                                                                                 \
                VEC b0, b1;                                                                       \
                memcpy(&b0, row, sizeof b0);                                                      \
                memcpy(&b1, row + W, sizeof b1);                                                  \
                UNROLL for (int i = 0; i < M; i++) {                                              \
                    const float ai = packed_a[p * M + i];                                         \
                    acc0[i] += b0 * ai;                                                           \
                    acc1[i] += b1 * ai;                                                           \
                }                                                                                 \
            }                                                                                     \
            UNROLL for (int i = 0; i < M; i++) {                                                  \
                float out[2 * W];                                                                 \
                VEC r0 = acc0[i] * alpha, r1 = acc1[i] * alpha;                                   \
                memcpy(out, &r0, sizeof r0);                                                      \
                memcpy(out + W, &r1, sizeof r1);                                                  \
                float *ci = c + i * ldc + j;                                                      \
                if (beta == 0.0f) {                                                               \
                    memcpy(ci, out, (size_t)cols * sizeof(float));                                \
                } else {                                                                          \
                    for (long q = 0; q < cols; q++) ci[q] = out[q] + beta * ci[q];                \
                }                                                                                 \
            }                                                                                     \
        }                                                                                         \
    }                                                                                             \
    ATTR static void NAME(long M, long N, long K, float alpha, const float *packed_a,             \
                          const float *b, long ldb, float beta, float *c, long ldc) {             \
        switch (M) {                                                                              \
        case 1: NAME##_fixed(1, N, K, alpha, packed_a, b, ldb, beta, c, ldc); break;              \
        case 2: NAME##_fixed(2, N, K, alpha, packed_a, b, ldb, beta, c, ldc); break;              \
        case 3: NAME##_fixed(3, N, K, alpha, packed_a, b, ldb, beta, c, ldc); break;              \
        case 4: NAME##_fixed(4, N, K, alpha, packed_a, b, ldb, beta, c, ldc); break;              \
        case 5: NAME##_fixed(5, N, K, alpha, packed_a, b, ldb, beta, c, ldc); break;              \
        case 6: NAME##_fixed(6, N, K, alpha, packed_a, b, ldb, beta, c, ldc); break;              \
        case 7: NAME##_fixed(7, N, K, alpha, packed_a, b, ldb, beta, c, ldc); break;              \
        default: NAME##_fixed(8, N, K, alpha, packed_a, b, ldb, beta, c, ldc); break;             \
        }                                                                                         \
    }

typedef float lens_sv4 __attribute__((vector_size(16)));
LENS_DEFINE_DOT(dot_portable, , lens_sv4, 4, 2, 4)
LENS_DEFINE_ROWS(rows_portable, , lens_sv4, 4)
const lens_skinny_kernels lens_skinny_portable = { .dot = dot_portable, .rows = rows_portable };

#if defined(__x86_64__)
typedef float lens_sv8 __attribute__((vector_size(32)));
typedef float lens_sv16 __attribute__((vector_size(64)));
LENS_DEFINE_DOT(dot_avx2, __attribute__((target("avx2,fma"))), lens_sv8, 8, 2, 4)
LENS_DEFINE_ROWS(rows_avx2, __attribute__((target("avx2,fma"))), lens_sv8, 8)
const lens_skinny_kernels lens_skinny_avx2 = { .dot = dot_avx2, .rows = rows_avx2 };
LENS_DEFINE_DOT(dot_avx512, __attribute__((target("avx512f"))), lens_sv16, 16, 4, 4)
LENS_DEFINE_ROWS(rows_avx512, __attribute__((target("avx512f"))), lens_sv16, 16)
const lens_skinny_kernels lens_skinny_avx512 = { .dot = dot_avx512, .rows = rows_avx512 };
#endif
