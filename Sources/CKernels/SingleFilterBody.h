// The body of one build of the single-filter convolution (SingleFilter.c includes it once per
// instruction set). Expects VEC (a vector of VW floats), VW, LOADV/STOREV/SPLATV/MAXV, NAME, TARGET.

TARGET static void NAME(
    const float *padded, int channels, int paddedRows, int pitch, const float *weights, int kernelRows, int kernelCols, float bias,
    int relu, int row0, int row1, int outCols, float *output) {
    for (int oy = row0; oy < row1; oy++) {
        for (int ox = 0; ox < outCols; ox += 4 * VW) {
            // Four independent accumulators: one would wait on the previous add's latency every tap.
            VEC a0 = SPLATV(bias), a1 = a0, a2 = a0, a3 = a0;
            for (int c = 0; c < channels; c++)
                for (int ky = 0; ky < kernelRows; ky++) {
                    const float *line = padded + ((long)c * paddedRows + oy + ky) * pitch + ox;
                    const float *w = weights + (c * kernelRows + ky) * kernelCols;
                    for (int kx = 0; kx < kernelCols; kx++) {
                        const VEC k = SPLATV(w[kx]);
                        a0 += k * LOADV(line + kx);
                        a1 += k * LOADV(line + kx + VW);
                        a2 += k * LOADV(line + kx + 2 * VW);
                        a3 += k * LOADV(line + kx + 3 * VW);
                    }
                }
            if (relu) {
                a0 = MAXV(a0, SPLATV(0.0f));
                a1 = MAXV(a1, SPLATV(0.0f));
                a2 = MAXV(a2, SPLATV(0.0f));
                a3 = MAXV(a3, SPLATV(0.0f));
            }
            float *dst = output + (long)oy * outCols + ox;
            if (outCols - ox >= 4 * VW) {
                STOREV(dst, a0);
                STOREV(dst + VW, a1);
                STOREV(dst + 2 * VW, a2);
                STOREV(dst + 3 * VW, a3);
            } else {
                float tail[4 * VW];
                STOREV(tail, a0);
                STOREV(tail + VW, a1);
                STOREV(tail + 2 * VW, a2);
                STOREV(tail + 3 * VW, a3);
                memcpy(dst, tail, sizeof(float) * (outCols - ox));
            }
        }
    }
}
