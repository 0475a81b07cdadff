// Blocked SGEMM driver (the BLIS loop nest): B panels kc x nc and A blocks mc x kc are packed
// into tile-shaped, zero-padded buffers, then a register-blocked micro-kernel sweeps each
// MR x NR tile of C. Transposed operands are handled by the packing, never materialised.
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "lens_kernels.h"
#include "sgemm_kernels.h"

static const lens_sgemm_kernel *const kernels[] = {
    &lens_kernel_portable,
#if defined(__x86_64__)
    &lens_kernel_avx2_fma,
    &lens_kernel_avx512,
    &lens_kernel_avx512_layout_on_avx2,
    &lens_kernel_avx512_14x32,
#endif
};
enum { kernel_count = sizeof kernels / sizeof kernels[0] };

// ---- choosing the kernel, once ----

static const lens_sgemm_kernel *chosen_kernel;
static pthread_once_t choose_once = PTHREAD_ONCE_INIT;

static void choose_kernel(void) {
    chosen_kernel = &lens_kernel_portable;
#if defined(__x86_64__)
    const int level = lens_kernel_level();   // LENS_KERNELS=avx2 or portable caps it
    if (level >= LENS_LEVEL_AVX2 && lens_kernel_avx2_fma.available()) chosen_kernel = &lens_kernel_avx2_fma;
#if defined(__OPTIMIZE__)
    // The AVX-512 kernel is written with vector extensions and needs the optimiser; an -O0 debug
    // build keeps the assembly AVX2 kernel, which is fast at any optimisation level.
    if (level >= LENS_LEVEL_AVX512 && lens_kernel_avx512.available()) chosen_kernel = &lens_kernel_avx512;
#endif
#endif
}

static const lens_sgemm_kernel *selected_kernel(void) {
    pthread_once(&choose_once, choose_kernel);
    return chosen_kernel;
}

// ---- per-thread buffers, grown on demand and freed when their thread ends ----
// Two per thread: the packing buffer, and the scratch a caller splitting K hands to its helpers.

typedef struct { float *data; size_t capacity; } thread_buffer;
enum { pack_slot, scratch_slot, slot_count };
static pthread_key_t buffer_keys[slot_count];
static pthread_once_t buffer_keys_once = PTHREAD_ONCE_INIT;

static void free_buffer(void *p) {
    thread_buffer *b = p;
    free(b->data);
    free(b);
}
static void make_buffer_keys(void) {
    for (int slot = 0; slot < slot_count; slot++) pthread_key_create(&buffer_keys[slot], free_buffer);
}

static float *thread_buffer_of(int slot, size_t floats) {
    pthread_once(&buffer_keys_once, make_buffer_keys);
    thread_buffer *b = pthread_getspecific(buffer_keys[slot]);
    if (!b) {
        b = calloc(1, sizeof *b);
        if (!b || pthread_setspecific(buffer_keys[slot], b) != 0) { free(b); return NULL; }
    }
    if (floats > b->capacity) {
        free(b->data);
        b->data = NULL;
        b->capacity = 0;
        void *p = NULL;
        if (posix_memalign(&p, 64, floats * sizeof(float)) != 0) return NULL;
        b->data = p;
        b->capacity = floats;
    }
    return b->data;
}

static float *thread_pack_buffer(size_t floats) { return thread_buffer_of(pack_slot, floats); }

float *lens_thread_scratch(long floats) {
    return floats < 0 ? NULL : thread_buffer_of(scratch_slot, (size_t)(floats > 0 ? floats : 1));
}

// ---- packing ----

static inline long min_l(long a, long b) { return a < b ? a : b; }
static inline long round_up(long x, long m) { return (x + m - 1) / m * m; }

// Four rows r[0..3] of 4 floats each, written transposed: d[q * stride + i] = r[i][q].
typedef float lens_v4u __attribute__((vector_size(16), aligned(4)));
static inline __attribute__((always_inline)) void transpose_4x4(
    const float *r0, const float *r1, const float *r2, const float *r3, float *d, long stride) {
    lens_v4u a = *(const lens_v4u *)r0, b = *(const lens_v4u *)r1;
    lens_v4u c = *(const lens_v4u *)r2, e = *(const lens_v4u *)r3;
    lens_v4u ab_lo = __builtin_shufflevector(a, b, 0, 4, 1, 5), ab_hi = __builtin_shufflevector(a, b, 2, 6, 3, 7);
    lens_v4u ce_lo = __builtin_shufflevector(c, e, 0, 4, 1, 5), ce_hi = __builtin_shufflevector(c, e, 2, 6, 3, 7);
    *(lens_v4u *)(d) = __builtin_shufflevector(ab_lo, ce_lo, 0, 1, 4, 5);
    *(lens_v4u *)(d + stride) = __builtin_shufflevector(ab_lo, ce_lo, 2, 3, 6, 7);
    *(lens_v4u *)(d + 2 * stride) = __builtin_shufflevector(ab_hi, ce_hi, 0, 1, 4, 5);
    *(lens_v4u *)(d + 3 * stride) = __builtin_shufflevector(ab_hi, ce_hi, 2, 3, 6, 7);
}

