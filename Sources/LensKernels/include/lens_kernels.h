#ifndef LENS_KERNELS_H
#define LENS_KERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// C = alpha * op(A) * op(B) + beta * C, all row-major float32.
/// op(A) is M x K (A is K x M when transA), op(B) is K x N (B is N x K when transB).
/// When beta == 0, C is not read (NaNs in it do not propagate).
/// Picks the fastest kernel this CPU supports; single-threaded (callers split the work).
void lens_sgemm(int transA, int transB, int M, int N, int K, float alpha,
                const float *A, int lda, const float *B, int ldb,
                float beta, float *C, int ldc);

/// The plain triple loop every fast path is tested against.
void lens_sgemm_reference(int transA, int transB, int M, int N, int K, float alpha,
                          const float *A, int lda, const float *B, int ldb,
                          float beta, float *C, int ldc);

/// Name of the kernel lens_sgemm dispatches to ("avx512", "avx2-fma", "portable").
const char *lens_sgemm_kernel_name(void);

/// Number of compiled kernels (available on this CPU or not), and each one's name.
int lens_sgemm_kernel_count(void);
const char *lens_sgemm_kernel_name_at(int kernel);
/// 1 when this CPU can run kernel `kernel`, else 0.
int lens_sgemm_kernel_available(int kernel);

/// lens_sgemm forced onto one kernel (for tests and benchmarks). Returns 0, or -1 when the
/// index is out of range or the CPU cannot run that kernel (C is then untouched).
int lens_sgemm_with_kernel(int kernel, int transA, int transB, int M, int N, int K, float alpha,
                           const float *A, int lda, const float *B, int ldb,
                           float beta, float *C, int ldc);

/// Part `part` of `parts` of the product lens_sgemm computes: the columns (or, when N is narrow,
/// the rows) of C are split on tile boundaries, so the parts can run on separate threads.
void lens_sgemm_part(int part, int parts, int transA, int transB, int M, int N, int K, float alpha,
                     const float *A, int lda, const float *B, int ldb,
                     float beta, float *C, int ldc);

/// A constant left operand packed once into the chosen kernel's panels, for products that multiply it
/// again and again (Winograd's transformed kernels): lens_sgemm_packed_a_floats(M, K, N) floats, 64-byte
/// aligned, hold op(A) (M x K; A stored K x M when transA) as lens_sgemm_pack_a writes it for products
/// of N columns (N picks the layout: below the kernel's tile width A is packed to be used transposed).
long lens_sgemm_packed_a_floats(int M, int K, int N);
void lens_sgemm_pack_a(int transA, int M, int K, int N, const float *A, int lda, float *packed);
/// Part `part` of `parts` of C = packed_a · B + beta * C, with packed_a from lens_sgemm_pack_a (same M, K, N)
/// and B K x N row-major: lens_sgemm without packing A (parts 1: all of it). The parts split C on register-tile
/// boundaries, so they can run on separate threads.
void lens_sgemm_prepacked(int part, int parts, int M, int N, int K, const float *packed_a, const float *B, int ldb,
                          float beta, float *C, int ldc);
/// The same with beta 0, then C = clamp(C + bias[row], low, high) on the part's rows and columns (bias NULL: zeros;
/// a NaN stays NaN): a 1x1 convolution's weights times an image, its bias and its ReLU6 in one pass over C. Its A
/// is packed by the `fitted` functions, whose layout is transposed also where N fills the kernel's tile height
/// better than its width (lens_sgemm_packed_a_floats_fitted floats, 64-byte aligned).
long lens_sgemm_packed_a_floats_fitted(int M, int K, int N);
void lens_sgemm_pack_a_fitted(int M, int K, int N, const float *A, int lda, float *packed);
void lens_sgemm_prepacked_bias_clamp(int part, int parts, int M, int N, int K, const float *packed_a, const float *B, int ldb,
                                     const float *bias, float low, float high, float *C, int ldc);
/// The sliver height A is packed in for products of N columns (fitted 1: the `fitted` layout): packings of equal
/// height are the same floats, so one packing serves every N of that height.
int lens_sgemm_packed_a_height(int N, int fitted);
/// B written by its producer straight into the panels lens_sgemm_prepacked would pack it into (sgemm.c gives the
/// layout): slivers of lens_sgemm_packed_b_width(N) columns (0: N takes the transposed layout, pack B as usual)
/// in blocks of lens_sgemm_packed_b_depth(K) rows, N rounded up to the width times K floats, 64-byte aligned.
int lens_sgemm_packed_b_width(int N);
int lens_sgemm_packed_b_depth(int K);
/// C = packed_a · packed_b + beta * C, both operands packed (nothing done when the width of N is 0).
void lens_sgemm_prepacked_both(int M, int N, int K, const float *packed_a, const float *packed_b, float beta,
                               float *C, int ldc);
