#ifndef LENS_SGEMM_KERNELS_H
#define LENS_SGEMM_KERNELS_H

#include "lens_kernels.h"

/// A register-blocked micro-kernel: for an MR x NR tile,
///   c[i*ldc + j] = alpha * sum_p a[p*MR + i] * b[p*NR + j] + beta * c[i*ldc + j]   (C not read when beta == 0)
/// `a` and `b` are packed panels, 64-byte aligned, zero-padded to MR rows / NR columns.
typedef void (*lens_micro_kernel)(long k, const float *a, const float *b, float *c, long ldc,
                                  float alpha, float beta);

/// Kernels for products with a side of at most LENS_SKINNY_MAX (lens_kernels.h; see sgemm_skinny.c).
typedef struct {
    /// C[i*rs + j*cs] = alpha * dot(A row i, B row j) + beta * C[...] for i < M, j < N.
    void (*dot)(long M, long N, long K, float alpha, const float *A, long lda, const float *B, long ldb,
                float beta, float *C, long rs, long cs);
    /// C[M x N] = alpha * packed_a · B + beta * C for M <= 8, packed_a[p*M + i], B K x N row-major.
    void (*rows)(long M, long N, long K, float alpha, const float *packed_a, const float *B, long ldb,
                 float beta, float *C, long ldc);
} lens_skinny_kernels;

typedef struct lens_sgemm_kernel_s {
    const char *name;
    int mr, nr;          // register tile
    int mc, kc, nc;      // cache blocks: A block mc x kc (L2), B sliver kc x nr (L1), B panel kc x nc (L3)
    lens_micro_kernel micro;
    int (*available)(void);
    const lens_skinny_kernels *skinny;   // same instruction set; NULL: the blocked path does all
} lens_sgemm_kernel;

/// What the last block of K adds to the rows of C: clamp(c + bias[i], low, high) (bias NULL: zeros).
typedef struct { const float *bias; float low, high; } lens_row_epilogue;
/// C[i][j] = tile[j·nr + i] (+ beta C[i][j]) for i < rows, j < columns, then `last` if given (sgemm_transposed_store.c);
/// the tile is 16 x nr floats, rows beyond the kernel's mr readable.
typedef void (*lens_transposed_store)(const float *tile, long nr, long rows, long columns, float beta, float *C, long ldc,
                                      const lens_row_epilogue *last);
lens_transposed_store lens_transposed_store_for(const struct lens_sgemm_kernel_s *kern);

#define LENS_MAX_MR 16
#define LENS_MAX_NR 32

extern const lens_skinny_kernels lens_skinny_portable;
extern const lens_sgemm_kernel lens_kernel_portable;
#if defined(__x86_64__)
extern const lens_skinny_kernels lens_skinny_avx2, lens_skinny_avx512;
extern const lens_sgemm_kernel lens_kernel_avx2_fma;
extern const lens_sgemm_kernel lens_kernel_avx512;
extern const lens_sgemm_kernel lens_kernel_avx512_14x32;
extern const lens_sgemm_kernel lens_kernel_avx512_layout_on_avx2;
#endif

#endif