// Rows rows[0..n) of a row-major matrix (row stride ld), columns p0..p0+kc, written as
// d[p * n + i] (n a multiple of 4, or 6: four by transposes and two one by one).
static inline __attribute__((always_inline)) void pack_rows_transposed(
    long n, const float *src, long ld, long kc, float *d) {
    long p = 0;
    for (; p + 4 <= kc; p += 4) {
        long i = 0;
        for (; i + 4 <= n; i += 4)
            transpose_4x4(src + i * ld + p, src + (i + 1) * ld + p, src + (i + 2) * ld + p,
                          src + (i + 3) * ld + p, d + p * n + i, n);
        for (; i < n; i++)
            for (long q = 0; q < 4; q++) d[(p + q) * n + i] = src[i * ld + p + q];
    }
    for (; p < kc; p++)
        for (long i = 0; i < n; i++) d[p * n + i] = src[i * ld + p];
}

#if defined(__x86_64__)
// The same as pack_rows_transposed for n a multiple of 8, by 8x8 transposes on 256-bit vectors
// (24 shuffles per 64 floats instead of 32): a dense layer's x·Wᵀ transposes all of W into
// the packed panels on every call, which made it 17% slower than x·W.
typedef float lens_v8u __attribute__((vector_size(32), aligned(4)));
__attribute__((target("avx2"))) static void pack_rows_transposed_8x8(
    long n, const float *src, long ld, long kc, float *d) {
    // Eight rows at a time, each read front to back: eight streams the prefetcher follows
    // (walking all n rows at once made 32 and ran from L3 at half the speed).
    const long kc8 = kc / 8 * 8;
    for (long i = 0; i < n; i += 8) {
        for (long p = 0; p < kc8; p += 8) {
            const float *s = src + i * ld + p;
            lens_v8u r0 = *(const lens_v8u *)(s), r1 = *(const lens_v8u *)(s + ld);
            lens_v8u r2 = *(const lens_v8u *)(s + 2 * ld), r3 = *(const lens_v8u *)(s + 3 * ld);
            lens_v8u r4 = *(const lens_v8u *)(s + 4 * ld), r5 = *(const lens_v8u *)(s + 5 * ld);
            lens_v8u r6 = *(const lens_v8u *)(s + 6 * ld), r7 = *(const lens_v8u *)(s + 7 * ld);
            lens_v8u a0 = __builtin_shufflevector(r0, r1, 0, 8, 1, 9, 4, 12, 5, 13);
            lens_v8u a1 = __builtin_shufflevector(r0, r1, 2, 10, 3, 11, 6, 14, 7, 15);
            lens_v8u a2 = __builtin_shufflevector(r2, r3, 0, 8, 1, 9, 4, 12, 5, 13);
            lens_v8u a3 = __builtin_shufflevector(r2, r3, 2, 10, 3, 11, 6, 14, 7, 15);
            lens_v8u a4 = __builtin_shufflevector(r4, r5, 0, 8, 1, 9, 4, 12, 5, 13);
            lens_v8u a5 = __builtin_shufflevector(r4, r5, 2, 10, 3, 11, 6, 14, 7, 15);
            lens_v8u a6 = __builtin_shufflevector(r6, r7, 0, 8, 1, 9, 4, 12, 5, 13);
            lens_v8u a7 = __builtin_shufflevector(r6, r7, 2, 10, 3, 11, 6, 14, 7, 15);
            lens_v8u b0 = __builtin_shufflevector(a0, a2, 0, 1, 8, 9, 4, 5, 12, 13);
            lens_v8u b1 = __builtin_shufflevector(a0, a2, 2, 3, 10, 11, 6, 7, 14, 15);
            lens_v8u b2 = __builtin_shufflevector(a1, a3, 0, 1, 8, 9, 4, 5, 12, 13);
            lens_v8u b3 = __builtin_shufflevector(a1, a3, 2, 3, 10, 11, 6, 7, 14, 15);
            lens_v8u b4 = __builtin_shufflevector(a4, a6, 0, 1, 8, 9, 4, 5, 12, 13);
            lens_v8u b5 = __builtin_shufflevector(a4, a6, 2, 3, 10, 11, 6, 7, 14, 15);
            lens_v8u b6 = __builtin_shufflevector(a5, a7, 0, 1, 8, 9, 4, 5, 12, 13);
            lens_v8u b7 = __builtin_shufflevector(a5, a7, 2, 3, 10, 11, 6, 7, 14, 15);
            float *o = d + p * n + i;
            *(lens_v8u *)(o) = __builtin_shufflevector(b0, b4, 0, 1, 2, 3, 8, 9, 10, 11);
            *(lens_v8u *)(o + n) = __builtin_shufflevector(b1, b5, 0, 1, 2, 3, 8, 9, 10, 11);
            *(lens_v8u *)(o + 2 * n) = __builtin_shufflevector(b2, b6, 0, 1, 2, 3, 8, 9, 10, 11);
            *(lens_v8u *)(o + 3 * n) = __builtin_shufflevector(b3, b7, 0, 1, 2, 3, 8, 9, 10, 11);
            *(lens_v8u *)(o + 4 * n) = __builtin_shufflevector(b0, b4, 4, 5, 6, 7, 12, 13, 14, 15);
            *(lens_v8u *)(o + 5 * n) = __builtin_shufflevector(b1, b5, 4, 5, 6, 7, 12, 13, 14, 15);
            *(lens_v8u *)(o + 6 * n) = __builtin_shufflevector(b2, b6, 4, 5, 6, 7, 12, 13, 14, 15);
            *(lens_v8u *)(o + 7 * n) = __builtin_shufflevector(b3, b7, 4, 5, 6, 7, 12, 13, 14, 15);
        }
    }
    for (long p = kc8; p < kc; p++)
        for (long i = 0; i < n; i++) d[p * n + i] = src[i * ld + p];
}
static int cpu_has_avx2(void) {
    static int known = -1;
    if (known < 0) known = __builtin_cpu_supports("avx2") ? 1 : 0;
    return known;
}
#endif

