#ifndef LENS_SGEMM_KERNELS_H
#define LENS_SGEMM_KERNELS_H

/// A register-blocked micro-kernel: for an MR x NR tile,
///   c[i*ldc + j] = alpha * sum_p a[p*MR + i] * b[p*NR + j] + beta * c[i*ldc + j]   (C not read when beta == 0)
/// `a` and `b` are packed panels, 64-byte aligned, zero-padded to MR rows / NR columns.
typedef void (*lens_micro_kernel)(long k, const float *a, const float *b, float *c, long ldc,
                                  float alpha, float beta);

typedef struct {
    const char *name;
    int mr, nr;          // register tile
    int mc, kc, nc;      // cache blocks: A block mc x kc (L2), B sliver kc x nr (L1), B panel kc x nc (L3)
    lens_micro_kernel micro;
    int (*available)(void);
} lens_sgemm_kernel;

#define LENS_MAX_MR 16
#define LENS_MAX_NR 32

extern const lens_sgemm_kernel lens_kernel_portable;
#if defined(__x86_64__)
extern const lens_sgemm_kernel lens_kernel_avx2_fma;
extern const lens_sgemm_kernel lens_kernel_avx512;
extern const lens_sgemm_kernel lens_kernel_avx512_layout_on_avx2;
#endif

#endif
