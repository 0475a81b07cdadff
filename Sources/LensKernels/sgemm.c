#include "lens_kernels.h"

// Plain but cache-friendly (i-p-j order) version; the speed work replaces this with
// packed, register-blocked kernels chosen by CPU feature.
void lens_sgemm(int transA, int transB, int M, int N, int K, float alpha,
                const float *A, int lda, const float *B, int ldb,
                float beta, float *C, int ldc) {
    for (int i = 0; i < M; i++) {
        float *c = C + (long)i * ldc;
        if (beta == 0.0f) { for (int j = 0; j < N; j++) c[j] = 0.0f; }
        else if (beta != 1.0f) { for (int j = 0; j < N; j++) c[j] *= beta; }
        for (int p = 0; p < K; p++) {
            float a = alpha * (transA ? A[(long)p * lda + i] : A[(long)i * lda + p]);
            if (transB) {
                for (int j = 0; j < N; j++) c[j] += a * B[(long)j * ldb + p];
            } else {
                const float *b = B + (long)p * ldb;
                for (int j = 0; j < N; j++) c[j] += a * b[j];
            }
        }
    }
}

const char *lens_sgemm_kernel_name(void) { return "portable"; }
