// Direct 3x3 depthwise kernels at stride 1 and 2 (MobileNet's depthwise layers), AVX-512 and AVX2.
// The general path (conv_depthwise.c) copies each channel's plane into stride phases and runs one
// chain of nine dependent multiply-adds per vector of outputs: latency-bound, and the copy is a pass
// over the plane of its own. Here the taps sit in registers, the input rows are read from the image
// with masked loads (zeros at the borders), and several output rows are summed at once.
#include <immintrin.h>
#include <stddef.h>
#include "conv_depthwise3x3.h"
#include "lens_kernels.h"

#if defined(__x86_64__)

// ---- AVX-512: 16 lanes, seven output rows a block (MobileNet's sides 7, 14, ..., 112 are multiples of 7).
static inline __attribute__((target("avx512f"))) __mmask16 lane_mask16(int lo, int hi) {
    if (hi > 16) hi = 16;
    if (lo < 0) lo = 0;
    if (hi <= lo) return 0;
    return (__mmask16)(((1u << hi) - 1) & ~((1u << lo) - 1));
}
static inline __attribute__((target("avx512f"))) __m512 evens16(__m512 lo, __m512 hi) {
    return _mm512_permutex2var_ps(lo, _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), hi);
}
static inline __attribute__((target("avx512f"))) __m512 odds16(__m512 lo, __m512 hi) {
    return _mm512_permutex2var_ps(lo, _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), hi);
}
static inline __attribute__((target("avx512f"))) __m512 weave_lo16(__m512 e, __m512 o) {
    return _mm512_permutex2var_ps(e, _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), o);
}
static inline __attribute__((target("avx512f"))) __m512 weave_hi16(__m512 e, __m512 o) {
    return _mm512_permutex2var_ps(e, _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), o);
}

#define FN(name) dw3_##name##_avx512
#define TARGET __attribute__((target("avx512f")))
#define VEC __m512
#define LANES 16
#define ROWS 7
#define MASK_T __mmask16
#define LANE_MASK(lo, hi) lane_mask16(lo, hi)
#define LOAD(p, m) _mm512_maskz_loadu_ps(m, p)
#define STORE(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define SET1 _mm512_set1_ps
#define ZERO _mm512_setzero_ps
#define FMADD _mm512_fmadd_ps
#define MIN _mm512_min_ps
#define MAX _mm512_max_ps
#define EVENS evens16
#define ODDS odds16
#define WEAVE_LO weave_lo16
#define WEAVE_HI weave_hi16
#include "conv_depthwise3x3_body.h"
#undef FN
#undef TARGET
#undef VEC
#undef LANES
#undef ROWS
#undef MASK_T
#undef LANE_MASK
#undef LOAD
#undef STORE
#undef SET1
#undef ZERO
#undef FMADD
#undef MIN
#undef MAX
#undef EVENS
#undef ODDS
#undef WEAVE_LO
#undef WEAVE_HI

// ---- AVX2: 8 lanes, four output rows a block (16 registers: nine taps do not all stay in them).
static inline __attribute__((target("avx2,fma"))) __m256i lane_mask8(int lo, int hi) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_and_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(hi), lane), _mm256_cmpgt_epi32(lane, _mm256_set1_epi32(lo - 1)));
}
// shuffle_ps takes lanes 0 and 2 (1 and 3) of each 4-float half; permute4x64 puts the halves in order.
static inline __attribute__((target("avx2,fma"))) __m256 evens8(__m256 lo, __m256 hi) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0x88)), 0xD8));
}
static inline __attribute__((target("avx2,fma"))) __m256 odds8(__m256 lo, __m256 hi) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0xDD)), 0xD8));
}
static inline __attribute__((target("avx2,fma"))) __m256 weave_lo8(__m256 e, __m256 o) {
    return _mm256_permute2f128_ps(_mm256_unpacklo_ps(e, o), _mm256_unpackhi_ps(e, o), 0x20);
}
static inline __attribute__((target("avx2,fma"))) __m256 weave_hi8(__m256 e, __m256 o) {
    return _mm256_permute2f128_ps(_mm256_unpacklo_ps(e, o), _mm256_unpackhi_ps(e, o), 0x31);
}

#define FN(name) dw3_##name##_avx2
#define TARGET __attribute__((target("avx2,fma")))
#define VEC __m256
#define LANES 8
#define ROWS 4
#define MASK_T __m256i
#define LANE_MASK(lo, hi) lane_mask8(lo, hi)
#define LOAD(p, m) _mm256_maskload_ps(p, m)
#define STORE(p, m, v) _mm256_maskstore_ps(p, m, v)
#define SET1 _mm256_set1_ps
#define ZERO _mm256_setzero_ps
#define FMADD _mm256_fmadd_ps
#define MIN _mm256_min_ps
#define MAX _mm256_max_ps
#define EVENS evens8
#define ODDS odds8
#define WEAVE_LO weave_lo8
#define WEAVE_HI weave_hi8
#include "conv_depthwise3x3_body.h"

#endif

dw3_kernels lens_dw3_kernels(int level) {
    dw3_kernels none = {NULL, NULL};
#if defined(__x86_64__)
    const int available = lens_kernel_level();
    if (level == LENS_LEVEL_AVX512 && available >= LENS_LEVEL_AVX512) return (dw3_kernels){dw3_forward_avx512, dw3_data_s2_avx512};
    if (level == LENS_LEVEL_AVX2 && available >= LENS_LEVEL_AVX2) return (dw3_kernels){dw3_forward_avx2, dw3_data_s2_avx2};
#else
    (void)level;
#endif
    return none;
}
