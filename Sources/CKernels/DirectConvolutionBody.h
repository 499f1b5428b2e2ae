// The body of one build of the direct strided convolution (DirectConvolution.c includes it once
// per instruction set). Expects VEC (a vector of VW floats), VW, XB (vectors of output columns per
// block), LOADV/STOREV/SPLATV/MAXV, and NAME (the function to define), plus TARGET (its attribute).
// FB = 4 filters per block; the caller guarantees filters % 4 == 0.

TARGET static void NAME(
    const float *input, int channels, int rows, int cols, const float *packed, int filters, int kernelRows, int kernelCols,
    int stride, const float *bias, int relu, int row0, int row1, float *output, int outRows, int outCols, float *scratch) {
    const int pitch = ck_direct_pitch(outCols, kernelCols, stride);
    const long outPlane = (long)outRows * outCols;
    const int taps = kernelRows * kernelCols;
    // Where tap kx of a filter row reads in the split rows: phase kx % stride, kx / stride columns on.
    int tapOffset[64];
    for (int kx = 0; kx < kernelCols && kx < 64; kx++) tapOffset[kx] = (kx % stride) * pitch + kx / stride;
    if (row1 <= row0) return;
    // The input rows of output rows [row0, row1), each split once into its `stride` column phases
    // (phase q holds columns q, q + stride, ...), zero past the row's end.
    const int splitRows = (row1 - row0 - 1) * stride + kernelRows;
    for (int c = 0; c < channels; c++)
        for (int r = 0; r < splitRows; r++) {
            const float *src = input + ((long)c * rows + (long)row0 * stride + r) * cols;
            for (int q = 0; q < stride; q++) {
                float *dst = scratch + ((long)(c * splitRows + r) * stride + q) * pitch;
                int k = 0;
                for (int x = q; x < cols; x += stride) dst[k++] = src[x];
                memset(dst + k, 0, sizeof(float) * (pitch - k));
            }
        }
    for (int oy = row0; oy < row1; oy++) {
        for (int x0 = 0; x0 < outCols; x0 += XB * VW) {
            for (int f0 = 0; f0 < filters; f0 += 4) {
                VEC acc[4][XB];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < XB; j++) acc[i][j] = SPLATV(0.0f);
                const float *w = packed + (long)f0 * channels * taps; // [c][ky][kx][4 filters]
                for (int c = 0; c < channels; c++)
                    for (int ky = 0; ky < kernelRows; ky++) {
                        const float *line = scratch + (long)(c * splitRows + (oy - row0) * stride + ky) * stride * pitch + x0;
                        for (int kx = 0; kx < kernelCols; kx++, w += 4) {
                            const float *in = line + tapOffset[kx];
                            VEC v[XB];
                            for (int j = 0; j < XB; j++) v[j] = LOADV(in + j * VW);
                            for (int i = 0; i < 4; i++) {
                                const VEC wi = SPLATV(w[i]);
                                for (int j = 0; j < XB; j++) acc[i][j] += wi * v[j];
                            }
                        }
                    }
                // Bias and ReLU; a block reaching past the row's end goes through `tail`.
                const int valid = outCols - x0;
                float tail[4][XB * VW];
                for (int i = 0; i < 4; i++) {
                    const VEC b = SPLATV(bias ? bias[f0 + i] : 0.0f);
                    float *dst = valid >= XB * VW ? output + (f0 + i) * outPlane + (long)oy * outCols + x0 : tail[i];
                    for (int j = 0; j < XB; j++) {
                        VEC y = acc[i][j] + b;
                        if (relu) y = MAXV(y, SPLATV(0.0f));
                        STOREV(dst + j * VW, y);
                    }
                }
                if (valid < XB * VW)
                    for (int i = 0; i < 4; i++)
                        memcpy(output + (f0 + i) * outPlane + (long)oy * outCols + x0, tail[i], sizeof(float) * valid);
            }
        }
    }
}
