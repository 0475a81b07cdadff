// Micro-kernels written once with clang/GCC vector extensions and compiled per target:
// the portable fallback (SSE2 on x86-64, NEON on arm64) and the AVX-512 one. These rely on
// the optimiser (slow in -O0 debug builds); see sgemm_avx2.c for the kernel debug builds use.
#include <string.h>
#include "sgemm_kernels.h"

// Every loop over the MR rows is unrolled, so that the accumulators live in registers.
#define UNROLL _Pragma("clang loop unroll(full)")

// An MR x (2*W) tile: each row keeps two W-lane accumulators.
#define LENS_DEFINE_VECTOR_KERNEL(NAME, ATTR, VEC, W, MR)                                        \
    ATTR static void NAME(long k, const float *restrict a, const float *restrict b,              \
                          float *restrict c, long ldc, float alpha, float beta) {                \
        VEC acc0[MR], acc1[MR];                                                                   \
        UNROLL for (int i = 0; i < MR; i++) { acc0[i] = (VEC){0}; acc1[i] = (VEC){0}; }           \
        for (long p = 0; p < k; p++) {                                                            \
            VEC b0, b1;                                                                           \
            memcpy(&b0, b + p * 2 * W, sizeof b0);                                                \
            memcpy(&b1, b + p * 2 * W + W, sizeof b1);                                            \
            UNROLL for (int i = 0; i < MR; i++) {                                                 \
                float ai = a[p * MR + i];                                                         \
                acc0[i] += b0 * ai;                                                               \
                acc1[i] += b1 * ai;                                                               \
            }                                                                                     \
        }                                                                                         \
        UNROLL for (int i = 0; i < MR; i++) {                                                     \
            VEC r0 = acc0[i] * alpha, r1 = acc1[i] * alpha;                                       \
            float *ci = c + i * ldc;                                                              \
            if (beta != 0.0f) {                                                                   \
                VEC c0, c1;                                                                       \
                memcpy(&c0, ci, sizeof c0);                                                       \
                memcpy(&c1, ci + W, sizeof c1);                                                   \
                r0 += c0 * beta;                                                                  \
                r1 += c1 * beta;                                                                  \
            }                                                                                     \
            memcpy(ci, &r0, sizeof r0);                                                           \
            memcpy(ci + W, &r1, sizeof r1);                                                       \
        }                                                                                         \
    }

typedef float lens_v4 __attribute__((vector_size(16)));
typedef float lens_v16 __attribute__((vector_size(64)));

LENS_DEFINE_VECTOR_KERNEL(micro_portable_4x8, , lens_v4, 4, 4)
static int always(void) { return 1; }
const lens_sgemm_kernel lens_kernel_portable = {
    .name = "portable", .mr = 4, .nr = 8, .mc = 128, .kc = 256, .nc = 4096,
    .micro = micro_portable_4x8, .available = always, .skinny = &lens_skinny_portable,
};

#if defined(__x86_64__)
// 8x32, the AVX-512 kernel: 16 zmm accumulators, 2 for B, the A element an embedded broadcast.
// On the Zen 4/5 machines this project runs on it matches or beats 14x32 on every shape measured
// (64x300x4096 A·Bᵀ: 206 vs 189 GFLOP/s on one core; 1024³: 263 vs 259), and 8 divides the
// layer sizes (64, 128, 300 → 304) far better than 14 does.
LENS_DEFINE_VECTOR_KERNEL(micro_avx512_8x32, __attribute__((target("avx512f"))), lens_v16, 16, 8)
static int has_avx512f(void) { return __builtin_cpu_supports("avx512f"); }
const lens_sgemm_kernel lens_kernel_avx512 = {
    .name = "avx512", .mr = 8, .nr = 32, .mc = 128, .kc = 256, .nc = 4096,
    .micro = micro_avx512_8x32, .available = has_avx512f, .skinny = &lens_skinny_avx512,
};

// 14x32: 28 zmm accumulators + 2 for B (the register file's limit); kept for comparison and
// tests (lens_sgemm_with_kernel), not chosen.
LENS_DEFINE_VECTOR_KERNEL(micro_avx512_14x32, __attribute__((target("avx512f"))), lens_v16, 16, 14)
const lens_sgemm_kernel lens_kernel_avx512_14x32 = {
    .name = "avx512-14x32", .mr = 14, .nr = 32, .mc = 112, .kc = 256, .nc = 4096,
    .micro = micro_avx512_14x32, .available = has_avx512f, .skinny = &lens_skinny_avx512,
};

// The very same source and 14x32 blocking as the 14x32 AVX-512 kernel, compiled for AVX2: it lets a
// machine without AVX-512 test that kernel's logic and the driver's 14x32 packing and edges.
LENS_DEFINE_VECTOR_KERNEL(micro_avx512_layout_on_avx2, __attribute__((target("avx2,fma"))), lens_v16, 16, 14)
static int has_avx2_fma(void) { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
const lens_sgemm_kernel lens_kernel_avx512_layout_on_avx2 = {
    .name = "avx512-layout-on-avx2", .mr = 14, .nr = 32, .mc = 112, .kc = 256, .nc = 4096,
    .micro = micro_avx512_layout_on_avx2, .available = has_avx2_fma, .skinny = &lens_skinny_avx2,
};
#endif