// op(A)[i0:i0+mc, p0:p0+kc] -> slivers of MR rows: dst[sliver][p][i], zero-padded rows.
static inline __attribute__((always_inline)) void pack_a_generic(
    long mr, int transA, const float *A, long lda, long i0, long mc, long p0, long kc, float *dst) {
    for (long ir = 0; ir < mc; ir += mr) {
        long rows = min_l(mr, mc - ir);
        float *d = dst + ir * kc;
        if (!transA && rows == mr) {
            pack_rows_transposed(mr, A + (i0 + ir) * lda + p0, lda, kc, d);
        } else if (!transA) {
            for (long i = 0; i < rows; i++) {
                const float *src = A + (i0 + ir + i) * lda + p0;
                for (long p = 0; p < kc; p++) d[p * mr + i] = src[p];
            }
            for (long i = rows; i < mr; i++)
                for (long p = 0; p < kc; p++) d[p * mr + i] = 0.0f;
        } else if (rows == mr) {
            // A size known at compile time: inline vector moves, not a libc call per 8 floats
            // (the convolutions' input gradients, Wᵀ · dy, pack A this way).
            for (long p = 0; p < kc; p++) memcpy(d + p * mr, A + (p0 + p) * lda + i0 + ir, (size_t)mr * sizeof(float));
        } else {
            for (long p = 0; p < kc; p++) {
                const float *src = A + (p0 + p) * lda + i0 + ir;
                memcpy(d + p * mr, src, (size_t)rows * sizeof(float));
                for (long i = rows; i < mr; i++) d[p * mr + i] = 0.0f;
            }
        }
    }
}

// op(B)[p0:p0+kc, j0:j0+nc] -> slivers of NR columns: dst[sliver][p][j], zero-padded columns.
static inline __attribute__((always_inline)) void pack_b_generic(
    long nr, int transB, const float *B, long ldb, long p0, long kc, long j0, long nc, float *dst) {
    if (!transB) {
        // Row by row: each row of B is read once, front to back (prefetch-friendly).
        const long full = nc / nr * nr;
        for (long p = 0; p < kc; p++) {
            const float *src = B + (p0 + p) * ldb + j0;
            for (long jr = 0; jr < full; jr += nr)
                memcpy(dst + jr * kc + p * nr, src + jr, (size_t)nr * sizeof(float));  // vector moves
            if (full < nc) {
                float *d = dst + full * kc + p * nr;
                long j = 0;
                for (; j < nc - full; j++) d[j] = src[full + j];
                for (; j < nr; j++) d[j] = 0.0f;
            }
        }
        return;
    }
    // B stored N x K: row j of storage is column j of op(B).
    for (long jr = 0; jr < nc; jr += nr) {
        long cols = min_l(nr, nc - jr);
        float *d = dst + jr * kc;
        if (cols == nr) {
#if defined(__x86_64__)
            if (nr % 8 == 0 && cpu_has_avx2()) {
                pack_rows_transposed_8x8(nr, B + (j0 + jr) * ldb + p0, ldb, kc, d);
                continue;
            }
#endif
            pack_rows_transposed(nr, B + (j0 + jr) * ldb + p0, ldb, kc, d);
            continue;
        }
        for (long j = 0; j < cols; j++) {
            const float *src = B + (j0 + jr + j) * ldb + p0;
            for (long p = 0; p < kc; p++) d[p * nr + j] = src[p];
        }
        for (long j = cols; j < nr; j++)
            for (long p = 0; p < kc; p++) d[p * nr + j] = 0.0f;
    }
}

