#include "lens_kernels.h"

void lens_sgemm_reference(int transA, int transB, int M, int N, int K, float alpha,
                          const float *A, int lda, const float *B, int ldb,
                          float beta, float *C, int ldc) {
    for (long i = 0; i < M; i++) {
        for (long j = 0; j < N; j++) {
            double sum = 0;
            for (long p = 0; p < K; p++) {
                float a = transA ? A[p * lda + i] : A[i * lda + p];
                float b = transB ? B[j * ldb + p] : B[p * ldb + j];
                sum += (double)a * (double)b;
            }
            float prior = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
            C[i * ldc + j] = (float)(alpha * sum) + prior;
        }
    }
}
