// Depthwise convolution (one k×k filter per channel, any stride; MobileNet's 3x3 stride 1 and 2),
// forward and the two backward products. im2col + GEMM per channel is a matrix product with M = 1
// and K = 9 for every channel: all call overhead and copies. Here each channel's zero-bordered
// plane is split into `stride` column phases, phase[r][py][j] = padded[py][j·s + r], so that the
// tap (ky, kx) of output (oy, ox) is phase[kx mod s][oy·s + ky][ox + kx div s]: a contiguous run in
// ox for every stride, which the SIMD loops load 16 (or 8) outputs at a time.
#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include "conv_depthwise3x3.h"
#include "lens_kernels.h"

typedef struct {
    int height, width, kernel, stride, pad_top, pad_left, out_height, out_width;
    int phase_height, phase_width;   // rows and columns of one phase plane
} dw_shape;

static dw_shape shape_of(int height, int width, int kernel, int stride, int pad_top, int pad_left, int out_height,
                         int out_width) {
    dw_shape s = {height, width, kernel, stride, pad_top, pad_left, out_height, out_width, 0, 0};
    s.phase_height = (out_height - 1) * stride + kernel;
    s.phase_width = out_width + (kernel - 1) / stride;
    return s;
}

long lens_conv_depthwise_scratch(int height, int width, int kernel, int stride, int pad_top, int pad_left, int out_height,
                                 int out_width) {
    const dw_shape s = shape_of(height, width, kernel, stride, pad_top, pad_left, out_height, out_width);
    return (long)s.stride * s.phase_height * s.phase_width;
}

// phases[r][py][j] = x[py − top][j·s + r − left], 0 outside the image.
static void split_phases(const float *x, dw_shape s, float *phases) {
    const long phase_size = (long)s.phase_height * s.phase_width;
    for (int r = 0; r < s.stride; r++)
        for (int py = 0; py < s.phase_height; py++) {
            float *row = phases + r * phase_size + (long)py * s.phase_width;
            const int iy = py - s.pad_top;
            if (iy < 0 || iy >= s.height) {
                memset(row, 0, sizeof(float) * s.phase_width);
                continue;
            }
            // Columns j with 0 <= j·s + r − left < width are copied, the rest are padding.
            const float *source = x + (long)iy * s.width + r - s.pad_left;
            const int shift = s.pad_left - r;
            int first = shift <= 0 ? 0 : (shift + s.stride - 1) / s.stride;
            int end = (s.width + shift + s.stride - 1) / s.stride;
            if (end > s.phase_width) end = s.phase_width;
            if (first > end) first = end;
            for (int j = 0; j < first; j++) row[j] = 0.0f;
            if (s.stride == 1) memcpy(row + first, source + first, sizeof(float) * (end - first));
            else
                for (int j = first; j < end; j++) row[j] = source[(long)j * s.stride];
            for (int j = end; j < s.phase_width; j++) row[j] = 0.0f;
        }
}

// dx[iy][ix] = phases[r][iy + top][j] where ix + left = j·s + r (the inverse of split_phases on the inside),
// 0 past the phases. Phase by phase (every s-th column of a row), so no division per element; a copy at stride 1.
static void merge_phases(const float *phases, dw_shape s, float *dx) {
    const long phase_size = (long)s.phase_height * s.phase_width;
    for (int iy = 0; iy < s.height; iy++) {
        const int py = iy + s.pad_top;
        float *row = dx + (long)iy * s.width;
        if (py >= s.phase_height) {
            memset(row, 0, sizeof(float) * s.width);
            continue;
        }
        for (int r = 0; r < s.stride; r++) {
            const float *source = phases + r * phase_size + (long)py * s.phase_width;
            const int ix0 = ((r - s.pad_left) % s.stride + s.stride) % s.stride;   // the first column of phase r
            int j = (ix0 + s.pad_left - r) / s.stride;
            if (s.stride == 1) {
                int inside = s.phase_width - j;
                if (inside > s.width) inside = s.width;
                if (inside < 0) inside = 0;
                memcpy(row, source + j, sizeof(float) * inside);
                for (int ix = inside; ix < s.width; ix++) row[ix] = 0.0f;
                continue;
            }
            for (int ix = ix0; ix < s.width; ix += s.stride, j++) row[ix] = j < s.phase_width ? source[j] : 0.0f;
        }
    }
}

