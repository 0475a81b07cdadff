// The body of conv_depthwise3x3.c's kernels, included once per instruction set with:
//   FN(name)            the function's name with the set's suffix
//   TARGET              its __attribute__((target(...)))
//   VEC, LANES, ROWS    the vector type, its floats, the output rows kept in registers at once
//   MASK_T, LANE_MASK(lo, hi)  a mask of the lanes lo ≤ i < hi (none when hi ≤ lo)
//   LOAD(p, m), STORE(p, m, v) masked loads (zeros, no fault, in the lanes left out) and stores
//   SET1, ZERO, FMADD(a, b, c) = a·b + c, MIN, MAX
//   EVENS(lo, hi), ODDS(lo, hi): lanes 0, 2, 4, ... (1, 3, 5, ...) of the 2·LANES floats lo, hi
//   WEAVE_LO(e, o), WEAVE_HI(e, o): e0 o0 e1 o1 ... of the first (second) half of the lanes
//
// Taps outside the image are masked lanes of the loads (zeros) or skipped rows, so there is no padded
// copy: each output row block reads its input rows straight from the image. ROWS output rows share
// each loaded input row (a 3x3 tap row serves up to three output rows), and their ROWS accumulators
// are independent chains of fused multiply-adds.

// Lanes i of a load at column `start` inside [0, limit).
static inline TARGET MASK_T FN(inside)(int start, int limit) {
    const int lo = start < 0 ? -start : 0, hi = limit - start < LANES ? limit - start : LANES;
    return LANE_MASK(lo, hi);
}

// Stride 1: the three shifted loads of each input row are the three taps of a row.
static TARGET void FN(forward_s1)(const float *x, int height, int width, int pad_top, int pad_left, int out_height,
                                  int out_width, const float *w, float b, float *y, float low, float high) {
    VEC wv[9];
    for (int t = 0; t < 9; t++) wv[t] = SET1(w[t]);
    const VEC vlow = SET1(low), vhigh = SET1(high), vb = SET1(b);
    for (int oy0 = 0; oy0 < out_height; oy0 += ROWS) {
        const int rows = out_height - oy0 < ROWS ? out_height - oy0 : ROWS;
        for (int x0 = 0; x0 < out_width; x0 += LANES) {
            const int c0 = x0 - pad_left;
            const MASK_T m0 = FN(inside)(c0, width), m1 = FN(inside)(c0 + 1, width), m2 = FN(inside)(c0 + 2, width);
            VEC acc[ROWS];
            for (int r = 0; r < ROWS; r++) acc[r] = vb;
            for (int i = 0; i < ROWS + 2; i++) {   // input row oy0 + i − pad_top feeds output rows oy0 + i − ky
                const int iy = oy0 + i - pad_top;
                if (iy < 0 || iy >= height || i - 2 >= rows) continue;
                const float *row = x + (long)iy * width + c0;
                const VEC v0 = LOAD(row, m0), v1 = LOAD(row + 1, m1), v2 = LOAD(row + 2, m2);
                for (int r = 0; r < ROWS; r++) {
                    const int ky = i - r;
                    if (ky < 0 || ky > 2) continue;
                    acc[r] = FMADD(wv[3 * ky], v0, acc[r]);
                    acc[r] = FMADD(wv[3 * ky + 1], v1, acc[r]);
                    acc[r] = FMADD(wv[3 * ky + 2], v2, acc[r]);
                }
            }
            const MASK_T store = LANE_MASK(0, out_width - x0);
            for (int r = 0; r < ROWS; r++)   // min(high, max(low, v)) with v second: a NaN comes through
                if (r < rows) STORE(y + (long)(oy0 + r) * out_width + x0, store, MIN(vhigh, MAX(vlow, acc[r])));
        }
    }
}