/// Rows [i0, i0 + m) only, of the product lens_sgemm_prepacked (part 0 of 1) or lens_sgemm_prepacked_both computes,
/// i0 a multiple of lens_sgemm_packed_a_height(N, 0) (the packed slivers' height: other starts compute nothing). Threads
/// that each take their own rows of every product, and then read only those rows, keep their share of C in cache.
void lens_sgemm_prepacked_rows(int M, int i0, int m, int N, int K, const float *packed_a, const float *B, int ldb,
                               float beta, float *C, int ldc);
void lens_sgemm_prepacked_both_rows(int M, int i0, int m, int N, int K, const float *packed_a, const float *packed_b,
                                    float beta, float *C, int ldc);

/// A buffer of at least `floats` floats (64-byte aligned) owned by the calling thread and reused by
/// its later calls (valid until this thread calls again); NULL when memory runs out. Callers that
/// split K keep the partial products there instead of allocating per product.
float *lens_thread_scratch(long floats);

/// C[i][j] += X[i][j] for an M x N block (summing partial products of a split K).
void lens_add_matrix(int M, int N, const float *X, int ldx, float *C, int ldc);

/// Stride-1 im2col from a zero-bordered image [channels][padded_height][padded_width]:
/// columns[(c·k + ky)·k + kx][oy·out_width + ox] = padded[c][oy + ky][ox + kx].
void lens_im2col_padded(const float *padded, int channels, int padded_height, int padded_width, int kernel,
                        int out_height, int out_width, float *columns);
/// Its transpose: padded[c][oy + ky][ox + kx] += columns[...] (the caller zeroes `padded` first).
void lens_col2im_padded(const float *columns, int channels, int padded_height, int padded_width, int kernel,
                        int out_height, int out_width, float *padded);
/// A run of the stride-2 im2col: dst[i] = src[2i] for i < count (reading nothing past src[2(count − 1)]).
void lens_gather_stride2(const float *src, float *dst, long count);

/// The widest kernels this CPU runs (LENS_LEVEL_*), capped by the environment variable
/// LENS_KERNELS=avx2 or LENS_KERNELS=portable.
enum { LENS_LEVEL_PORTABLE = 0, LENS_LEVEL_AVX2 = 1, LENS_LEVEL_AVX512 = 2, LENS_LEVEL_CHOSEN = -1 };

/// Matrix products with a side (rows of C or columns) of at most this many go to the skinny kernels, which
/// stream the other operand without packing it (sgemm_skinny.c); LensTensor's thread split reads it too.
enum { LENS_SKINNY_MAX = 8 };
int lens_kernel_level(void);

/// Direct stride-1 convolution from zero-bordered planes [channels][padded_height][padded_width]:
/// output[o][oy][ox] = relu?(bias[o] + Σ_{c,ky,kx} weight[o][c][ky][kx]·padded[c][oy + ky][ox + kx])
/// for o < outputs (bias NULL: zeros). `variant`: LENS_LEVEL_CHOSEN for the widest kernel allowed,
/// or a LENS_LEVEL_* to run that one (tests; an unavailable one falls back to the chosen).
void lens_conv_direct_padded(const float *padded, int channels, int padded_height, int padded_width, int kernel,
                             int out_height, int out_width, const float *weight, const float *bias, int outputs,
                             float *output, int relu, int variant);

/// Depthwise convolution of channels [first, end) (one kernel x kernel filter per channel, any stride):
/// output[c][oy][ox] = clamp(bias[c] + Σ_{ky,kx} weight[c][ky][kx]·x[c][oy·stride − pad_top + ky][ox·stride − pad_left + kx],
/// low, high), zeros outside the image (bias NULL: zeros; low −inf and high +inf: no clamp). `scratch`
/// holds lens_conv_depthwise_scratch(...) floats, one per thread. `variant` as lens_conv_direct_padded's.
long lens_conv_depthwise_scratch(int height, int width, int kernel, int stride, int pad_top, int pad_left, int out_height,
                                 int out_width);
