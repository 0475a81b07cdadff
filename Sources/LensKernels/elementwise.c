// Elementwise passes: a clamp (ReLU, Clip/ReLU6) forward and its backward under the three ReLU
// rules, and the same-shape Add and Mul of residual blocks. Each is one read of its operands and
// one write, so all that matters is streaming at full vector width; in Swift they ran through a
// closure call per element (MobileNetV2's Clip backward was a fifth of its integrated gradients).
// Also the bias-and-clamp pass after a convolution's product, on a block of its output rows, and
// the residual block's two fused passes: y = clamp(x₁ + x₂) (Add then ReLU) and dx = gate(dy₁ + dy₂)
// (the last share of a ReLU output's gradient summed and sent through that ReLU), one pass each where
// two would write and read the sum in between.
//
//   forward:   y = low if x < low, high if x > high, else x       (a NaN stays NaN)
//   backward:  dx = open ? dy : 0, with open per mode
//              gradient  low < v ≤ top
//              deconvnet dy > 0
//              guided    low < v ≤ top and dy > 0
// v is what the caller gates on (not read by deconvnet): a Clip's input with top the float below high (x == high and
// x == low pass nothing, as PyTorch's hardtanh), or a ReLU's output with low 0 and top +inf.
// Compares are ordered: a NaN v, or a NaN dy where the mode tests its sign, gives 0. dx is selected,
// never multiplied by a 0/1 mask, so an infinite dy behind a closed gate gives 0, not NaN.
#include <immintrin.h>
#include <pthread.h>
#include "lens_kernels.h"

typedef void (*ew_clamp_fn)(const float *x, float *y, long count, float low, float high);
typedef void (*ew_backward_fn)(const float *dy, const float *v, float *dx, long count, float low, float top, int mode);
typedef void (*ew_binary_fn)(const float *x, const float *y, float *z, long count);
typedef void (*ew_bias_clamp_fn)(float *y, long count, float b, float low, float high);
typedef void (*ew_add_clamp_fn)(const float *x, const float *y, float *z, long count, float low, float high);
typedef void (*ew_add_backward_fn)(const float *a, const float *b, const float *v, float *dx, long count, float low, float top,
                                   int mode);

static inline float clamp_one(float x, float low, float high) { return x < low ? low : (x > high ? high : x); }

static inline float pass_one(float g, float v, float low, float top, int mode) {
    const int inside = v > low && v <= top, positive = g > 0;
    switch (mode) {
    case LENS_PASS_DECONVNET: return positive ? g : 0.0f;
    case LENS_PASS_GUIDED: return inside && positive ? g : 0.0f;
    default: return inside ? g : 0.0f;
    }
}

static void clamp_plain(const float *x, float *y, long count, float low, float high) {
    for (long i = 0; i < count; i++) y[i] = clamp_one(x[i], low, high);
}
static void backward_plain(const float *dy, const float *v, float *dx, long count, float low, float top, int mode) {
    for (long i = 0; i < count; i++) dx[i] = pass_one(dy[i], mode == LENS_PASS_DECONVNET ? 0.0f : v[i], low, top, mode);
}
static void add_plain(const float *x, const float *y, float *z, long count) {
    for (long i = 0; i < count; i++) z[i] = x[i] + y[i];
}
static void multiply_plain(const float *x, const float *y, float *z, long count) {
    for (long i = 0; i < count; i++) z[i] = x[i] * y[i];
}
static void bias_clamp_plain(float *y, long count, float b, float low, float high) {
    for (long i = 0; i < count; i++) y[i] = clamp_one(y[i] + b, low, high);
}
static void add_clamp_plain(const float *x, const float *y, float *z, long count, float low, float high) {
    for (long i = 0; i < count; i++) z[i] = clamp_one(x[i] + y[i], low, high);
}
static void add_backward_plain(const float *a, const float *b, const float *v, float *dx, long count, float low, float top, int mode) {
    for (long i = 0; i < count; i++) dx[i] = pass_one(a[i] + b[i], mode == LENS_PASS_DECONVNET ? 0.0f : v[i], low, top, mode);
}

