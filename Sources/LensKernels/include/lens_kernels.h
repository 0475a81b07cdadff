#ifndef LENS_KERNELS_H
#define LENS_KERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// C = alpha * op(A) * op(B) + beta * C, all row-major float32.
/// op(A) is M x K (A is K x M when transA), op(B) is K x N (B is N x K when transB).
/// Picks the fastest kernel this CPU supports; single-threaded (callers split the work).
void lens_sgemm(int transA, int transB, int M, int N, int K, float alpha,
                const float *A, int lda, const float *B, int ldb,
                float beta, float *C, int ldc);

/// The plain triple loop every fast path is tested against.
void lens_sgemm_reference(int transA, int transB, int M, int N, int K, float alpha,
                          const float *A, int lda, const float *B, int ldb,
                          float beta, float *C, int ldc);

/// Name of the kernel lens_sgemm dispatches to ("avx512", "avx2-fma", "portable").
const char *lens_sgemm_kernel_name(void);

#ifdef __cplusplus
}
#endif
#endif