// Stride 2: output column ox reads input columns 2·ox − pad_left + kx; the even and odd lanes of two
// vectors from 2·x0 − pad_left are the taps kx = 0 and 1, the even lanes of two from two further on kx = 2.
static TARGET void FN(forward_s2)(const float *x, int height, int width, int pad_top, int pad_left, int out_height,
                                  int out_width, const float *w, float b, float *y, float low, float high) {
    VEC wv[9];
    for (int t = 0; t < 9; t++) wv[t] = SET1(w[t]);
    const VEC vlow = SET1(low), vhigh = SET1(high), vb = SET1(b);
    for (int oy0 = 0; oy0 < out_height; oy0 += ROWS) {
        const int rows = out_height - oy0 < ROWS ? out_height - oy0 : ROWS;
        for (int x0 = 0; x0 < out_width; x0 += LANES) {
            const int c0 = 2 * x0 - pad_left;
            const MASK_T m0 = FN(inside)(c0, width), m1 = FN(inside)(c0 + LANES, width);
            const MASK_T m2 = FN(inside)(c0 + 2, width), m3 = FN(inside)(c0 + 2 + LANES, width);
            VEC acc[ROWS];
            for (int r = 0; r < ROWS; r++) acc[r] = vb;
            for (int i = 0; i < 2 * ROWS + 1; i++) {   // input row 2·oy0 + i − pad_top feeds output rows oy0 + r, i = 2r + ky
                const int iy = 2 * oy0 + i - pad_top;
                if (iy < 0 || iy >= height || i - 2 > 2 * (rows - 1)) continue;
                const float *row = x + (long)iy * width + c0;
                const VEC lo = LOAD(row, m0), hi = LOAD(row + LANES, m1);
                const VEC v0 = EVENS(lo, hi), v1 = ODDS(lo, hi);
                const VEC v2 = EVENS(LOAD(row + 2, m2), LOAD(row + 2 + LANES, m3));
                for (int r = 0; r < ROWS; r++) {
                    const int ky = i - 2 * r;
                    if (ky < 0 || ky > 2) continue;
                    acc[r] = FMADD(wv[3 * ky], v0, acc[r]);
                    acc[r] = FMADD(wv[3 * ky + 1], v1, acc[r]);
                    acc[r] = FMADD(wv[3 * ky + 2], v2, acc[r]);
                }
            }
            const MASK_T store = LANE_MASK(0, out_width - x0);
            for (int r = 0; r < ROWS; r++)
                if (r < rows) STORE(y + (long)(oy0 + r) * out_width + x0, store, MIN(vhigh, MAX(vlow, acc[r])));
        }
    }
}

static TARGET void FN(forward)(const float *x, int height, int width, int stride, int pad_top, int pad_left,
                               int out_height, int out_width, const float *w, float b, float *y, float low, float high) {
    if (stride == 1) FN(forward_s1)(x, height, width, pad_top, pad_left, out_height, out_width, w, b, y, low, high);
    else FN(forward_s2)(x, height, width, pad_top, pad_left, out_height, out_width, w, b, y, low, high);
}

// The input gradient at stride 2, gathered: input column ix = 2·j + q (q = 0, 1) receives the taps kx with
// kx ≡ q + pad_left (mod 2), from output column j + d, d = (q + pad_left − kx) / 2 in {−1, 0, 1}. The even
// and odd columns are summed apart from the three shifted loads of an output row, then woven together.
static TARGET void FN(data_s2)(const float *dy, int height, int width, int pad_top, int pad_left, int out_height,
                               int out_width, const float *w, float *dx) {
    VEC c[3][2][3];   // c[ky][q][d + 1] = w[ky][q + pad_left − 2d], 0 where that is no tap
    for (int ky = 0; ky < 3; ky++)
        for (int q = 0; q < 2; q++)
            for (int d = -1; d <= 1; d++) {
                const int kx = q + pad_left - 2 * d;
                c[ky][q][d + 1] = kx >= 0 && kx < 3 ? SET1(w[3 * ky + kx]) : ZERO();
            }
    const int pairs = (width + 1) / 2;   // input columns 2j and 2j + 1
    for (int iy = 0; iy < height; iy++) {
        float *out = dx + (long)iy * width;
        for (int j0 = 0; j0 < pairs; j0 += LANES) {
            const MASK_T ma = FN(inside)(j0 - 1, out_width), mb = FN(inside)(j0, out_width), mc = FN(inside)(j0 + 1, out_width);
            VEC even = ZERO(), odd = ZERO();
            for (int ky = 0; ky < 3; ky++) {
                const int t = iy + pad_top - ky;   // = 2·oy
                if (t < 0 || (t & 1) || t / 2 >= out_height) continue;
                const float *row = dy + (long)(t / 2) * out_width + j0;
                const VEC da = LOAD(row - 1, ma), db = LOAD(row, mb), dc = LOAD(row + 1, mc);
                even = FMADD(c[ky][0][0], da, FMADD(c[ky][0][1], db, FMADD(c[ky][0][2], dc, even)));
                odd = FMADD(c[ky][1][0], da, FMADD(c[ky][1][1], db, FMADD(c[ky][1][2], dc, odd)));
            }
            const int left = width - 2 * j0;
            STORE(out + 2 * j0, LANE_MASK(0, left), WEAVE_LO(even, odd));
            STORE(out + 2 * j0 + LANES, LANE_MASK(0, left - LANES), WEAVE_HI(even, odd));
        }
    }
}