#if defined(__x86_64__)
// max(low, x) and min(high, ·) return their second operand when one is NaN: a NaN x comes through.
#define AVX512 __attribute__((target("avx512f")))
static inline AVX512 __mmask16 tail16(long left) { return (__mmask16)((1u << left) - 1); }

static AVX512 void clamp_avx512(const float *x, float *y, long count, float low, float high) {
    const __m512 vlow = _mm512_set1_ps(low), vhigh = _mm512_set1_ps(high);
    long i = 0;
    for (; i + 16 <= count; i += 16) _mm512_storeu_ps(y + i, _mm512_min_ps(vhigh, _mm512_max_ps(vlow, _mm512_loadu_ps(x + i))));
    if (i < count) {
        const __mmask16 m = tail16(count - i);
        _mm512_mask_storeu_ps(y + i, m, _mm512_min_ps(vhigh, _mm512_max_ps(vlow, _mm512_maskz_loadu_ps(m, x + i))));
    }
}

static inline AVX512 __m512 pass16(__m512 g, const float *v, __mmask16 m, __m512 vlow, __m512 vtop, int mode) {
    __mmask16 open = m;
    if (mode != LENS_PASS_DECONVNET) {
        const __m512 value = _mm512_maskz_loadu_ps(m, v);
        open &= _mm512_cmp_ps_mask(value, vlow, _CMP_GT_OQ) & _mm512_cmp_ps_mask(value, vtop, _CMP_LE_OQ);
    }
    if (mode != LENS_PASS_GRADIENT) open &= _mm512_cmp_ps_mask(g, _mm512_setzero_ps(), _CMP_GT_OQ);
    return _mm512_maskz_mov_ps(open, g);
}

static AVX512 void backward_avx512(const float *dy, const float *v, float *dx, long count, float low, float top, int mode) {
    const __m512 vlow = _mm512_set1_ps(low), vtop = _mm512_set1_ps(top);
    long i = 0;
    for (; i + 16 <= count; i += 16)
        _mm512_storeu_ps(dx + i, pass16(_mm512_loadu_ps(dy + i), v + i, (__mmask16)0xFFFF, vlow, vtop, mode));
    if (i < count) {
        const __mmask16 m = tail16(count - i);
        _mm512_mask_storeu_ps(dx + i, m, pass16(_mm512_maskz_loadu_ps(m, dy + i), v + i, m, vlow, vtop, mode));
    }
}

#define BINARY_AVX512(NAME, OP)                                                                       \
    static AVX512 void NAME##_avx512(const float *x, const float *y, float *z, long count) {          \
        long i = 0;                                                                                   \
        for (; i + 16 <= count; i += 16) _mm512_storeu_ps(z + i, OP(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i))); \
        if (i < count) {                                                                              \
            const __mmask16 m = tail16(count - i);                                                    \
            _mm512_mask_storeu_ps(z + i, m, OP(_mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i))); \
        }                                                                                             \
    }
BINARY_AVX512(add, _mm512_add_ps)
BINARY_AVX512(multiply, _mm512_mul_ps)

static AVX512 void bias_clamp_avx512(float *y, long count, float b, float low, float high) {
    const __m512 vb = _mm512_set1_ps(b), vlow = _mm512_set1_ps(low), vhigh = _mm512_set1_ps(high);
    long i = 0;
    for (; i + 16 <= count; i += 16)
        _mm512_storeu_ps(y + i, _mm512_min_ps(vhigh, _mm512_max_ps(vlow, _mm512_add_ps(_mm512_loadu_ps(y + i), vb))));
    if (i < count) {
        const __mmask16 m = tail16(count - i);
        _mm512_mask_storeu_ps(y + i, m, _mm512_min_ps(vhigh, _mm512_max_ps(vlow, _mm512_add_ps(_mm512_maskz_loadu_ps(m, y + i), vb))));
    }
}

