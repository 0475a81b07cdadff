// Stride-1 im2col and col2im from a zero-bordered image: the column matrix is C·k·k rows of
// outHeight·outWidth floats, each row-run of outWidth floats a plain copy of part of a padded
// image row. The runs are short (14 or 28 floats in the lecture's networks), so the per-run cost
// decides: one masked AVX-512 move per 16 floats, where Swift's baseline SSE2 loop paid an alias
// check, a vector loop and a scalar tail per run (im2col was 12% of W4's training time).
#include <immintrin.h>
#include <pthread.h>
#include "lens_kernels.h"

typedef void (*run_copy_fn)(const float *src, float *dst, long count);

static void copy_run_plain(const float *src, float *dst, long count) {
    for (long i = 0; i < count; i++) dst[i] = src[i];
}
static void add_run_plain(const float *src, float *dst, long count) {
    for (long i = 0; i < count; i++) dst[i] += src[i];
}

#if defined(__x86_64__)
__attribute__((target("avx512f"))) static void copy_run_avx512(const float *src, float *dst, long count) {
    long i = 0;
    for (; i + 16 <= count; i += 16) _mm512_storeu_ps(dst + i, _mm512_loadu_ps(src + i));
    if (i < count) {
        __mmask16 mask = (__mmask16)((1u << (count - i)) - 1);
        _mm512_mask_storeu_ps(dst + i, mask, _mm512_maskz_loadu_ps(mask, src + i));
    }
}
__attribute__((target("avx512f"))) static void add_run_avx512(const float *src, float *dst, long count) {
    long i = 0;
    for (; i + 16 <= count; i += 16)
        _mm512_storeu_ps(dst + i, _mm512_add_ps(_mm512_loadu_ps(dst + i), _mm512_loadu_ps(src + i)));
    if (i < count) {
        __mmask16 mask = (__mmask16)((1u << (count - i)) - 1);
        __m512 sum = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, dst + i), _mm512_maskz_loadu_ps(mask, src + i));
        _mm512_mask_storeu_ps(dst + i, mask, sum);
    }
}

// Stride-2 runs of the strided im2col (ResNet's stem): dst[i] = src[2i]. Loads stop at the run's
// last float (masks), as a run may end the image. (col2im's dst[2i] += src[i] the same way measured
// slower than Swift's loop: it waits on memory either way.)
__attribute__((target("avx512f"))) static void gather2_run_avx512(const float *src, float *dst, long count) {
    const __m512i evens = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512 low = _mm512_loadu_ps(src + 2 * i), high = _mm512_maskz_loadu_ps(0x7fff, src + 2 * i + 16);
        _mm512_storeu_ps(dst + i, _mm512_permutex2var_ps(low, evens, high));
    }
    if (i < count) {
        const long reads = 2 * (count - i) - 1;   // src[2i] ... src[2(count - 1)]
        const __mmask16 lowMask = (__mmask16)(reads >= 16 ? 0xffff : (1u << reads) - 1);
        const __mmask16 highMask = (__mmask16)(reads > 16 ? (1u << (reads - 16)) - 1 : 0);
        __m512 low = _mm512_maskz_loadu_ps(lowMask, src + 2 * i), high = _mm512_maskz_loadu_ps(highMask, src + 2 * i + 16);
        _mm512_mask_storeu_ps(dst + i, (__mmask16)((1u << (count - i)) - 1), _mm512_permutex2var_ps(low, evens, high));
    }
}
#endif

static void gather2_run_plain(const float *src, float *dst, long count) {
    for (long i = 0; i < count; i++) dst[i] = src[2 * i];
}

static run_copy_fn copy_run = copy_run_plain, add_run = add_run_plain;
static run_copy_fn gather2_run = gather2_run_plain;
static pthread_once_t choose_once = PTHREAD_ONCE_INIT;
static void choose(void) {
#if defined(__x86_64__)
    if (lens_kernel_level() >= LENS_LEVEL_AVX512) {   // LENS_KERNELS caps it
        copy_run = copy_run_avx512;
        add_run = add_run_avx512;
        gather2_run = gather2_run_avx512;
    }
#endif
}

// Calls `run(image run, column run, outWidth)` for every run, in column-matrix order (c, ky, kx, oy).
#define FOR_EACH_RUN(PADDED, COLUMNS, BODY)                                                        \
    for (long c = 0; c < channels; c++) {                                                          \
        const long plane = c * padded_height * padded_width;                                       \
        for (long ky = 0; ky < kernel; ky++)                                                       \
            for (long kx = 0; kx < kernel; kx++) {                                                 \
                const long row = ((c * kernel + ky) * kernel + kx) * out_height * out_width;       \
                for (long oy = 0; oy < out_height; oy++)                                           \
                    BODY((PADDED) + plane + (oy + ky) * padded_width + kx, (COLUMNS) + row + oy * out_width); \
            }                                                                                      \
    }

void lens_im2col_padded(const float *padded, int channels, int padded_height, int padded_width, int kernel,
                        int out_height, int out_width, float *columns) {
    pthread_once(&choose_once, choose);
    const run_copy_fn copy = copy_run;
#define COPY_BODY(IMAGE_RUN, COLUMN_RUN) copy((IMAGE_RUN), (COLUMN_RUN), out_width)
    FOR_EACH_RUN(padded, columns, COPY_BODY)
#undef COPY_BODY
}

void lens_col2im_padded(const float *columns, int channels, int padded_height, int padded_width, int kernel,
                        int out_height, int out_width, float *padded) {
    pthread_once(&choose_once, choose);
    const run_copy_fn add = add_run;
#define ADD_BODY(IMAGE_RUN, COLUMN_RUN) add((COLUMN_RUN), (float *)(IMAGE_RUN), out_width)
    FOR_EACH_RUN(padded, columns, ADD_BODY)
#undef ADD_BODY
}

void lens_gather_stride2(const float *src, float *dst, long count) {
    pthread_once(&choose_once, choose);
    gather2_run(src, dst, count);
}
