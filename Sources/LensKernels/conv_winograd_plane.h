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

static inline __attribute__((always_inline)) void winograd_phased_plane(const float *source, int height, int width,
                                                                        int pad_top, int pad_left, int ph, int m,
                                                                        int phase_length, float *plane) {
    const int row_length = m * phase_length;
    // The row zero-bordered as it lies (the image's part one copy), then dealt out to the phases.
    // Columns s of the row hold image column s − pad_left: those in [first, last) lie inside the image.
    const int first = pad_left < 0 ? 0 : (pad_left < row_length ? pad_left : row_length);
    const int end = width + pad_left, last = end < first ? first : (end < row_length ? end : row_length);
    float line[row_length];
    for (int s = 0; s < first; s++) line[s] = 0.0f;
    for (int s = last; s < row_length; s++) line[s] = 0.0f;
    for (int r = 0; r < ph; r++) {
        const int y = r - pad_top;
        float *restrict row = plane + (long)r * row_length;
        if (y < 0 || y >= height) {
            memset(row, 0, (size_t)row_length * sizeof(float));
            continue;
        }
        memcpy(line + first, source + (long)y * width + (first - pad_left), (size_t)(last - first) * sizeof(float));
        WINOGRAD_TILE_LOOP
        for (int q = 0; q < phase_length; q++)
            for (int k = 0; k < m; k++) row[k * phase_length + q] = line[m * q + k];
    }
}

typedef float winograd_v8 __attribute__((vector_size(32), aligned(4)));

// One channel's transformed tiles stage[ξ][tiles] (count positions ξ) stored into V[ξ] laid out as the
// GEMM's packed B panels (lens_sgemm_packed_b_width: slivers of `width` tiles, a multiple of 8, blocks of
// `depth` channels), where a separate pass would pack V[ξ] before every product. Runs of up to `width`
// tiles, copied 8 at a time inline (a call per run cost more than the copy): the last run's excess lands in
// its sliver's padding columns, which the products never keep, and is read from WINOGRAD_STAGE_SLACK floats
// past the stage.
#define WINOGRAD_STAGE_SLACK 8
static inline __attribute__((always_inline)) void winograd_store_packed(const float *stage, int count, long tiles,
                                                                        int c, int channels, int width, int depth,
                                                                        float *transformed) {
    const long padded = (tiles + width - 1) / width * width;
    const int pc = c / depth * depth, kc = channels - pc < depth ? channels - pc : depth;
    for (int xi = 0; xi < count; xi++) {
        float *base = transformed + (long)xi * padded * channels + (long)pc * padded + (long)(c - pc) * width;
        const float *from = stage + (long)xi * tiles;
        for (long n = 0; n < tiles; n += width) {
            const long run = tiles - n < width ? tiles - n : width;
            for (long i = 0; i < run; i += 8) *(winograd_v8 *)(base + n * kc + i) = *(const winograd_v8 *)(from + n + i);
        }
    }
}

#endif