static AVX512 void add_clamp_avx512(const float *x, const float *y, float *z, long count, float low, float high) {
    const __m512 vlow = _mm512_set1_ps(low), vhigh = _mm512_set1_ps(high);
    long i = 0;
    for (; i + 16 <= count; i += 16)
        _mm512_storeu_ps(z + i, _mm512_min_ps(vhigh, _mm512_max_ps(vlow, _mm512_add_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)))));
    if (i < count) {
        const __mmask16 m = tail16(count - i);
        const __m512 sum = _mm512_add_ps(_mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i));
        _mm512_mask_storeu_ps(z + i, m, _mm512_min_ps(vhigh, _mm512_max_ps(vlow, sum)));
    }
}

static AVX512 void add_backward_avx512(const float *a, const float *b, const float *v, float *dx, long count, float low, float top,
                                       int mode) {
    const __m512 vlow = _mm512_set1_ps(low), vtop = _mm512_set1_ps(top);
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        const __m512 g = _mm512_add_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        _mm512_storeu_ps(dx + i, pass16(g, v + i, (__mmask16)0xFFFF, vlow, vtop, mode));
    }
    if (i < count) {
        const __mmask16 m = tail16(count - i);
        const __m512 g = _mm512_add_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i));
        _mm512_mask_storeu_ps(dx + i, m, pass16(g, v + i, m, vlow, vtop, mode));
    }
}

// AVX2: 8 at a time, the last count % 8 by the plain loops (no masked loads needed for them).
#define AVX2 __attribute__((target("avx2,fma")))

static AVX2 void clamp_avx2(const float *x, float *y, long count, float low, float high) {
    const __m256 vlow = _mm256_set1_ps(low), vhigh = _mm256_set1_ps(high);
    long i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(y + i, _mm256_min_ps(vhigh, _mm256_max_ps(vlow, _mm256_loadu_ps(x + i))));
    clamp_plain(x + i, y + i, count - i, low, high);
}

static inline AVX2 __m256 pass8(__m256 g, const float *v, __m256 vlow, __m256 vtop, int mode) {
    __m256 open = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
    if (mode != LENS_PASS_DECONVNET) {
        const __m256 value = _mm256_loadu_ps(v);
        open = _mm256_and_ps(_mm256_cmp_ps(value, vlow, _CMP_GT_OQ), _mm256_cmp_ps(value, vtop, _CMP_LE_OQ));
    }
    if (mode != LENS_PASS_GRADIENT) open = _mm256_and_ps(open, _mm256_cmp_ps(g, _mm256_setzero_ps(), _CMP_GT_OQ));
    return _mm256_and_ps(open, g);   // all ones keeps g's bits, NaN included
}

static AVX2 void backward_avx2(const float *dy, const float *v, float *dx, long count, float low, float top, int mode) {
    const __m256 vlow = _mm256_set1_ps(low), vtop = _mm256_set1_ps(top);
    long i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(dx + i, pass8(_mm256_loadu_ps(dy + i), v + i, vlow, vtop, mode));
    backward_plain(dy + i, v + i, dx + i, count - i, low, top, mode);
}

static AVX2 void add_backward_avx2(const float *a, const float *b, const float *v, float *dx, long count, float low, float top,
                                   int mode) {
    const __m256 vlow = _mm256_set1_ps(low), vtop = _mm256_set1_ps(top);
    long i = 0;
    for (; i + 8 <= count; i += 8)
        _mm256_storeu_ps(dx + i, pass8(_mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)), v + i, vlow, vtop, mode));
    add_backward_plain(a + i, b + i, v + i, dx + i, count - i, low, top, mode);
}

static AVX2 void add_clamp_avx2(const float *x, const float *y, float *z, long count, float low, float high) {
    const __m256 vlow = _mm256_set1_ps(low), vhigh = _mm256_set1_ps(high);
    long i = 0;
    for (; i + 8 <= count; i += 8)
        _mm256_storeu_ps(z + i, _mm256_min_ps(vhigh, _mm256_max_ps(vlow, _mm256_add_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)))));
    add_clamp_plain(x + i, y + i, z + i, count - i, low, high);
}

#define BINARY_AVX2(NAME, OP)                                                                         \
    static AVX2 void NAME##_avx2(const float *x, const float *y, float *z, long count) {              \
        long i = 0;                                                                                   \
        for (; i + 8 <= count; i += 8) _mm256_storeu_ps(z + i, OP(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i))); \
        NAME##_plain(x + i, y + i, z + i, count - i);                                                 \
    }