void lens_conv_depthwise(const float *image, int height, int width, int kernel, int stride, int pad_top, int pad_left,
                         int out_height, int out_width, const float *weight, const float *bias, int first, int end,
                         float *output, float low, float high, float *scratch, int variant);
/// The same with the planes of the image `in_plane` floats apart and those of the output `out_plane` apart:
/// a band of rows of each plane (out_height rows written from `output`; pad_top counts the band's first row).
void lens_conv_depthwise_planes(const float *image, long in_plane, int height, int width, int kernel, int stride,
                                int pad_top, int pad_left, int out_height, int out_width, const float *weight,
                                const float *bias, int first, int end, float *output, long out_plane, float low,
                                float high, float *scratch, int variant);
/// Its backward for channels [first, end): input_gradient = the gradient at the image (written), weight_gradient
/// and bias_gradient += the parameter gradients; a NULL one is skipped.
void lens_conv_depthwise_backward(const float *image, const float *output_gradient, int height, int width, int kernel,
                                  int stride, int pad_top, int pad_left, int out_height, int out_width, const float *weight,
                                  int first, int end, float *input_gradient, float *weight_gradient, float *bias_gradient,
                                  float *scratch, int variant);

/// y[c][p] = clamp(y[c][p] + bias[c], low, high) for an output [channels][positions] (bias NULL: zeros;
/// low −inf and high +inf: no clamp); a NaN stays NaN.
void lens_bias_clamp(float *output, int channels, long positions, const float *bias, float low, float high);

/// Elementwise passes (elementwise.c) over `count` floats; `variant` as lens_conv_direct_padded's.
/// y = clamp(x, low, high) (a NaN stays NaN; y may be x).
void lens_clamp(const float *x, float *y, long count, float low, float high, int variant);
/// The gradient through a clamp under a ReLU rule (mode LENS_PASS_*): dx = open ? dy : 0 with
/// open = low < v ≤ top (gradient), dy > 0 (deconvnet) or both (guided). v is a Clip's input with top
/// the float below high, or a ReLU's output with low 0 and top +inf; it is read in every mode but
/// deconvnet. A NaN v, or a NaN dy where the mode tests its sign, gives 0.
enum { LENS_PASS_GRADIENT = 0, LENS_PASS_DECONVNET = 1, LENS_PASS_GUIDED = 2 };
void lens_clamp_backward(const float *dy, const float *v, float *dx, long count, float low, float top, int mode, int variant);
/// z = x + y and z = x · y (z may be x or y).
void lens_add_elements(const float *x, const float *y, float *z, long count, int variant);
void lens_multiply_elements(const float *x, const float *y, float *z, long count, int variant);
/// z = clamp(x + y, low, high): a residual Add and the ReLU after it in one pass (z may be x or y).
void lens_add_clamp(const float *x, const float *y, float *z, long count, float low, float high, int variant);
/// dx = lens_clamp_backward's gate applied to a + b (dx may be a or b): the last share of a ReLU output's
/// gradient added to the others' sum and sent through that ReLU in one pass.
void lens_add_clamp_backward(const float *a, const float *b, const float *v, float *dx, long count, float low, float top, int mode,
                             int variant);
/// y[r·ld + p] = clamp(y[r·ld + p] + bias[r], low, high) for r < rows, p < columns (bias NULL: zeros; a NaN
/// stays NaN): lens_bias_clamp on a block of columns of a wider output.
void lens_bias_clamp_rows(float *y, int rows, long columns, long ld, const float *bias, float low, float high, int variant);

/// Batch normalisation's passes (batchnorm.c) over one channel: the `planes` runs of `plane` floats
/// at x + n·stride (n < planes). Sums in a fixed order (16 lanes), the same on every ISA.
/// Σ (x − centre) and Σ (x − centre)².
void lens_bn_sums(const float *x, long planes, long stride, long plane, float centre, float *sum, float *square);
/// Σ dy and Σ dy·(x − mean)·inverse.
void lens_bn_gradient_sums(const float *x, const float *dy, long planes, long stride, long plane,
                           float mean, float inverse, float *sum, float *product);
/// y = scale·x + shift (y may be x).
void lens_bn_affine(const float *x, float *y, long planes, long stride, long plane, float scale, float shift);
/// dx = scale·(dy − mean_gradient − (x − mean)·inverse·mean_product) (training mode's input gradient).
void lens_bn_input_gradient(const float *x, const float *dy, float *dx, long planes, long stride, long plane,
                            float scale, float mean, float inverse, float mean_gradient, float mean_product);

