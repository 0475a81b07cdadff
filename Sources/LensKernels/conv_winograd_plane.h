// One channel of an image copied into a zero-bordered plane for the Winograd input transforms
// (conv_winograd.c, conv_winograd4.c), each row split into its m phases: plane[r][k·L + q] =
// image[r − pad_top][m·q + k − pad_left], 0 outside (L = tiles_x + 1 columns a phase). A tile's patch
// columns m·tx + j are then phase j mod m at q = tx + j / m, so the transforms' column step reads
// contiguous runs of tiles instead of every m-th float, and reads whole tiles with no bounds to check.
// Inline, so each ISA clone of its callers has its own copy (m then a constant).
#ifndef LENS_CONV_WINOGRAD_PLANE_H
#define LENS_CONV_WINOGRAD_PLANE_H

#include <string.h>

// The runs of tiles are short (7-15 at ResNet's sizes): vectors of 8 whose last one is masked,
// where a vector of 16 with a scalar remainder would leave them all scalar.
#define WINOGRAD_TILE_LOOP _Pragma("clang loop vectorize_width(8) vectorize_predicate(enable) interleave_count(1)")

typedef float winograd_v8 __attribute__((vector_size(32), aligned(4)));
typedef float winograd_v4 __attribute__((vector_size(16), aligned(4)));

// The row's columns m·q + k for q in [8j, 8j + 8) dealt out to row[k·L + 8j ...], by shuffles (a loop of
// strided loads compiles to gathers). m is 2 or 4, a constant in each caller.
static inline __attribute__((always_inline)) void winograd_deal8(const float *line, int m, int phase_length, int j,
                                                                 float *row) {
    const winograd_v8 *chunk = (const winograd_v8 *)(line + 8 * m * j);
    float *to = row + 8 * j;
    if (m == 2) {
        const winograd_v8 a = chunk[0], b = chunk[1];
        *(winograd_v8 *)to = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
        *(winograd_v8 *)(to + phase_length) = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
    } else {
        const winograd_v8 a = chunk[0], b = chunk[1], c = chunk[2], d = chunk[3];
#define WINOGRAD_PHASE(k)                                                                                       \
    do {                                                                                                          \
        const winograd_v4 low = __builtin_shufflevector(a, b, k, k + 4, k + 8, k + 12);                          \
        const winograd_v4 high = __builtin_shufflevector(c, d, k, k + 4, k + 8, k + 12);                         \
        *(winograd_v8 *)(to + k * phase_length) = __builtin_shufflevector(low, high, 0, 1, 2, 3, 4, 5, 6, 7);    \
    } while (0)
        WINOGRAD_PHASE(0);
        WINOGRAD_PHASE(1);
        WINOGRAD_PHASE(2);
        WINOGRAD_PHASE(3);
#undef WINOGRAD_PHASE
    }
}

// Needs WINOGRAD_PLANE_SLACK floats writable past the plane (overwritten later by the caller).
#define WINOGRAD_PLANE_SLACK 8
static inline __attribute__((always_inline)) void winograd_phased_plane(const float *source, int height, int width,
                                                                        int pad_top, int pad_left, int ph, int m,
                                                                        int phase_length, float *plane) {
    const int row_length = m * phase_length, chunks = (phase_length + 7) / 8;
    // The row zero-bordered as it lies (the image's part one copy), then dealt out to the phases.
    // Columns s of the row hold image column s − pad_left: those in [first, last) lie inside the image.
    const int first = pad_left < 0 ? 0 : (pad_left < row_length ? pad_left : row_length);
    const int end = width + pad_left, last = end < first ? first : (end < row_length ? end : row_length);
    float line[8 * m * chunks];
    for (int s = 0; s < first; s++) line[s] = 0.0f;
    for (int s = last; s < 8 * m * chunks; s++) line[s] = 0.0f;
    for (int r = 0; r < ph; r++) {
        const int y = r - pad_top;
        float *row = plane + (long)r * row_length;
        if (y < 0 || y >= height) {
            memset(row, 0, (size_t)row_length * sizeof(float));
            continue;
        }
        memcpy(line + first, source + (long)y * width + (first - pad_left), (size_t)(last - first) * sizeof(float));
        // Whole chunks of 8, the last first: its excess past phase k lands on phase k + 1's start (or the next
        // row's, or the slack), written after it.
        for (int j = chunks - 1; j >= 0; j--) winograd_deal8(line, m, phase_length, j, row);
    }
}