BINARY_AVX2(add, _mm256_add_ps)
BINARY_AVX2(multiply, _mm256_mul_ps)

static AVX2 void bias_clamp_avx2(float *y, long count, float b, float low, float high) {
    const __m256 vb = _mm256_set1_ps(b), vlow = _mm256_set1_ps(low), vhigh = _mm256_set1_ps(high);
    long i = 0;
    for (; i + 8 <= count; i += 8)
        _mm256_storeu_ps(y + i, _mm256_min_ps(vhigh, _mm256_max_ps(vlow, _mm256_add_ps(_mm256_loadu_ps(y + i), vb))));
    bias_clamp_plain(y + i, count - i, b, low, high);
}
#endif

typedef struct {
    ew_clamp_fn clamp;
    ew_backward_fn backward;
    ew_binary_fn add, multiply;
    ew_bias_clamp_fn bias_clamp;
    ew_add_clamp_fn add_clamp;
    ew_add_backward_fn add_backward;
} ew_kernels;

static const ew_kernels plain = {clamp_plain, backward_plain, add_plain, multiply_plain, bias_clamp_plain, add_clamp_plain,
                                 add_backward_plain};
#if defined(__x86_64__)
static const ew_kernels avx2 = {clamp_avx2, backward_avx2, add_avx2, multiply_avx2, bias_clamp_avx2, add_clamp_avx2, add_backward_avx2};
static const ew_kernels avx512 = {clamp_avx512, backward_avx512, add_avx512, multiply_avx512, bias_clamp_avx512, add_clamp_avx512,
                                  add_backward_avx512};
#endif

static ew_kernels chosen;
static pthread_once_t choose_once = PTHREAD_ONCE_INIT;
static void choose(void) {
    chosen = plain;
#if defined(__x86_64__)
    const int level = lens_kernel_level();   // LENS_KERNELS caps it
    if (level >= LENS_LEVEL_AVX2) chosen = avx2;
    if (level >= LENS_LEVEL_AVX512) chosen = avx512;
#endif
}

static ew_kernels kernels_for(int variant) {
    pthread_once(&choose_once, choose);
#if defined(__x86_64__)
    if (variant == LENS_LEVEL_PORTABLE) return plain;
    if (variant == LENS_LEVEL_AVX2 && lens_kernel_level() >= LENS_LEVEL_AVX2) return avx2;
    if (variant == LENS_LEVEL_AVX512 && lens_kernel_level() >= LENS_LEVEL_AVX512) return avx512;
#else
    if (variant == LENS_LEVEL_PORTABLE) return plain;
#endif
    return chosen;
}

void lens_clamp(const float *x, float *y, long count, float low, float high, int variant) {
    kernels_for(variant).clamp(x, y, count, low, high);
}

void lens_clamp_backward(const float *dy, const float *v, float *dx, long count, float low, float top, int mode, int variant) {
    kernels_for(variant).backward(dy, v, dx, count, low, top, mode);
}

void lens_add_elements(const float *x, const float *y, float *z, long count, int variant) {
    kernels_for(variant).add(x, y, z, count);
}

void lens_multiply_elements(const float *x, const float *y, float *z, long count, int variant) {
    kernels_for(variant).multiply(x, y, z, count);
}

void lens_bias_clamp_rows(float *y, int rows, long columns, long ld, const float *bias, float low, float high, int variant) {
    const ew_bias_clamp_fn pass = kernels_for(variant).bias_clamp;
    for (int r = 0; r < rows; r++) pass(y + (long)r * ld, columns, bias ? bias[r] : 0.0f, low, high);
}

void lens_add_clamp(const float *x, const float *y, float *z, long count, float low, float high, int variant) {
    kernels_for(variant).add_clamp(x, y, z, count, low, high);
}

void lens_add_clamp_backward(const float *a, const float *b, const float *v, float *dx, long count, float low, float top, int mode,
                             int variant) {
    kernels_for(variant).add_backward(a, b, v, dx, count, low, top, mode);
}