// The three per-channel steps, each in a plain and SIMD form:
//   forward:  y[oy][ox] = clamp(b + Σ w[ky][kx] · phase[kx%s][oy·s+ky][ox + kx/s], low, high)
//   data:     phase[kx%s][oy·s+ky][ox + kx/s] += w[ky][kx] · dy[oy][ox]   (phases zeroed first)
//   weight:   dw[ky][kx] += Σ dy[oy][ox] · phase[kx%s][oy·s+ky][ox + kx/s]
typedef void (*dw_forward_fn)(const float *, dw_shape, const float *, float, float *, float, float);
typedef void (*dw_data_fn)(const float *, dw_shape, const float *, float *);
typedef void (*dw_weight_fn)(const float *, dw_shape, const float *, float *);

#define TAP_ROW(phases, s, oy, ky, kx) \
    ((phases) + ((kx) % (s).stride) * ((long)(s).phase_height * (s).phase_width) + (long)((oy) * (s).stride + (ky)) * (s).phase_width + (kx) / (s).stride)

static void forward_plain(const float *phases, dw_shape s, const float *w, float b, float *y, float low, float high) {
    for (int oy = 0; oy < s.out_height; oy++) {
        float *out = y + (long)oy * s.out_width;
        for (int ox = 0; ox < s.out_width; ox++) out[ox] = b;
        for (int ky = 0; ky < s.kernel; ky++)
            for (int kx = 0; kx < s.kernel; kx++) {
                const float weight = w[ky * s.kernel + kx], *x = TAP_ROW(phases, s, oy, ky, kx);
                for (int ox = 0; ox < s.out_width; ox++) out[ox] += weight * x[ox];
            }
        for (int ox = 0; ox < s.out_width; ox++) {   // NaN stays NaN, as ClipLayer and ReLULayer
            const float v = out[ox];
            out[ox] = v < low ? low : (v > high ? high : v);
        }
    }
}

static void data_plain(const float *dy, dw_shape s, const float *w, float *phases) {
    for (int oy = 0; oy < s.out_height; oy++) {
        const float *g = dy + (long)oy * s.out_width;
        for (int ky = 0; ky < s.kernel; ky++)
            for (int kx = 0; kx < s.kernel; kx++) {
                const float weight = w[ky * s.kernel + kx];
                float *x = (float *)TAP_ROW(phases, s, oy, ky, kx);
                for (int ox = 0; ox < s.out_width; ox++) x[ox] += weight * g[ox];
            }
    }
}

static void weight_plain(const float *dy, dw_shape s, const float *phases, float *dw) {
    for (int ky = 0; ky < s.kernel; ky++)
        for (int kx = 0; kx < s.kernel; kx++) {
            float sum = 0;
            for (int oy = 0; oy < s.out_height; oy++) {
                const float *g = dy + (long)oy * s.out_width, *x = TAP_ROW(phases, s, oy, ky, kx);
                for (int ox = 0; ox < s.out_width; ox++) sum += g[ox] * x[ox];
            }
            dw[ky * s.kernel + kx] += sum;
        }
}

// The SIMD steps handle kernels of up to 8x8 (a fixed array of tap offsets: a variable-length one
// beside 64-byte vector spills crashed the -O0 build); larger ones run the plain loops.
enum { DW_MAX_TAPS = 64 };

#if defined(__x86_64__)
// Where tap t = ky·k + kx of output row 0 starts, from the first phase row: TAP_ROW without its
// division and remainder by the stride, which the SIMD loops paid at every tap of every vector
// (an integer division per 16 outputs and tap: the 3x3 layers ran at 4-10 GFLOP/s). Output row oy
// adds oy·stride·phase_width.
static void tap_offsets(dw_shape s, long *offsets) {
    const long phase_size = (long)s.phase_height * s.phase_width;
    for (int ky = 0; ky < s.kernel; ky++)
        for (int kx = 0; kx < s.kernel; kx++)
            offsets[ky * s.kernel + kx] = (kx % s.stride) * phase_size + (long)ky * s.phase_width + kx / s.stride;
}