// A channel's column step runs once over all its tile rows, flattened (conv_winograd.c, conv_winograd4.c):
// index f = ty·L + tx over [0, tiles_y·L − 1), whole vectors of 16 and one masked, where rows of 7-15 tiles
// each left a masked vector or two. The columns f = ty·L + tiles_x are junk, dropped by winograd_compact.
#define WINOGRAD_FLAT_LOOP _Pragma("clang loop vectorize_width(16) vectorize_predicate(enable) interleave_count(1)")

// One channel's transformed tiles stage[ξ][tiles] (count positions ξ) stored into V[ξ] laid out as the
// GEMM's packed B panels (lens_sgemm_packed_b_width: slivers of `width` tiles, a multiple of 8, blocks of
// `depth` channels), where a separate pass would pack V[ξ] before every product. V[ξ] has `columns` columns
// (a group of images' tiles side by side) and this image's start at `column`, a multiple of 8 when there are
// several. Runs of up to `width` tiles, copied 8 at a time inline (a call per run cost more than the copy): the
// last run's excess lands in the image's columns rounded up to 8 (never used, never another image's) and is
// read from WINOGRAD_STAGE_SLACK floats past the stage.
#define WINOGRAD_STAGE_SLACK 8
static inline __attribute__((always_inline)) void winograd_store_packed(const float *stage, int count, long tiles,
                                                                        long column, long columns, int c, int channels,
                                                                        int width, int depth, float *transformed) {
    const long padded = (columns + width - 1) / width * width;
    const int pc = c / depth * depth, kc = channels - pc < depth ? channels - pc : depth;
    for (int xi = 0; xi < count; xi++) {
        float *base = transformed + (long)xi * padded * channels + (long)pc * padded + (long)(c - pc) * width;
        const float *from = stage + (long)xi * tiles;
        for (long n = 0; n < tiles;) {
            // Global column g = column + n lies in sliver g / width at g mod width; the run ends at the sliver's end.
            const long g = column + n, sliver = g / width, within = g % width;
            const long run = tiles - n < width - within ? tiles - n : width - within;
            float *to = base + sliver * width * kc + within;
            for (long i = 0; i < run; i += 8) *(winograd_v8 *)(to + i) = *(const winograd_v8 *)(from + n + i);
            n += run;
        }
    }
}

// wide[ξ][ty·L + tx] (count positions ξ, span = tiles_y·L floats each) compacted to stage[ξ][ty·tiles_x + tx]
// (a separate step: stored into V's panels straight from wide, the runs' unaligned writes over 36 places cost
// more). 8 at a time: a run's excess is overwritten by the next, the last's lands in the stage's slack; the
// last run reads a few floats past wide (the stage follows it).
static inline __attribute__((always_inline)) void winograd_compact(const float *wide, int count, int length,
                                                                   int tiles_y, int tiles_x, float *stage) {
    for (long n = 0; n < (long)count * tiles_y; n++) {
        const float *from = wide + n * length;   // row ty = n mod tiles_y of ξ = n / tiles_y
        float *to = stage + n * tiles_x;
        for (int i = 0; i < tiles_x; i += 8) *(winograd_v8 *)(to + i) = *(const winograd_v8 *)(from + i);
    }
}

// An output transform's clamp (ReLU, ReLU6, none: ±∞); NaN stays NaN.
static inline float clamp_to(float r, float low, float high) { return r < low ? low : (r > high ? high : r); }

typedef void (*winograd_rows_fn)(const float *restrict, int, int, float *restrict, long);
typedef void (*winograd_columns_fn)(const float *restrict, float *restrict, long);

