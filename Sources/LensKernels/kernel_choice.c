// The widest instruction set the kernels may use: the CPU's, capped by LENS_KERNELS
// ("avx2" or "portable") so that the AVX2 and plain paths can be run and measured on an
// AVX-512 machine.
#include <stdlib.h>
#include <string.h>
#include "lens_kernels.h"

int lens_kernel_level(void) {
    int level = LENS_LEVEL_PORTABLE;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) level = LENS_LEVEL_AVX2;
    if (level == LENS_LEVEL_AVX2 && __builtin_cpu_supports("avx512f")) level = LENS_LEVEL_AVX512;
#endif
    const char *cap = getenv("LENS_KERNELS");
    if (cap && strcmp(cap, "portable") == 0) level = LENS_LEVEL_PORTABLE;
    if (cap && strcmp(cap, "avx2") == 0 && level > LENS_LEVEL_AVX2) level = LENS_LEVEL_AVX2;
    return level;
}