// min(high, max(low, v)) with v second: a NaN v comes through, as in the plain loop.
#define SIMD_STEPS(ISA, TARGET, VEC, LANES, SET1, ZERO, FMADD, ADD, MAX, MIN, MASK_T, MASK, LOAD, STORE, REDUCE)  \
    __attribute__((target(TARGET))) static void forward_##ISA(const float *phases, dw_shape s, const float *w, float b, \
                                                                float *y, float low, float high) {                \
        const int taps = s.kernel * s.kernel;                                                                     \
        const long step = (long)s.stride * s.phase_width;                                                         \
        long offset[DW_MAX_TAPS];                                                                                 \
        tap_offsets(s, offset);                                                                                   \
        const VEC vlow = SET1(low), vhigh = SET1(high);                                                           \
        for (int oy = 0; oy < s.out_height; oy++) {                                                              \
            const float *row = phases + oy * step;                                                                \
            for (int x0 = 0; x0 < s.out_width; x0 += LANES) {                                                    \
                const MASK_T mask = MASK(s.out_width - x0);                                                       \
                VEC acc = SET1(b);                                                                                \
                for (int t = 0; t < taps; t++) acc = FMADD(SET1(w[t]), LOAD(row + offset[t] + x0, mask), acc);  \
                acc = MIN(vhigh, MAX(vlow, acc));                                                                 \
                STORE(y + (long)oy * s.out_width + x0, mask, acc);                                                \
            }                                                                                                     \
        }                                                                                                         \
    }                                                                                                             \
    __attribute__((target(TARGET))) static void data_##ISA(const float *dy, dw_shape s, const float *w, float *phases) { \
        const int taps = s.kernel * s.kernel;                                                                     \
        const long step = (long)s.stride * s.phase_width;                                                         \
        long offset[DW_MAX_TAPS];                                                                                 \
        tap_offsets(s, offset);                                                                                   \
        for (int oy = 0; oy < s.out_height; oy++) {                                                              \
            float *row = phases + oy * step;                                                                      \
            for (int x0 = 0; x0 < s.out_width; x0 += LANES) {                                                    \
                const MASK_T mask = MASK(s.out_width - x0);                                                       \
                const VEC g = LOAD(dy + (long)oy * s.out_width + x0, mask);                                       \
                for (int t = 0; t < taps; t++) {                                                                  \
                    float *x = row + offset[t] + x0;                                                              \
                    STORE(x, mask, FMADD(SET1(w[t]), g, LOAD(x, mask)));                                          \
                }                                                                                                 \
            }                                                                                                     \
        }                                                                                                         \
    }                                                                                                             \
    __attribute__((target(TARGET))) static void weight_##ISA(const float *dy, dw_shape s, const float *phases, float *dw) { \
        const int taps = s.kernel * s.kernel;                                                                     \
        const long step = (long)s.stride * s.phase_width;                                                         \
        long offset[DW_MAX_TAPS];                                                                                 \
        tap_offsets(s, offset);                                                                                   \
        for (int t = 0; t < taps; t++) {                                                                          \
            VEC acc = ZERO();                                                                                     \
            for (int oy = 0; oy < s.out_height; oy++)                                                            \
                for (int x0 = 0; x0 < s.out_width; x0 += LANES) {                                                \
                    const MASK_T mask = MASK(s.out_width - x0);                                                   \
                    acc = FMADD(LOAD(dy + (long)oy * s.out_width + x0, mask), LOAD(phases + oy * step + offset[t] + x0, mask), acc); \
                }                                                                                                 \
            dw[t] += REDUCE(acc);                                                                                 \
        }                                                                                                         \
    }

