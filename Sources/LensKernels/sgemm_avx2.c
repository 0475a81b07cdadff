// The AVX2+FMA 6x16 micro-kernel, in inline assembly.
//
// Why assembly and not intrinsics: SwiftPM builds C targets at -O0 in debug configurations
// (and `swift test` runs debug builds), clang offers no per-function way to raise the
// optimisation level, and an intrinsics kernel at -O0 spills every register (measured here:
// 1.7 GFLOP/s). Inline assembly is not touched by the optimiser, so this kernel runs at the
// same ~95 GFLOP/s per core in debug and release builds.
#include "sgemm_kernels.h"

#if defined(__x86_64__)

// Accumulators: row i of the tile is ymm(2i), ymm(2i+1). ymm12/13 hold the B row, ymm14 the
// broadcast A element, ymm15 alpha then beta.
#define ROW(OFF, R0, R1)                                    \
    "vbroadcastss " #OFF "(%[a]), %%ymm14\n\t"              \
    "vfmadd231ps %%ymm12, %%ymm14, %%ymm" #R0 "\n\t"        \
    "vfmadd231ps %%ymm13, %%ymm14, %%ymm" #R1 "\n\t"
#define STEP(AOFF, BOFF)                                    \
    "vmovaps " #BOFF "(%[b]), %%ymm12\n\t"                  \
    "vmovaps " #BOFF "+32(%[b]), %%ymm13\n\t"               \
    ROW(AOFF + 0, 0, 1) ROW(AOFF + 4, 2, 3) ROW(AOFF + 8, 4, 5) \
    ROW(AOFF + 12, 6, 7) ROW(AOFF + 16, 8, 9) ROW(AOFF + 20, 10, 11)
#define SCALE(R) "vmulps %%ymm15, %%ymm" #R ", %%ymm" #R "\n\t"
#define ADD_BETA_C_AND_STORE(R0, R1)                        \
    "vfmadd231ps (%[c]), %%ymm15, %%ymm" #R0 "\n\t"         \
    "vfmadd231ps 32(%[c]), %%ymm15, %%ymm" #R1 "\n\t"       \
    "vmovups %%ymm" #R0 ", (%[c])\n\t"                      \
    "vmovups %%ymm" #R1 ", 32(%[c])\n\t"                    \
    "add %[ldc], %[c]\n\t"
#define STORE(R0, R1)                                       \
    "vmovups %%ymm" #R0 ", (%[c])\n\t"                      \
    "vmovups %%ymm" #R1 ", 32(%[c])\n\t"                    \
    "add %[ldc], %[c]\n\t"
#define PREFETCH_C_ROW                                      \
    "prefetcht0 (%[row])\n\t"                               \
    "prefetcht0 60(%[row])\n\t"                             \
    "add %[ldc], %[row]\n\t"
#define ZERO(R) "vxorps %%ymm" #R ", %%ymm" #R ", %%ymm" #R "\n\t"

__attribute__((target("avx2,fma")))
static void micro_avx2_6x16(long k, const float *a, const float *b, float *c, long ldc,
                            float alpha, float beta) {
    long k4 = k >> 2, kr = k & 3, ldc_bytes = ldc * (long)sizeof(float), beta_is_zero = beta == 0.0f;
    const float *c_row;
    __asm__ volatile(
        // Start fetching the C tile now; it is read (beta != 0) or written after the k loop.
        "mov %[c], %[row]\n\t"
        PREFETCH_C_ROW PREFETCH_C_ROW PREFETCH_C_ROW PREFETCH_C_ROW PREFETCH_C_ROW PREFETCH_C_ROW
        ZERO(0) ZERO(1) ZERO(2) ZERO(3) ZERO(4) ZERO(5)
        ZERO(6) ZERO(7) ZERO(8) ZERO(9) ZERO(10) ZERO(11)
        "test %[k4], %[k4]\n\t"
        "jz 2f\n\t"
        ".p2align 4\n"
        "1:\n\t"
        "prefetcht0 512(%[b])\n\t"
        STEP(0, 0) STEP(24, 64) STEP(48, 128) STEP(72, 192)
        "add $96, %[a]\n\t"
        "add $256, %[b]\n\t"
        "dec %[k4]\n\t"
        "jnz 1b\n"
        "2:\n\t"
        "test %[kr], %[kr]\n\t"
        "jz 4f\n"
        "3:\n\t"
        STEP(0, 0)
        "add $24, %[a]\n\t"
        "add $64, %[b]\n\t"
        "dec %[kr]\n\t"
        "jnz 3b\n"
        "4:\n\t"
        "vbroadcastss %[alpha], %%ymm15\n\t"
        SCALE(0) SCALE(1) SCALE(2) SCALE(3) SCALE(4) SCALE(5)
        SCALE(6) SCALE(7) SCALE(8) SCALE(9) SCALE(10) SCALE(11)
        "test %[bz], %[bz]\n\t"
        "jnz 5f\n\t"
        "vbroadcastss %[beta], %%ymm15\n\t"
        ADD_BETA_C_AND_STORE(0, 1) ADD_BETA_C_AND_STORE(2, 3) ADD_BETA_C_AND_STORE(4, 5)
        ADD_BETA_C_AND_STORE(6, 7) ADD_BETA_C_AND_STORE(8, 9) ADD_BETA_C_AND_STORE(10, 11)
        "jmp 6f\n"
        "5:\n\t"
        STORE(0, 1) STORE(2, 3) STORE(4, 5) STORE(6, 7) STORE(8, 9) STORE(10, 11)
        "6:\n\t"
        "vzeroupper\n\t"
        : [a] "+r"(a), [b] "+r"(b), [c] "+r"(c), [k4] "+r"(k4), [kr] "+r"(kr), [row] "=&r"(c_row)
        : [ldc] "r"(ldc_bytes), [bz] "r"(beta_is_zero), [alpha] "m"(alpha), [beta] "m"(beta)
        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
          "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "cc", "memory");
}

static int has_avx2_fma(void) {
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

// KC 256: the 16 KiB B sliver stays in the 32 KiB L1; MC 144: the 144 KiB A block in L2.
#ifndef LENS_AVX2_MC
#define LENS_AVX2_MC 144
#define LENS_AVX2_KC 256
#define LENS_AVX2_NC 4080
#endif
const lens_sgemm_kernel lens_kernel_avx2_fma = {
    .name = "avx2-fma", .mr = 6, .nr = 16, .mc = LENS_AVX2_MC, .kc = LENS_AVX2_KC, .nc = LENS_AVX2_NC,
    .micro = micro_avx2_6x16, .available = has_avx2_fma, .skinny = &lens_skinny_avx2,
};

#endif
