// One build of the Lanczos passes (see Lanczos.c), included once per instruction set with NAME,
// TARGET, VEC (a float vector of VW lanes), VINT (its int vector) and SPLATV defined. Lane j of
// every vector is output row group + j: the vertical pass leaves its rows interleaved in `lanes`
// (input sample i, channel c of row j at ((i * channels + c) * VW + j)), so the horizontal pass
// loads whole vectors and every output sample sees the same float operations in the same order.

TARGET static void NAME(
    const uint8_t *src, int srcWidth, int channels, const ck_lanczos_axis *h, const ck_lanczos_axis *v, int row0, int row1,
    uint8_t *out, float *scratch) {
    const int ch = channels;
    const int cols = h->inHi - h->inLo;
    const int rowLen = cols * ch;
    const int cap = ring_rows(v, row0, row1);
    float *ring = scratch;
    float *lanes = ring + (size_t)cap * rowLen;
    memset(lanes, 0, sizeof(float) * (size_t)rowLen * VW); // lanes past the last row stay finite
    const int outW = h->outSize;
    int converted = -1; // the ring holds input rows [have, converted]
    int have = 0;
    for (int y0 = row0; y0 < row1; y0 += VW) {
        const int rows = row1 - y0 < VW ? row1 - y0 : VW;
        int lo, hi;
        group_span(v, y0, rows, &lo, &hi);
        int first = converted + 1;
        if (converted < 0 || lo < have || lo <= converted - cap) {
            first = lo;
            have = lo;
        }
        for (int y = first; y < hi; y++) {
            float *dst = ring + (size_t)(y % cap) * rowLen;
            const uint8_t *s = src + ((size_t)y * srcWidth + h->inLo) * ch;
            if (ch == 4) {
                for (int i = 0; i < rowLen; i += 4) {
                    const float a = (float)s[i + 3];
                    const float f = a * (1.0f / 255.0f);
                    dst[i] = (float)s[i] * f;
                    dst[i + 1] = (float)s[i + 1] * f;
                    dst[i + 2] = (float)s[i + 2] * f;
                    dst[i + 3] = a;
                }
            } else {
                for (int i = 0; i < rowLen; i++) dst[i] = (float)s[i];
            }
        }
        if (hi - 1 > converted || first == lo) {
            converted = hi - 1;
            if (have < converted - cap + 1) have = converted - cap + 1;
        }

        // Vertical pass, a block of columns at a time so the block's lanes stay in cache.
        for (int c0 = 0; c0 < rowLen; c0 += 256) {
            const int c1 = c0 + 256 < rowLen ? c0 + 256 : rowLen;
            for (int j = 0; j < rows; j++) {
                const int yo = y0 + j;
                const int s = v->starts[yo];
                const int n = v->taps < v->inHi - s ? v->taps : v->inHi - s;
                const float *w = v->weights + (size_t)yo * v->taps;
                const float *rp[n];
                for (int k = 0; k < n; k++) rp[k] = ring + (size_t)((s + k) % cap) * rowLen;
                int i = c0;
                for (; i + VW <= c1; i += VW) {
                    VEC acc = LOADV(rp[0] + i) * SPLATV(w[0]);
                    int k = 1;
                    for (; k + 1 < n; k += 2) acc = acc + (LOADV(rp[k] + i) * SPLATV(w[k]) + LOADV(rp[k + 1] + i) * SPLATV(w[k + 1]));
                    if (k < n) acc = acc + LOADV(rp[k] + i) * SPLATV(w[k]);
                    float t[VW];
                    STOREV(t, acc);
                    for (int q = 0; q < VW; q++) lanes[(size_t)(i + q) * VW + j] = t[q];
                }
                for (; i < c1; i++) {
                    float acc = rp[0][i] * w[0];
                    int k = 1;
                    for (; k + 1 < n; k += 2) acc = acc + (rp[k][i] * w[k] + rp[k + 1][i] * w[k + 1]);
                    if (k < n) acc = acc + rp[k][i] * w[k];
                    lanes[(size_t)i * VW + j] = acc;
                }
            }
        }

        // Horizontal pass: each output pixel of all the group's rows at once.
        const VEC zero = SPLATV(0.0f), top = SPLATV(255.0f), half = SPLATV(0.5f);
        const size_t pitch = (size_t)outW * ch;
        uint8_t *o = out + (size_t)y0 * pitch;
        for (int xo = 0; xo < outW; xo++) {
            const int sx = h->starts[xo] - h->inLo;
            const int m = h->taps < cols - sx ? h->taps : cols - sx;
            const float *w = h->weights + (size_t)xo * h->taps;
            const float *t = lanes + (size_t)sx * ch * VW;
            VEC p0 = zero, p1 = zero, p2 = zero, p3 = zero;
            if (ch == 4) {
                for (int k = 0; k < m; k++, t += 4 * VW) {
                    const VEC wk = SPLATV(w[k]);
                    p0 = p0 + LOADV(t) * wk;
                    p1 = p1 + LOADV(t + VW) * wk;
                    p2 = p2 + LOADV(t + 2 * VW) * wk;
                    p3 = p3 + LOADV(t + 3 * VW) * wk;
                }
                const VEC a = MINV(MAXV(p3, zero), top);
                const VINT visible = (VINT)(a > zero);
                const VINT one = (VINT)SPLATV(1.0f);
                const VEC safe = (VEC)(((VINT)a & visible) | (one & ~visible)); // 255 / a only where a > 0
                const VEC f = top / safe;
                const VINT ia = __builtin_convertvector(a + half, VINT);
                const VINT i0 = __builtin_convertvector(MINV(MAXV(p0 * f, zero), top) + half, VINT) & visible;
                const VINT i1 = __builtin_convertvector(MINV(MAXV(p1 * f, zero), top) + half, VINT) & visible;
                const VINT i2 = __builtin_convertvector(MINV(MAXV(p2 * f, zero), top) + half, VINT) & visible;
                uint8_t b[4][VW];
                STOREB(b[0], i0);
                STOREB(b[1], i1);
                STOREB(b[2], i2);
                STOREB(b[3], ia);
                for (int j = 0; j < rows; j++) {
                    uint8_t *d = o + (size_t)j * pitch + (size_t)xo * 4;
                    d[0] = b[0][j];
                    d[1] = b[1][j];
                    d[2] = b[2][j];
                    d[3] = b[3][j];
                }
            } else {
                for (int k = 0; k < m; k++, t += 3 * VW) {
                    const VEC wk = SPLATV(w[k]);
                    p0 = p0 + LOADV(t) * wk;
                    p1 = p1 + LOADV(t + VW) * wk;
                    p2 = p2 + LOADV(t + 2 * VW) * wk;
                }
                const VINT i0 = __builtin_convertvector(MINV(MAXV(p0, zero), top) + half, VINT);
                const VINT i1 = __builtin_convertvector(MINV(MAXV(p1, zero), top) + half, VINT);
                const VINT i2 = __builtin_convertvector(MINV(MAXV(p2, zero), top) + half, VINT);
                uint8_t b[3][VW];
                STOREB(b[0], i0);
                STOREB(b[1], i1);
                STOREB(b[2], i2);
                for (int j = 0; j < rows; j++) {
                    uint8_t *d = o + (size_t)j * pitch + (size_t)xo * 3;
                    d[0] = b[0][j];
                    d[1] = b[1][j];
                    d[2] = b[2][j];
                }
            }
        }
    }
}