// The input transform of channels [first, end), tiles of m outputs (α = m + 2 positions a side), tiles
// innermost: each channel's phased plane; t = Bᵀ d for every row of tiles, kept as T[i][phase k][ty][q];
// v = t B once over all the rows flattened; compacted and stored into V (its packed panels when
// packed_width, else V[ξ][channels][columns]), this image's tiles at columns [column, column + tiles). The two
// steps' coefficients are the caller's (F(2x2), F(4x4)).
static inline __attribute__((always_inline)) void winograd_input_channels(
    const float *image, int m, int channels, int height, int width, int pad_top, int pad_left, int tiles_y, int tiles_x,
    int first, int end, float *plane, float *transformed, long column, long columns, int packed_width, int packed_depth,
    winograd_rows_fn rows_times_bt, winograd_columns_fn columns_times_b) {
    const int alpha = m + 2, count = alpha * alpha;
    const int ph = m * tiles_y + 2, length = tiles_x + 1, pw = m * length;
    const long span = (long)tiles_y * length;   // one phase of all the rows of tiles
    // After the plane (sized in ConvolutionWinograd.swift): T [α][m][span], v = t B as wide[α²][span], then compacted.
    float *t = plane + (long)ph * pw, *wide = t + (long)alpha * m * span, *stage = wide + count * span;   // stage: [α²][tiles]
    const long tiles = (long)tiles_y * tiles_x;
    for (int c = first; c < end; c++) {
        winograd_phased_plane(image + (long)c * height * width, height, width, pad_top, pad_left, ph, m, length, plane);
        for (int ty = 0; ty < tiles_y; ty++) rows_times_bt(plane + (long)(m * ty) * pw, pw, length, t + (long)ty * length, span);
        for (int i = 0; i < alpha; i++) columns_times_b(t + (long)m * i * span, wide + (long)alpha * i * span, span);
        winograd_compact(wide, count, length, tiles_y, tiles_x, stage);
        if (packed_width)
            winograd_store_packed(stage, count, tiles, column, columns, c, channels, packed_width, packed_depth, transformed);
        else
            for (int xi = 0; xi < count; xi++)
                memcpy(transformed + ((long)xi * channels + c) * columns + column, stage + xi * tiles, (size_t)tiles * sizeof(float));
    }
}

// The output transforms (conv_winograd.c, conv_winograd4.c) make r[j][tile] = output column j of each tile
// (tiles of m columns) flattened over all the channel's tiles; an output row is then r[0..m)[ty·tiles_x + tx]
// interleaved: target[m·tx + j] = r[j][tx], for the `width` columns of the row. 8 tiles at a time by shuffles:
// a chunk may write past `width` onto the rows after it (written later) while it stays within `room` floats
// of target (the channel's plane), and reads up to 7 floats past a row's tiles (the r arrays have slack).
// The part left, at most the last chunk of a channel's last rows, one float at a time.
static inline __attribute__((always_inline)) void winograd_interleave(const float *const r[4], int m, int width,
                                                                      long room, float *target) {
    int s = 0;
    for (int tx = 0; s < width && s + 8 * m <= room; tx += 8, s += 8 * m) {
        float *to = target + s;
        const winograd_v8 r0 = *(const winograd_v8 *)(r[0] + tx), r1 = *(const winograd_v8 *)(r[1] + tx);
        if (m == 2) {
            *(winograd_v8 *)to = __builtin_shufflevector(r0, r1, 0, 8, 1, 9, 2, 10, 3, 11);
            *(winograd_v8 *)(to + 8) = __builtin_shufflevector(r0, r1, 4, 12, 5, 13, 6, 14, 7, 15);
        } else {
            const winograd_v8 r2 = *(const winograd_v8 *)(r[2] + tx), r3 = *(const winograd_v8 *)(r[3] + tx);
            const winograd_v8 low01 = __builtin_shufflevector(r0, r1, 0, 8, 1, 9, 2, 10, 3, 11);
            const winograd_v8 high01 = __builtin_shufflevector(r0, r1, 4, 12, 5, 13, 6, 14, 7, 15);
            const winograd_v8 low23 = __builtin_shufflevector(r2, r3, 0, 8, 1, 9, 2, 10, 3, 11);
            const winograd_v8 high23 = __builtin_shufflevector(r2, r3, 4, 12, 5, 13, 6, 14, 7, 15);
            *(winograd_v8 *)to = __builtin_shufflevector(low01, low23, 0, 1, 8, 9, 2, 3, 10, 11);
            *(winograd_v8 *)(to + 8) = __builtin_shufflevector(low01, low23, 4, 5, 12, 13, 6, 7, 14, 15);
            *(winograd_v8 *)(to + 16) = __builtin_shufflevector(high01, high23, 0, 1, 8, 9, 2, 3, 10, 11);
            *(winograd_v8 *)(to + 24) = __builtin_shufflevector(high01, high23, 4, 5, 12, 13, 6, 7, 14, 15);
        }
    }
    for (; s < width; s++) target[s] = r[s % m][s / m];
}

#endif
