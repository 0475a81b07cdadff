// One channel of an image copied into a zero-bordered plane for the Winograd input transforms
// (conv_winograd.c, conv_winograd4.c): plane[r][s] = image[r − pad_top][s − pad_left], 0 outside, so the
// transforms read whole tiles with no bounds to check. Inline, so each ISA clone of its callers has its own copy.
#ifndef LENS_CONV_WINOGRAD_PLANE_H
#define LENS_CONV_WINOGRAD_PLANE_H

static inline __attribute__((always_inline)) void winograd_bordered_plane(const float *source, int height, int width,
                                                                         int pad_top, int pad_left, int ph, int pw,
                                                                         float *plane) {
    for (int r = 0; r < ph; r++) {
        const int y = r - pad_top;
        float *row = plane + (long)r * pw;
        if (y < 0 || y >= height) {
            for (int s = 0; s < pw; s++) row[s] = 0.0f;
            continue;
        }
        for (int s = 0; s < pw; s++) {
            const int x = s - pad_left;
            row[s] = (x >= 0 && x < width) ? source[(long)y * width + x] : 0.0f;
        }
    }
}

#endif
