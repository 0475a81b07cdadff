// Max pooling with any window (kernel, stride, pads, ceil_mode's extra outputs), keeping where each
// maximum came from. The rule is the plain loop's (LensModels' PoolLayer): over the window's cells
// inside the plane, row by row, the first maximum wins; a NaN wins over anything before it, so it
// shows; a window with no cell inside gives 0 and the switch −1. Padding never wins.
//
// Outputs whose window lies inside the plane's columns run tap by tap over the whole row of them:
// one pass per (row, column) of the window, each a contiguous (stride 1) or interleaved (stride 2)
// load of a run of outputs that the compiler turns into SIMD compares and blends. The few outputs
// at the plane's left and right edges run one by one.
#include <pthread.h>
#include "lens_kernels.h"

typedef struct {
    int height, width, kernel_h, kernel_w, stride_y, stride_x, pad_top, pad_left, out_height, out_width;
} pool_shape;

static inline int max_i(int a, int b) { return a > b ? a : b; }
static inline int min_i(int a, int b) { return a < b ? a : b; }

// One output over rows [r0, r1) and columns [c0, c1) of plane x.
static inline __attribute__((always_inline)) void pool_one(const float *x, int width, int r0, int r1, int c0, int c1,
                                                           float *y, int *switch_) {
    int best = -1;
    float value = 0.0f;
    for (int iy = r0; iy < r1; iy++)
        for (int ix = c0; ix < c1; ix++) {
            const float v = x[iy * width + ix];
            if (best < 0 || v > value || v != v) {
                best = iy * width + ix;
                value = v;
            }
        }
    *y = value;
    *switch_ = best;
}

// Outputs [lo, hi) of one output row, their windows inside the columns, over rows [r0, r1): the first
// cell seeds each output, then every later cell of the window challenges it, in the plain loop's order.
static inline __attribute__((always_inline)) void pool_run(const float *restrict x, int width, int r0, int r1,
                                                           int kernel_w, int stride, int pad_left, int lo, int hi,
                                                           float *restrict y, int *restrict switches) {
    const int seed = r0 * width - pad_left;
    for (int ox = lo; ox < hi; ox++) {
        y[ox] = x[seed + ox * stride];
        switches[ox] = seed + ox * stride;
    }
    for (int iy = r0; iy < r1; iy++)
        for (int kx = iy == r0 ? 1 : 0; kx < kernel_w; kx++) {
            const int base = iy * width - pad_left + kx;
            for (int ox = lo; ox < hi; ox++) {
                const float v = x[base + ox * stride], b = y[ox];
                const int wins = (v > b) | (v != v);
                y[ox] = wins ? v : b;
                switches[ox] = wins ? base + ox * stride : switches[ox];
            }
        }
}

// One plane. Interior outputs ox (window columns inside [0, width)): lo = ⌈pad_left / sx⌉ up to
// hi = ⌊(width − kw + pad_left) / sx⌋ + 1.
static inline __attribute__((always_inline)) void pool_plane(const float *x, pool_shape s, float *y, int *switches) {
    const int sx = s.stride_x;
    int lo = min_i((s.pad_left + sx - 1) / sx, s.out_width);
    int hi = s.width - s.kernel_w + s.pad_left >= 0 ? (s.width - s.kernel_w + s.pad_left) / sx + 1 : 0;
    hi = max_i(lo, min_i(hi, s.out_width));
    for (int oy = 0; oy < s.out_height; oy++) {
        const int top = oy * s.stride_y - s.pad_top;
        const int r0 = max_i(top, 0), r1 = min_i(top + s.kernel_h, s.height);
        float *yr = y + (long)oy * s.out_width;
        int *sr = switches + (long)oy * s.out_width;
        for (int ox = 0; ox < s.out_width; ox++) {
            if (ox == lo && hi > lo && r0 < r1) {   // the interior run, then on from hi
                if (sx == 1) pool_run(x, s.width, r0, r1, s.kernel_w, 1, s.pad_left, lo, hi, yr, sr);
                else if (sx == 2) pool_run(x, s.width, r0, r1, s.kernel_w, 2, s.pad_left, lo, hi, yr, sr);
                else pool_run(x, s.width, r0, r1, s.kernel_w, sx, s.pad_left, lo, hi, yr, sr);
                ox = hi - 1;
                continue;
            }
            const int left = ox * sx - s.pad_left;
            pool_one(x, s.width, r0, r1, max_i(left, 0), min_i(left + s.kernel_w, s.width), yr + ox, sr + ox);
        }
    }
}

typedef void (*pool_fn)(const float *, pool_shape, float *, int *);

#define POOL_PLANE_FOR(ISA, ATTR) \
    ATTR static void pool_plane_##ISA(const float *x, pool_shape s, float *y, int *switches) { pool_plane(x, s, y, switches); }
POOL_PLANE_FOR(plain, )
#if defined(__x86_64__)
POOL_PLANE_FOR(avx2, __attribute__((target("avx2"))))
POOL_PLANE_FOR(avx512, __attribute__((target("avx512f"))))
#endif

static pool_fn chosen = pool_plane_plain;
static pthread_once_t choose_once = PTHREAD_ONCE_INIT;
static void choose(void) {
#if defined(__x86_64__)
    const int level = lens_kernel_level();
    if (level >= LENS_LEVEL_AVX2) chosen = pool_plane_avx2;
    if (level >= LENS_LEVEL_AVX512) chosen = pool_plane_avx512;
#endif
}

static pool_fn plane_kernel(int variant) {
    pthread_once(&choose_once, choose);
    if (variant == LENS_LEVEL_PORTABLE) return pool_plane_plain;
#if defined(__x86_64__)
    if (variant == LENS_LEVEL_AVX2 && lens_kernel_level() >= LENS_LEVEL_AVX2) return pool_plane_avx2;
    if (variant == LENS_LEVEL_AVX512 && lens_kernel_level() >= LENS_LEVEL_AVX512) return pool_plane_avx512;
#endif
    return chosen;
}

void lens_max_pool(const float *input, int height, int width, int kernel_h, int kernel_w, int stride_y, int stride_x,
                   int pad_top, int pad_left, int out_height, int out_width, int first, int end, float *output,
                   int *switches, int variant) {
    const pool_fn run = plane_kernel(variant);
    const pool_shape s = {height, width, kernel_h, kernel_w, stride_y, stride_x, pad_top, pad_left, out_height, out_width};
    const long plane = (long)height * width, out_plane = (long)out_height * out_width;
    for (int p = first; p < end; p++) run(input + p * plane, s, output + p * out_plane, switches + p * out_plane);
}