static inline __attribute__((target("avx512f"))) __mmask16 mask16(int left) {
    return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
}
static inline __attribute__((target("avx512f"))) __m512 load16(const float *p, __mmask16 m) { return _mm512_maskz_loadu_ps(m, p); }
static inline __attribute__((target("avx512f"))) void store16(float *p, __mmask16 m, __m512 v) { _mm512_mask_storeu_ps(p, m, v); }
SIMD_STEPS(avx512, "avx512f", __m512, 16, _mm512_set1_ps, _mm512_setzero_ps, _mm512_fmadd_ps, _mm512_add_ps, _mm512_max_ps,
           _mm512_min_ps, __mmask16, mask16, load16, store16, _mm512_reduce_add_ps)

static inline __attribute__((target("avx2,fma"))) __m256i mask8(int left) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(left), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
static inline __attribute__((target("avx2,fma"))) __m256 load8(const float *p, __m256i m) { return _mm256_maskload_ps(p, m); }
static inline __attribute__((target("avx2,fma"))) void store8(float *p, __m256i m, __m256 v) { _mm256_maskstore_ps(p, m, v); }
static inline __attribute__((target("avx2,fma"))) float reduce8(__m256 v) {
    __m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
    sum = _mm_add_ss(sum, _mm_shuffle_ps(sum, sum, 1));
    return _mm_cvtss_f32(sum);
}
SIMD_STEPS(avx2, "avx2,fma", __m256, 8, _mm256_set1_ps, _mm256_setzero_ps, _mm256_fmadd_ps, _mm256_add_ps, _mm256_max_ps,
           _mm256_min_ps, __m256i, mask8, load8, store8, reduce8)
#endif

typedef struct {
    dw_forward_fn forward;
    dw_data_fn data;
    dw_weight_fn weight;
} dw_kernels;

static dw_kernels chosen = {forward_plain, data_plain, weight_plain};
static int chosen_level = LENS_LEVEL_PORTABLE;
static pthread_once_t choose_once = PTHREAD_ONCE_INIT;
static void choose(void) {
#if defined(__x86_64__)
    const int level = lens_kernel_level();
    chosen_level = level;
    if (level >= LENS_LEVEL_AVX2) chosen = (dw_kernels){forward_avx2, data_avx2, weight_avx2};
    if (level >= LENS_LEVEL_AVX512) chosen = (dw_kernels){forward_avx512, data_avx512, weight_avx512};
#endif
}

static dw_kernels kernels_for(int variant) {
    pthread_once(&choose_once, choose);
#if defined(__x86_64__)
    if (variant == LENS_LEVEL_PORTABLE) return (dw_kernels){forward_plain, data_plain, weight_plain};
    if (variant == LENS_LEVEL_AVX2 && lens_kernel_level() >= LENS_LEVEL_AVX2) return (dw_kernels){forward_avx2, data_avx2, weight_avx2};
    if (variant == LENS_LEVEL_AVX512 && lens_kernel_level() >= LENS_LEVEL_AVX512)
        return (dw_kernels){forward_avx512, data_avx512, weight_avx512};
#else
    (void)variant;
#endif
    return chosen;
}

// The direct 3x3 kernels (conv_depthwise3x3.c) of `variant`'s instruction set, for a 3x3 kernel at stride 1
// or 2; NULLs otherwise (and for the portable variant), which run the phase loops above.
static dw3_kernels direct3x3_for(int variant, int kernel, int stride) {
    pthread_once(&choose_once, choose);
    if (kernel != 3 || (stride != 1 && stride != 2)) return (dw3_kernels){NULL, NULL};
    return lens_dw3_kernels(variant == LENS_LEVEL_CHOSEN ? chosen_level : variant);
}

void lens_conv_depthwise(const float *image, int height, int width, int kernel, int stride, int pad_top, int pad_left,
                         int out_height, int out_width, const float *weight, const float *bias, int first, int end,
                         float *output, float low, float high, float *scratch, int variant) {
    lens_conv_depthwise_planes(image, (long)height * width, height, width, kernel, stride, pad_top, pad_left, out_height,
                               out_width, weight, bias, first, end, output, (long)out_height * out_width, low, high, scratch,
                               variant);
}