// Constant tile sizes let the optimiser unroll and vectorise the copies.
static void pack_a(long mr, int transA, const float *A, long lda, long i0, long mc, long p0, long kc, float *dst) {
    switch (mr) {
    case 4: pack_a_generic(4, transA, A, lda, i0, mc, p0, kc, dst); break;
    case 6: pack_a_generic(6, transA, A, lda, i0, mc, p0, kc, dst); break;
    case 8: pack_a_generic(8, transA, A, lda, i0, mc, p0, kc, dst); break;
    case 14: pack_a_generic(14, transA, A, lda, i0, mc, p0, kc, dst); break;
    default: pack_a_generic(mr, transA, A, lda, i0, mc, p0, kc, dst); break;
    }
}
static void pack_b(long nr, int transB, const float *B, long ldb, long p0, long kc, long j0, long nc, float *dst) {
    switch (nr) {
    case 8: pack_b_generic(8, transB, B, ldb, p0, kc, j0, nc, dst); break;
    case 16: pack_b_generic(16, transB, B, ldb, p0, kc, j0, nc, dst); break;
    case 32: pack_b_generic(32, transB, B, ldb, p0, kc, j0, nc, dst); break;
    default: pack_b_generic(nr, transB, B, ldb, p0, kc, j0, nc, dst); break;
    }
}

// ---- the loop nest ----

static void scale_c(long M, long N, float beta, float *C, long ldc) {
    for (long i = 0; i < M; i++) {
        float *c = C + i * ldc;
        if (beta == 0.0f) { for (long j = 0; j < N; j++) c[j] = 0.0f; }
        else if (beta != 1.0f) { for (long j = 0; j < N; j++) c[j] *= beta; }
    }
}

// One packed B sliver (kc x cols) against every MR-row sliver of a packed A block of mc rows:
// C[0:mc, 0:cols] = alpha * A·B + beta * C. Edge tiles go through a local tile.
static void sweep_sliver(const lens_sgemm_kernel *kern, long kc, const float *packed_a, long mc,
                         const float *b_sliver, long cols, float *C, long ldc, float alpha, float beta) {
    const long mr = kern->mr, nr = kern->nr;
    float edge[LENS_MAX_MR * LENS_MAX_NR] __attribute__((aligned(64)));
    for (long ir = 0; ir < mc; ir += mr) {
        const long rows = min_l(mr, mc - ir);
        const float *a_sliver = packed_a + ir * kc;
        float *c = C + ir * ldc;
        if (rows == mr && cols == nr) {
            kern->micro(kc, a_sliver, b_sliver, c, ldc, alpha, beta);
            continue;
        }
        kern->micro(kc, a_sliver, b_sliver, edge, nr, alpha, 0.0f);
        for (long i = 0; i < rows; i++)
            for (long j = 0; j < cols; j++)
                c[i * ldc + j] = edge[i * nr + j] + (beta == 0.0f ? 0.0f : beta * c[i * ldc + j]);
    }
}

// Products with a side of at most LENS_SKINNY_MAX go to the skinny kernels (no B packing).
// Returns 0 when the shape is not one of theirs.
static int sgemm_skinny(const lens_sgemm_kernel *kern, int transA, int transB, long M, long N, long K,
                        float alpha, const float *A, long lda, const float *B, long ldb,
                        float beta, float *C, long ldc) {
    const lens_skinny_kernels *s = kern->skinny;
    if (!s) return 0;
    if (transB && !transA && N <= LENS_SKINNY_MAX) {
        s->dot(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, 1);
        return 1;
    }
    if (transB && !transA && M <= LENS_SKINNY_MAX) {   // Cᵀ = B·Aᵀ: the few rows of A play B's part
        s->dot(N, M, K, alpha, B, ldb, A, lda, beta, C, 1, ldc);
        return 1;
    }
    if (transB && !transA && N < kern->nr && K >= 8 * N) {   // long K, narrow N (~5x the tiles here)
        s->dot(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, 1);
        return 1;
    }
    if (!transB && M <= LENS_SKINNY_MAX) {
        float *packed = thread_pack_buffer((size_t)(M * K));
        if (!packed) return 0;
        for (long p = 0; p < K; p++)
            for (long i = 0; i < M; i++) packed[p * M + i] = transA ? A[p * lda + i] : A[i * lda + p];
        s->rows(M, N, K, alpha, packed, B, ldb, beta, C, ldc);
        return 1;
    }
    return 0;
}

static void sgemm_blocked(const lens_sgemm_kernel *kern, int transA, int transB, long M, long N, long K,
                          float alpha, const float *A, long lda, const float *B, long ldb,
                          float beta, float *C, long ldc) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0 || alpha == 0.0f) { scale_c(M, N, beta, C, ldc); return; }
    if (sgemm_skinny(kern, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)) return;
    const long mr = kern->mr, nr = kern->nr;
    const long kc_max = min_l(K, kern->kc);
    const long nc_max = min_l(round_up(N, nr), kern->nc);
    const long mc_max = min_l(round_up(M, mr), kern->mc);
    const long b_floats = round_up(kc_max * nc_max, 16);   // keeps the A block 64-byte aligned
    float *packed_b = thread_pack_buffer((size_t)(b_floats + kc_max * mc_max));
    if (!packed_b) {  // out of memory for a few MiB: still give the right answer
        lens_sgemm_reference(transA, transB, (int)M, (int)N, (int)K, alpha, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
        return;
    }
    float *packed_a = packed_b + b_floats;

    for (long jc = 0; jc < N; jc += nc_max) {
        const long nc = min_l(nc_max, N - jc);
        for (long pc = 0; pc < K; pc += kc_max) {
            const long kc = min_l(kc_max, K - pc);
            const float beta_here = pc == 0 ? beta : 1.0f;
            pack_b(nr, transB, B, ldb, pc, kc, jc, nc, packed_b);
            for (long ic = 0; ic < M; ic += mc_max) {
                const long mc = min_l(mc_max, M - ic);
                pack_a(mr, transA, A, lda, ic, mc, pc, kc, packed_a);
                for (long jr = 0; jr < nc; jr += nr)
                    sweep_sliver(kern, kc, packed_a, mc, packed_b + jr * kc, min_l(nr, nc - jr),
                                 C + ic * ldc + jc + jr, ldc, alpha, beta_here);
            }
        }
    }
}

