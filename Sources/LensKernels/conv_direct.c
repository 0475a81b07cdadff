// Direct stride-1 convolution for layers with few rows per output (C·k·k up to a few dozen: a
// first layer on gray or RGB images, a depthwise layer). There im2col + GEMM is mostly memory
// traffic: the column matrix is k·k copies of the image and the product's K is 9 or 25, too short
// to pay for packing. Here each output vector of 16 (or 8) positions is summed in registers, from
// the bias and shifted loads of the zero-bordered image, for up to 8 output channels at once, and
// written once
// (optionally through ReLU; max(0, x) keeps a NaN, as ReLULayer does).
#include <immintrin.h>
#include <pthread.h>
#include "lens_kernels.h"

typedef void (*conv_fn)(const float *, int, int, int, int, int, int, const float *, const float *, int, float *, int);

// y[o][oy][ox] = (relu?)(b[o] + Σ_c Σ_ky Σ_kx w[o][c][ky][kx] · padded[c][oy + ky][ox + kx])
static void conv_plain(const float *padded, int channels, int padded_height, int padded_width, int kernel,
                       int out_height, int out_width, const float *weight, const float *bias, int outputs, float *output,
                       int relu) {
    const long plane = (long)padded_height * padded_width, positions = (long)out_height * out_width;
    for (int o = 0; o < outputs; o++) {
        float *y = output + o * positions;
        for (long p = 0; p < positions; p++) y[p] = bias ? bias[o] : 0;
        for (int c = 0; c < channels; c++)
            for (int ky = 0; ky < kernel; ky++)
                for (int kx = 0; kx < kernel; kx++) {
                    const float w = weight[((o * channels + c) * kernel + ky) * kernel + kx];
                    const float *x = padded + c * plane + ky * padded_width + kx;
                    for (int oy = 0; oy < out_height; oy++)
                        for (int ox = 0; ox < out_width; ox++) y[oy * out_width + ox] += w * x[oy * padded_width + ox];
                }
        if (relu)
            for (long p = 0; p < positions; p++) y[p] = y[p] < 0 ? 0 : y[p];   // NaN stays NaN, as in ReLULayer
    }
}

#if defined(__x86_64__)
// One block of BLOCK output channels, one output row, every x-run of 16 lanes (the last masked).
#define AVX512_BLOCK(BLOCK)                                                                                    \
    __attribute__((target("avx512f"))) static void conv_avx512_##BLOCK(                                      \
        const float *padded, int channels, int padded_width, int kernel, int oy, int out_width,              \
        long plane, long positions, const float *weight, const float *bias, float *output, int relu) {        \
        const long taps = (long)channels * kernel * kernel;                                                  \
        for (int x0 = 0; x0 < out_width; x0 += 16) {                                                         \
            const int left = out_width - x0;                                                                 \
            const __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);           \
            __m512 acc[BLOCK];                                                                               \
            for (int j = 0; j < BLOCK; j++)                                                                  \
                acc[j] = _mm512_set1_ps(bias ? bias[j] : 0.0f);                                              \
            for (int c = 0; c < channels; c++)                                                               \
                for (int ky = 0; ky < kernel; ky++) {                                                        \
                    const float *row = padded + c * plane + (long)(oy + ky) * padded_width + x0;             \
                    const float *w = weight + ((long)c * kernel + ky) * kernel;                              \
                    for (int kx = 0; kx < kernel; kx++) {                                                    \
                        const __m512 x = _mm512_maskz_loadu_ps(mask, row + kx);                              \
                        for (int j = 0; j < BLOCK; j++)                                                      \
                            acc[j] = _mm512_fmadd_ps(_mm512_set1_ps(w[j * taps + kx]), x, acc[j]);           \
                    }                                                                                        \
                }                                                                                            \
            for (int j = 0; j < BLOCK; j++) {                                                                \
                if (relu) acc[j] = _mm512_max_ps(_mm512_setzero_ps(), acc[j]);                               \
                _mm512_mask_storeu_ps(output + j * positions + (long)oy * out_width + x0, mask, acc[j]);     \
            }                                                                                                \
        }                                                                                                    \
    }
AVX512_BLOCK(8)
AVX512_BLOCK(1)

