// Direct 3x3 depthwise kernels at stride 1 and 2 (conv_depthwise3x3.c), one channel's plane per call,
// for conv_depthwise.c. Internal to LensKernels.
#ifndef LENS_CONV_DEPTHWISE3X3_H
#define LENS_CONV_DEPTHWISE3X3_H

// y[oy][ox] = clamp(b + Σ w[ky][kx]·x[oy·stride + ky − pad_top][ox·stride + kx − pad_left], low, high),
// zeros outside x [height][width]; stride 1 or 2, any pads.
typedef void (*dw3_forward_fn)(const float *x, int height, int width, int stride, int pad_top, int pad_left,
                               int out_height, int out_width, const float *w, float b, float *y, float low, float high);
// The input gradient at stride 2 (written): dx[iy][ix] = Σ w[ky][kx]·dy[oy][ox] over iy = 2·oy + ky − pad_top,
// ix = 2·ox + kx − pad_left; pad_left in 0...2.
typedef void (*dw3_data_fn)(const float *dy, int height, int width, int pad_top, int pad_left, int out_height,
                            int out_width, const float *w, float *dx);

typedef struct {
    dw3_forward_fn forward;
    dw3_data_fn data_stride2;
} dw3_kernels;

// The kernels of instruction-set level `level` (LENS_LEVEL_AVX2 or LENS_LEVEL_AVX512; NULLs for the others
// and where the CPU lacks it: the caller runs its plain loops).
dw3_kernels lens_dw3_kernels(int level);

#endif