// Part `part` of `parts`: a run of whole tiles along N (or M, when that duplicates less packing).
static void sgemm_part_with(const lens_sgemm_kernel *kern, int part, int parts, int transA, int transB,
                            long M, long N, long K, float alpha, const float *A, long lda,
                            const float *B, long ldb, float beta, float *C, long ldc) {
    if (parts <= 1) {
        sgemm_blocked(kern, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    const long tiles_n = (N + kern->nr - 1) / kern->nr, tiles_m = (M + kern->mr - 1) / kern->mr;
    // Splitting N makes every part pack all of A (M*K extra); splitting M, all of B (K*N extra).
    int split_n = M <= N;
    if (split_n && tiles_n < parts) split_n = 0;
    if (!split_n && tiles_m < parts) split_n = tiles_n >= tiles_m;
    const long tiles = split_n ? tiles_n : tiles_m, step = split_n ? kern->nr : kern->mr;
    const long first = tiles * part / parts * step, last = tiles * (part + 1) / parts * step;
    if (split_n) {
        const long n1 = min_l(last, N);
        if (n1 <= first) return;
        sgemm_blocked(kern, transA, transB, M, n1 - first, K, alpha, A, lda,
                      transB ? B + first * ldb : B + first, ldb, beta, C + first, ldc);
    } else {
        const long m1 = min_l(last, M);
        if (m1 <= first) return;
        sgemm_blocked(kern, transA, transB, m1 - first, N, K, alpha,
                      transA ? A + first : A + first * lda, lda, B, ldb, beta, C + first * ldc, ldc);
    }
}

// ---- public entry points ----

void lens_sgemm(int transA, int transB, int M, int N, int K, float alpha,
                const float *A, int lda, const float *B, int ldb,
                float beta, float *C, int ldc) {
    sgemm_blocked(selected_kernel(), transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void lens_sgemm_part(int part, int parts, int transA, int transB, int M, int N, int K, float alpha,
                     const float *A, int lda, const float *B, int ldb,
                     float beta, float *C, int ldc) {
    sgemm_part_with(selected_kernel(), part, parts, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

const char *lens_sgemm_kernel_name(void) { return selected_kernel()->name; }

int lens_sgemm_kernel_count(void) { return kernel_count; }

const char *lens_sgemm_kernel_name_at(int kernel) {
    return kernel >= 0 && kernel < kernel_count ? kernels[kernel]->name : "";
}

int lens_sgemm_kernel_available(int kernel) {
    return kernel >= 0 && kernel < kernel_count && kernels[kernel]->available();
}

int lens_sgemm_with_kernel(int kernel, int transA, int transB, int M, int N, int K, float alpha,
                           const float *A, int lda, const float *B, int ldb,
                           float beta, float *C, int ldc) {
    if (!lens_sgemm_kernel_available(kernel)) return -1;
    sgemm_blocked(kernels[kernel], transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return 0;
}

void lens_add_matrix(int M, int N, const float *X, int ldx, float *C, int ldc) {
    for (long i = 0; i < M; i++) {
        const float *x = X + i * (long)ldx;
        float *c = C + i * (long)ldc;
        for (long j = 0; j < N; j++) c[j] += x[j];
    }
}

// ---- a constant A packed once (Winograd's transformed kernels, multiplied by every image) ----
// Two layouts, chosen by the products' N:
// - the usual layout: slivers of MR rows of A, as pack_a writes them; the usual loop nest, B packed per call.
// - N below NR (ResNet-18's 7x7 layers: 16 tiles against a 32-wide register tile would waste half of
//   every tile), or for the `fitted` functions a few NR wasting less in MR-wide tiles: slivers of NR rows,
//   i.e. Aᵀ packed as the B operand is, and the product run as Cᵀ = Bᵀ·Aᵀ, each MR x NR tile of Cᵀ stored transposed into C.
// Either way, with S the sliver height, the slivers of all M rows for the block of kc_max columns at pc
// sit at packed + pc·Ms (Ms = M rounded up to S), and the sliver of rows [i, i + S) at packed + pc·Ms + i·kc.

// Fitted, the transposed layout also when N rounds up to fewer MR-wide tiles than NR-wide ones (MobileNetV2's
// 1x1 layers at batch 1: N = 49 and 196 fill 56 and 200 columns of 8-wide tiles, 64 and 224 of 32-wide ones),
// for N up to a few NR (Bᵀ is packed whole per block of K, not in panels of nc columns). Winograd keeps the
// usual layout there: its input transform writes B packed for it (lens_sgemm_prepacked_both).
static long packed_sliver_height(const lens_sgemm_kernel *kern, long N, int fitted) {
    const int fits_mr = fitted && N <= 8L * kern->nr && round_up(N, kern->mr) < round_up(N, kern->nr);
    return N < kern->nr || fits_mr ? kern->nr : kern->mr;
}

static long packed_a_floats(int M, int K, int N, int fitted) {
    return M > 0 && K > 0 ? round_up(M, packed_sliver_height(selected_kernel(), N, fitted)) * (long)K : 0;
}
long lens_sgemm_packed_a_floats(int M, int K, int N) { return packed_a_floats(M, K, N, 0); }
long lens_sgemm_packed_a_floats_fitted(int M, int K, int N) { return packed_a_floats(M, K, N, 1); }
int lens_sgemm_packed_a_height(int N, int fitted) { return (int)packed_sliver_height(selected_kernel(), N, fitted); }

static void pack_a_once(int transA, int M, int K, int N, const float *A, int lda, float *packed, int fitted) {
    const lens_sgemm_kernel *kern = selected_kernel();
    if (M <= 0 || K <= 0) return;
    const long height = packed_sliver_height(kern, N, fitted), rows = round_up(M, height), kc_max = min_l(K, kern->kc);
    for (long pc = 0; pc < K; pc += kc_max)
        pack_a(height, transA, A, lda, 0, M, pc, min_l(kc_max, K - pc), packed + pc * rows);
}
void lens_sgemm_pack_a(int transA, int M, int K, int N, const float *A, int lda, float *packed) {
    pack_a_once(transA, M, K, N, A, lda, packed, 0);
}
void lens_sgemm_pack_a_fitted(int M, int K, int N, const float *A, int lda, float *packed) {
    pack_a_once(0, M, K, N, A, lda, packed, 1);
}

// Rows [i0, i0 + m), columns [j0, j0 + n) of C = A·B + beta·C the slow way, A read from its packed form
// (slivers of `height` rows): the out-of-memory fallback.
static void prepacked_fallback(const lens_sgemm_kernel *kern, long height, long M, long i0, long m, long j0, long n, long K,
                               const float *packed_a, const float *B, long ldb, float beta, float *C, long ldc) {
    const long rows = round_up(M, height), kc_max = min_l(K, kern->kc);
    for (long i = i0; i < i0 + m; i++)
        for (long j = j0; j < j0 + n; j++) {
            float sum = 0.0f;
            for (long p = 0; p < K; p++) {
                const long pc = p / kc_max * kc_max, kc = min_l(kc_max, K - pc);
                sum += packed_a[pc * rows + (i / height) * height * kc + (p - pc) * height + i % height] * B[p * ldb + j];
            }
            C[i * ldc + j] = sum + (beta == 0.0f ? 0.0f : beta * C[i * ldc + j]);
        }
}

// Rows [i0, i0 + m) of C = packed_a · B + beta * C, A in MR-row slivers (i0 a multiple of MR).
static void sgemm_prepacked_rows(const lens_sgemm_kernel *kern, long M, long i0, long m, long N, long K,
                                 const float *packed_a, const float *B, long ldb, float beta, float *C, long ldc) {
    const long mr = kern->mr, nr = kern->nr, rows = round_up(M, mr);
    const long kc_max = min_l(K, kern->kc);
    const long nc_max = min_l(round_up(N, nr), kern->nc);
    const long mc_max = kern->mc / mr * mr > 0 ? kern->mc / mr * mr : mr;   // whole slivers: block offsets ic·kc
    float *packed_b = thread_pack_buffer((size_t)(kc_max * nc_max));
    if (!packed_b) {   // out of memory for a few MiB: still give the right answer
        prepacked_fallback(kern, mr, M, i0, m, 0, N, K, packed_a, B, ldb, beta, C, ldc);
        return;
    }
    for (long jc = 0; jc < N; jc += nc_max) {
        const long nc = min_l(nc_max, N - jc);
        for (long pc = 0; pc < K; pc += kc_max) {
            const long kc = min_l(kc_max, K - pc);
            const float beta_here = pc == 0 ? beta : 1.0f;
            pack_b(nr, 0, B, ldb, pc, kc, jc, nc, packed_b);
            for (long ic = i0; ic < i0 + m; ic += mc_max) {
                const long mc = min_l(mc_max, i0 + m - ic);
                for (long jr = 0; jr < nc; jr += nr)
                    sweep_sliver(kern, kc, packed_a + pc * rows + ic * kc, mc, packed_b + jr * kc, min_l(nr, nc - jr),
                                 C + ic * ldc + jc + jr, ldc, 1.0f, beta_here);
            }
        }
    }
}

// The same in the transposed layout, A in NR-row slivers (i0 a multiple of NR), for columns [j0, j0 + n) of C
// (j0 a multiple of MR): Cᵀ = Bᵀ·Aᵀ, those columns of B packed per call as MR-row slivers of Bᵀ, each sliver
// of A playing B's part; each tile t[j][i] = C[i][j] is stored transposed, `last` applied on K's last block.
static void sgemm_prepacked_transposed(const lens_sgemm_kernel *kern, long M, long i0, long m, long j0, long n, long K,
                                       const float *packed_a, const float *B, long ldb, float beta, float *C, long ldc,
                                       const lens_row_epilogue *last) {
    const long mr = kern->mr, nr = kern->nr, rows = round_up(M, nr), kc_max = min_l(K, kern->kc);
    float *packed_bt = thread_pack_buffer((size_t)(round_up(n, mr) * kc_max));
    if (!packed_bt) {
        prepacked_fallback(kern, nr, M, i0, m, j0, n, K, packed_a, B, ldb, beta, C, ldc);
        if (last) lens_bias_clamp_rows(C + i0 * ldc + j0, (int)m, n, ldc, last->bias ? last->bias + i0 : NULL, last->low, last->high, LENS_LEVEL_CHOSEN);
        return;
    }
    const lens_transposed_store store = lens_transposed_store_for(kern);
    // Rows mr.. of the tile are read by the vector store (their lanes never stored): zeros, not stale bits.
    float tile[LENS_MAX_MR * LENS_MAX_NR] __attribute__((aligned(64))) = {0};
    for (long pc = 0; pc < K; pc += kc_max) {
        const long kc = min_l(kc_max, K - pc);
        const float beta_here = pc == 0 ? beta : 1.0f;
        const lens_row_epilogue *here = pc + kc == K ? last : NULL;
        pack_a(mr, 1, B, ldb, j0, n, pc, kc, packed_bt);   // Bᵀ [n, kc]: B is stored K x N
        for (long ir = i0; ir < i0 + m; ir += nr) {
            const long c_rows = min_l(nr, i0 + m - ir);
            const lens_row_epilogue rows_here = here ? (lens_row_epilogue){here->bias ? here->bias + ir : NULL, here->low, here->high}
                                                     : (lens_row_epilogue){0};
            for (long jr = 0; jr < n; jr += mr) {
                kern->micro(kc, packed_bt + jr * kc, packed_a + pc * rows + ir * kc, tile, nr, 1.0f, 0.0f);
                store(tile, nr, c_rows, min_l(mr, n - jr), beta_here, C + ir * ldc + j0 + jr, ldc, here ? &rows_here : NULL);
            }
        }
    }
}

// Part `part` of `parts` of C = packed_a · B + beta·C, then `last` (NULL: nothing) on the part's rows and columns.
static void sgemm_prepacked_part(int part, int parts, int M, int N, int K, const float *packed_a, const float *B, int ldb,
                                 float beta, float *C, int ldc, const lens_row_epilogue *last, int fitted) {
    const lens_sgemm_kernel *kern = selected_kernel();
    if (M <= 0 || N <= 0 || part < 0 || part >= parts) return;
    const int transposed = packed_sliver_height(kern, N, fitted) != kern->mr;
    // Register tiles along C's rows and columns: NR x MR transposed, else MR x NR.
    const long row_step = transposed ? kern->nr : kern->mr, column_step = transposed ? kern->mr : kern->nr;
    const long tiles_n = (N + column_step - 1) / column_step, tiles_m = (M + row_step - 1) / row_step;
    // Whole register tiles per part: in the usual layout columns when there are enough of them to share out
    // evenly (each part then packs only its columns of B), else rows (each part packs all of B, the smaller
    // operand). Transposed, rows (each part reads half the weights) unless the largest part of columns is
    // smaller (MobileNetV2's 160 rows of 7x7: 3 + 2 tiles of 32 rows against 4 + 3 tiles of 8 columns).
    int split_n = !transposed && (tiles_n >= 2L * parts || tiles_m < parts);
    if (transposed && parts > 1) {
        const long by_rows = (tiles_m + parts - 1) / parts * row_step * round_up(N, column_step);
        const long by_columns = (tiles_n + parts - 1) / parts * column_step * round_up(M, row_step);
        split_n = by_columns < by_rows;
    }
    const long tiles = split_n ? tiles_n : tiles_m, step = split_n ? column_step : row_step;
    const long first = tiles * part / parts * step, end = min_l(tiles * (part + 1) / parts * step, split_n ? N : M);
    if (end <= first) return;
    const long i0 = split_n ? 0 : first, m = split_n ? M : end - first;
    const long j0 = split_n ? first : 0, n = split_n ? end - first : N;
    if (K > 0 && transposed) {
        sgemm_prepacked_transposed(kern, M, i0, m, j0, n, K, packed_a, B, ldb, beta, C, ldc, last);
        return;
    }
    if (K <= 0) scale_c(m, n, beta, C + i0 * ldc + j0, ldc);
    else if (split_n) sgemm_prepacked_rows(kern, M, 0, M, n, K, packed_a, B + j0, ldb, beta, C + j0, ldc);
    else sgemm_prepacked_rows(kern, M, i0, m, N, K, packed_a, B, ldb, beta, C, ldc);
    if (last) lens_bias_clamp_rows(C + i0 * ldc + j0, (int)m, n, ldc, last->bias ? last->bias + i0 : NULL, last->low, last->high, LENS_LEVEL_CHOSEN);
}

void lens_sgemm_prepacked(int part, int parts, int M, int N, int K, const float *packed_a, const float *B, int ldb,
                          float beta, float *C, int ldc) {
    sgemm_prepacked_part(part, parts, M, N, K, packed_a, B, ldb, beta, C, ldc, NULL, 0);
}

void lens_sgemm_prepacked_bias_clamp(int part, int parts, int M, int N, int K, const float *packed_a, const float *B, int ldb,
                                     const float *bias, float low, float high, float *C, int ldc) {
    const lens_row_epilogue last = {bias, low, high};
    sgemm_prepacked_part(part, parts, M, N, K, packed_a, B, ldb, 0.0f, C, ldc, &last, 1);
}

// ---- B packed by its producer (Winograd's transformed tiles): no pack_b per product ----
// For products the usual layout serves (N of at least NR), a producer may write B [K, N] straight into
// the panels pack_b makes: blocks of kc_max = min(K, KC) rows, each of ⌈N / NR⌉ slivers of NR columns
// [sliver][p][j] (the last zero-padded or unused), so element (p, n) lies at
//   (p / kc_max)·kc_max·Nr + (n / NR)·NR·kc + (p mod kc_max)·NR + n mod NR,  Nr = N rounded up to NR,
// kc the rows of p's block. Panels are not split along N (nc): fine for the products of one image.

int lens_sgemm_packed_b_width(int N) {
    const lens_sgemm_kernel *kern = selected_kernel();
    // Widths of whole 8-float vectors: the producers copy runs 8 floats at a time (conv_winograd_plane.h).
    return N > 0 && packed_sliver_height(kern, N, 0) == kern->mr && kern->nr % 8 == 0 ? kern->nr : 0;
}

int lens_sgemm_packed_b_depth(int K) { return (int)min_l(K, selected_kernel()->kc); }

// Rows [i0, i0 + m) of C = packed_a · packed_b + beta * C (i0 a multiple of MR).
static void prepacked_both_rows(const lens_sgemm_kernel *kern, long M, long i0, long m, long N, long K,
                                const float *packed_a, const float *packed_b, float beta, float *C, long ldc) {
    if (K <= 0) {
        scale_c(m, N, beta, C + i0 * ldc, ldc);
        return;
    }
    const long mr = kern->mr, nr = kern->nr, rows = round_up(M, mr), columns = round_up(N, nr);
    const long kc_max = min_l(K, kern->kc), mc_max = kern->mc / mr * mr > 0 ? kern->mc / mr * mr : mr;
    for (long pc = 0; pc < K; pc += kc_max) {
        const long kc = min_l(kc_max, K - pc);
        const float beta_here = pc == 0 ? beta : 1.0f;
        for (long ic = i0; ic < i0 + m; ic += mc_max) {
            const long mc = min_l(mc_max, i0 + m - ic);
            for (long jr = 0; jr < N; jr += nr)
                sweep_sliver(kern, kc, packed_a + pc * rows + ic * kc, mc, packed_b + pc * columns + jr * kc,
                             min_l(nr, N - jr), C + ic * ldc + jr, ldc, 1.0f, beta_here);
        }
    }
}

void lens_sgemm_prepacked_both(int M, int N, int K, const float *packed_a, const float *packed_b, float beta,
                               float *C, int ldc) {
    if (M <= 0 || N <= 0 || lens_sgemm_packed_b_width(N) == 0) return;
    prepacked_both_rows(selected_kernel(), M, 0, M, N, K, packed_a, packed_b, beta, C, ldc);
}

// ---- a product's rows split over threads that then each use their own rows (Winograd's grouped images) ----

// Rows [i0, i0 + m) of the product, i0 a multiple of lens_sgemm_packed_a_height(N, 0) (else, or out of range, nothing).
void lens_sgemm_prepacked_rows(int M, int i0, int m, int N, int K, const float *packed_a, const float *B, int ldb,
                               float beta, float *C, int ldc) {
    const lens_sgemm_kernel *kern = selected_kernel();
    const long step = packed_sliver_height(kern, N, 0);
    if (M <= 0 || N <= 0 || m <= 0 || i0 < 0 || i0 % step != 0 || i0 + m > M) return;
    if (K <= 0) scale_c(m, N, beta, C + (long)i0 * ldc, ldc);
    else if (step != kern->mr) sgemm_prepacked_transposed(kern, M, i0, m, 0, N, K, packed_a, B, ldb, beta, C, ldc, NULL);
    else sgemm_prepacked_rows(kern, M, i0, m, N, K, packed_a, B, ldb, beta, C, ldc);
}

void lens_sgemm_prepacked_both_rows(int M, int i0, int m, int N, int K, const float *packed_a, const float *packed_b,
                                    float beta, float *C, int ldc) {
    const lens_sgemm_kernel *kern = selected_kernel();
    if (M <= 0 || N <= 0 || m <= 0 || i0 < 0 || i0 % kern->mr != 0 || i0 + m > M || lens_sgemm_packed_b_width(N) == 0) return;
    prepacked_both_rows(kern, M, i0, m, N, K, packed_a, packed_b, beta, C, ldc);
}