// Blocks of 8 output channels, then one at a time; every output row of each.
#define DRIVER(ISA, TARGET)                                                                                    \
    __attribute__((target(TARGET))) static void conv_##ISA(                                                  \
        const float *padded, int channels, int padded_height, int padded_width, int kernel, int out_height,  \
        int out_width, const float *weight, const float *bias, int outputs, float *output, int relu) {       \
        const long plane = (long)padded_height * padded_width, positions = (long)out_height * out_width;     \
        const long taps = (long)channels * kernel * kernel;                                                  \
        int o = 0;                                                                                           \
        for (; o + 8 <= outputs; o += 8)                                                                     \
            for (int oy = 0; oy < out_height; oy++)                                                          \
                conv_##ISA##_8(padded, channels, padded_width, kernel, oy, out_width, plane, positions,       \
                               weight + o * taps, bias ? bias + o : NULL, output + o * positions, relu);     \
        for (; o < outputs; o++)                                                                             \
            for (int oy = 0; oy < out_height; oy++)                                                          \
                conv_##ISA##_1(padded, channels, padded_width, kernel, oy, out_width, plane, positions,       \
                               weight + o * taps, bias ? bias + o : NULL, output + o * positions, relu);     \
    }
DRIVER(avx512, "avx512f")

// The same with 8 lanes; the tail of a row goes through maskload/maskstore.
#define AVX2_BLOCK(BLOCK)                                                                                      \
    __attribute__((target("avx2,fma"))) static void conv_avx2_##BLOCK(                                       \
        const float *padded, int channels, int padded_width, int kernel, int oy, int out_width,              \
        long plane, long positions, const float *weight, const float *bias, float *output, int relu) {        \
        const long taps = (long)channels * kernel * kernel;                                                  \
        for (int x0 = 0; x0 < out_width; x0 += 8) {                                                          \
            const int left = out_width - x0;                                                                 \
            const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(left), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); \
            __m256 acc[BLOCK];                                                                               \
            for (int j = 0; j < BLOCK; j++)                                                                  \
                acc[j] = _mm256_set1_ps(bias ? bias[j] : 0.0f);                                              \
            for (int c = 0; c < channels; c++)                                                               \
                for (int ky = 0; ky < kernel; ky++) {                                                        \
                    const float *row = padded + c * plane + (long)(oy + ky) * padded_width + x0;             \
                    const float *w = weight + ((long)c * kernel + ky) * kernel;                              \
                    for (int kx = 0; kx < kernel; kx++) {                                                    \
                        const __m256 x = _mm256_maskload_ps(row + kx, mask);                                 \
                        for (int j = 0; j < BLOCK; j++)                                                      \
                            acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(w[j * taps + kx]), x, acc[j]);           \
                    }                                                                                        \
                }                                                                                            \
            for (int j = 0; j < BLOCK; j++) {                                                                \
                if (relu) acc[j] = _mm256_max_ps(_mm256_setzero_ps(), acc[j]);                               \
                _mm256_maskstore_ps(output + j * positions + (long)oy * out_width + x0, mask, acc[j]);       \
            }                                                                                                \
        }                                                                                                    \
    }
AVX2_BLOCK(8)
AVX2_BLOCK(1)

DRIVER(avx2, "avx2,fma")
#endif

static conv_fn chosen = conv_plain;
static pthread_once_t choose_once = PTHREAD_ONCE_INIT;
static void choose(void) {
#if defined(__x86_64__)
    const int level = lens_kernel_level();
    if (level >= LENS_LEVEL_AVX2) chosen = conv_avx2;
    if (level >= LENS_LEVEL_AVX512) chosen = conv_avx512;
#endif
}

void lens_conv_direct_padded(const float *padded, int channels, int padded_height, int padded_width, int kernel,
                             int out_height, int out_width, const float *weight, const float *bias, int outputs,
                             float *output, int relu, int variant) {
    pthread_once(&choose_once, choose);
    conv_fn fn = chosen;
#if defined(__x86_64__)
    if (variant == LENS_LEVEL_PORTABLE) fn = conv_plain;
    if (variant == LENS_LEVEL_AVX2 && lens_kernel_level() >= LENS_LEVEL_AVX2) fn = conv_avx2;
    if (variant == LENS_LEVEL_AVX512 && lens_kernel_level() >= LENS_LEVEL_AVX512) fn = conv_avx512;
#else
    (void)variant;
#endif
    fn(padded, channels, padded_height, padded_width, kernel, out_height, out_width, weight, bias, outputs, output, relu);
}