void lens_conv_depthwise_planes(const float *image, long in_plane, int height, int width, int kernel, int stride,
                                int pad_top, int pad_left, int out_height, int out_width, const float *weight,
                                const float *bias, int first, int end, float *output, long out_plane, float low,
                                float high, float *scratch, int variant) {
    const long taps = (long)kernel * kernel;
    const dw3_kernels direct = direct3x3_for(variant, kernel, stride);
    if (direct.forward) {
        for (int c = first; c < end; c++)
            direct.forward(image + c * in_plane, height, width, stride, pad_top, pad_left, out_height, out_width,
                           weight + c * taps, bias ? bias[c] : 0.0f, output + c * out_plane, low, high);
        return;
    }
    const dw_kernels k = kernel * kernel > DW_MAX_TAPS ? (dw_kernels){forward_plain, data_plain, weight_plain} : kernels_for(variant);
    const dw_shape s = shape_of(height, width, kernel, stride, pad_top, pad_left, out_height, out_width);
    for (int c = first; c < end; c++) {
        split_phases(image + c * in_plane, s, scratch);
        k.forward(scratch, s, weight + c * taps, bias ? bias[c] : 0.0f, output + c * out_plane, low, high);
    }
}

// dx = dy ⋆ W turned 180° at stride 1: the forward kernel over dy with the pads 2 − pad (the taps reaching
// past dy read zeros), written; at stride 2 the gathering kernel. Returns 0 where neither applies.
static int input_gradient3x3(dw3_kernels direct, const float *dy, int height, int width, int stride, int pad_top,
                             int pad_left, int out_height, int out_width, const float *w, float *dx) {
    if (stride == 1 && direct.forward && pad_top <= 2 && pad_left <= 2) {
        float turned[9];
        for (int t = 0; t < 9; t++) turned[t] = w[8 - t];
        direct.forward(dy, out_height, out_width, 1, 2 - pad_top, 2 - pad_left, height, width, turned, 0.0f, dx,
                       -INFINITY, INFINITY);
        return 1;
    }
    if (stride == 2 && direct.data_stride2 && pad_left <= 2) {
        direct.data_stride2(dy, height, width, pad_top, pad_left, out_height, out_width, w, dx);
        return 1;
    }
    return 0;
}

void lens_conv_depthwise_backward(const float *image, const float *output_gradient, int height, int width, int kernel,
                                  int stride, int pad_top, int pad_left, int out_height, int out_width, const float *weight,
                                  int first, int end, float *input_gradient, float *weight_gradient, float *bias_gradient,
                                  float *scratch, int variant) {
    const dw_kernels k = kernel * kernel > DW_MAX_TAPS ? (dw_kernels){forward_plain, data_plain, weight_plain} : kernels_for(variant);
    const dw3_kernels direct = direct3x3_for(variant, kernel, stride);
    const dw_shape s = shape_of(height, width, kernel, stride, pad_top, pad_left, out_height, out_width);
    const long plane = (long)height * width, positions = (long)out_height * out_width, taps = (long)kernel * kernel;
    const long scratch_size = (long)s.stride * s.phase_height * s.phase_width;
    for (int c = first; c < end; c++) {
        const float *dy = output_gradient + c * positions;
        if (weight_gradient) {
            split_phases(image + c * plane, s, scratch);
            k.weight(dy, s, scratch, weight_gradient + c * taps);
        }
        if (bias_gradient) {
            float sum = 0;
            for (long p = 0; p < positions; p++) sum += dy[p];
            bias_gradient[c] += sum;
        }
        if (input_gradient && !input_gradient3x3(direct, dy, height, width, stride, pad_top, pad_left, out_height, out_width,
                                                 weight + c * taps, input_gradient + c * plane)) {
            memset(scratch, 0, sizeof(float) * scratch_size);
            k.data(dy, s, weight + c * taps, scratch);
            merge_phases(scratch, s, input_gradient + c * plane);
        }
    }
}