/// Winograd F(2x2, 3x3) transforms (conv_winograd.c) for a 3x3 stride-1 convolution.
/// Kernels W[out][C][3][3] → U[16][out][C] (gradient 0), or the 180°-turned kernels for the input
/// gradient → U'[16][C][out] (gradient 1).
void lens_winograd_weights(const float *weight, int outputs, int channels, int gradient, float *transformed);
/// Channels [first, end) of image[C][H][W] → V[16][C][columns] at columns [column, column + tiles), tiles_y·tiles_x
/// tiles of 2x2 outputs whose 4x4 patches start at (2ty − pad_top, 2tx − pad_left) (several images side by side:
/// each at a column that is a multiple of 8, its tiles rounded up to 8 its own); `plane` holds
/// (2·tiles_y + 2)·2·(tiles_x + 1) floats. packed_width 0: V[ξ] row-major [C][columns]; else V[ξ] as GEMM-packed
/// B panels (lens_sgemm_packed_b_width(columns), lens_sgemm_packed_b_depth(C)), each columns rounded up to the
/// width times C floats, and `plane` holds 16·tiles more.
void lens_winograd_input(const float *image, int channels, int height, int width, int pad_top, int pad_left,
                         int tiles_y, int tiles_x, int first, int end, float *plane, float *transformed,
                         long column, long columns, int packed_width, int packed_depth);
/// Channels [first, end) of the products M[16][out][columns] (this image's tiles from `products` on) →
/// output[out][out_height][out_width],
/// clamp(Aᵀ m A + bias) (bias NULL: zeros); `scratch` holds lens_winograd_output_scratch(tiles_y, tiles_x) floats.
/// gate_values non-NULL (the input gradient through a ReLU or Clip whose output gate_values[out][h][w] is):
/// each channel then gated as lens_clamp_backward(output, gate_values, output, ..., gate_low, gate_top, gate_mode).
void lens_winograd_output(const float *products, int outputs, int tiles_y, int tiles_x, int out_height, int out_width,
                          int first, int end, const float *bias, float low, float high, float *scratch,
                          const float *gate_values, float gate_low, float gate_top, int gate_mode, long columns,
                          float *output);
long lens_winograd_output_scratch(int tiles_y, int tiles_x);
/// The same for Winograd F(4x4, 3x3) (conv_winograd4.c): 36 positions ξ instead of 16, tiles of 4x4 outputs whose
/// 6x6 patches start at (4ty − pad_top, 4tx − pad_left); `plane` holds (4·tiles_y + 2)·4·(tiles_x + 1) floats (36·tiles
/// more when packed).
void lens_winograd4_weights(const float *weight, int outputs, int channels, int gradient, float *transformed);
void lens_winograd4_input(const float *image, int channels, int height, int width, int pad_top, int pad_left,
                          int tiles_y, int tiles_x, int first, int end, float *plane, float *transformed,
                          long column, long columns, int packed_width, int packed_depth);
void lens_winograd4_output(const float *products, int outputs, int tiles_y, int tiles_x, int out_height, int out_width,
                           int first, int end, const float *bias, float low, float high, float *scratch,
                           const float *gate_values, float gate_low, float gate_top, int gate_mode, long columns,
                           float *output);
long lens_winograd4_output_scratch(int tiles_y, int tiles_x);

/// Max pooling of planes [first, end) of input[planes][height][width] → output[planes][out_height][out_width],
/// window kernel_h x kernel_w from (oy·stride_y − pad_top, ox·stride_x − pad_left) (pool_max.c); switches[...] =
/// the maximum's index within its plane: the first maximum of the window's cells inside the plane, a NaN
/// winning; no cell inside: 0 and −1. `variant` as lens_conv_direct_padded's.
void lens_max_pool(const float *input, int height, int width, int kernel_h, int kernel_w, int stride_y, int stride_x,
                   int pad_top, int pad_left, int out_height, int out_width, int first, int end, float *output,
                   int *switches, int variant);

/// Runs fn(context, 0) ... fn(context, parts - 1) on the calling thread and a pool of spinning
/// worker threads (one per extra core), returning when all are done. Returns -1, running nothing,
/// when the pool is busy with another caller's job (or has no workers): run the parts yourself.
typedef void (*lens_task_fn)(void *context, int part);
int lens_parallel_run(int parts, lens_task_fn fn, void *context);

#ifdef __cplusplus
}
#endif
#endif
