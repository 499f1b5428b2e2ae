// Winograd F(2x2, 3x3), see CKernels.h. Lavin's matrices:
//
//   B^T = [ 1  0 -1  0 ]   G = [ 1    0    0  ]   A^T = [ 1  1  1  0 ]
//         [ 0  1  1  0 ]       [ 1/2  1/2  1/2 ]         [ 0  1 -1 -1 ]
//         [ 0 -1  1  0 ]       [ 1/2 -1/2  1/2 ]
//         [ 0  1  0 -1 ]       [ 0    0    1  ]
//
// so that the 2x2 outputs of a tile are A^T [(G g G^T) . (B^T d B)] A for its 4x4 input patch d
// and 3x3 filter g (cross-correlation, as dlib's con_). Tiles are processed eight at a time, one
// tile per vector lane: each input row is split into its odd and even columns, after which every
// patch element of eight neighbouring tiles is one contiguous load (Winograd5x5.c splits by column
// mod 4 for its 4x4 tiles).
//
// The tiles of all samples of a batch are numbered consecutively (sample, tile row, tile column),
// so one matrix product per transform point covers every sample: the small maps of a ResNet's
// deep layers (4x4 tiles per sample at 8x8) then read each filter matrix once per batch.
#include "CKernels.h"

#include "VectorMacros.h"

int ck_winograd3_tiles(int size) { return (size + 1) / 2; }

/// Length of one odd or even half-row in the split buffer: tx + j/2 + 8 lanes stays inside it.
static int half_length(int cols) { return ck_winograd3_tiles(cols) + 9; }

int ck_winograd3_scratch_floats(int rows, int cols) { return (2 * ck_winograd3_tiles(rows) + 2) * 2 * half_length(cols); }

/// U = G g G^T for every filter pair: G's rows are g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2.
INLINE void filter_transform(const float *weights, long fc, float *U) {
    for (long k = 0; k < fc; k++) {
        const float *g = weights + k * 9;
        float t[4][3]; // G g
        for (int j = 0; j < 3; j++) {
            const float a = g[j], b = g[3 + j], c = g[6 + j];
            t[0][j] = a;
            t[1][j] = 0.5f * (a + b + c);
            t[2][j] = 0.5f * (a - b + c);
            t[3][j] = c;
        }
        for (int i = 0; i < 4; i++) {
            const float a = t[i][0], b = t[i][1], c = t[i][2];
            float *u = U + (long)(i * 4) * fc + k; // U[p] is F x C row-major, k = f * channels + c
            u[0] = a;
            u[fc] = 0.5f * (a + b + c);
            u[2 * fc] = 0.5f * (a - b + c);
            u[3 * fc] = c;
        }
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void filter_transform_avx2(const float *weights, long fc, float *U) {
    filter_transform(weights, fc, U);
}
#endif

void ck_winograd3_filter_transform(const float *weights, int filters, int channels, float *U) {
    const long fc = (long)filters * channels;
#if defined(__x86_64__)
    if (ck_kernel_level() >= 1) {
        filter_transform_avx2(weights, fc, U);
        return;
    }
#endif
    filter_transform(weights, fc, U);
}

/// B^T applied to four values (one column or row of a patch).
#define BT4(d0, d1, d2, d3, o)                                                                      \
    do {                                                                                            \
        o[0] = d0 - d2;                                                                             \
        o[1] = d1 + d2;                                                                             \
        o[2] = d2 - d1;                                                                             \
        o[3] = d1 - d3;                                                                             \
    } while (0)

INLINE void input_transform(const float *input, int samples, int channels, int rows, int cols, float *V, long ldv, float *scratch) {
    const int tilesY = ck_winograd3_tiles(rows);
    const int tilesX = ck_winograd3_tiles(cols);
    const long perSample = (long)tilesY * tilesX;
    const int half = half_length(cols);
    const int splitRows = 2 * tilesY + 2;
    const long pointStride = (long)channels * ldv; // V[p] to V[p + 1]
    for (int s = 0; s < samples; s++) {
        for (int c = 0; c < channels; c++) {
            const float *plane = input + ((long)s * channels + c) * rows * cols;
            // Split row r (input row r - 1): odd half O[k] = in[2k - 1], even half E[k] = in[2k], zero outside.
            for (int r = 0; r < splitRows; r++) {
                float *o = scratch + (long)r * 2 * half;
                float *e = o + half;
                const int y = r - 1;
                if (y < 0 || y >= rows) {
                    memset(o, 0, sizeof(float) * 2 * half);
                    continue;
                }
                const float *src = plane + (long)y * cols;
                o[0] = 0;
                e[0] = src[0];
                int k = 1;
                for (; 2 * k < cols; k++) {
                    o[k] = src[2 * k - 1];
                    e[k] = src[2 * k];
                }
                for (; k < half; k++) {
                    o[k] = 2 * k - 1 < cols ? src[2 * k - 1] : 0;
                    e[k] = 0;
                }
            }
            // Tiles are written in increasing order, eight lanes at a time: the lanes past a tile
            // row's end are overwritten by the next row's first tiles (or land in V's slack).
            float *vOut = V + (long)c * ldv + s * perSample;
            for (int ty = 0; ty < tilesY; ty++) {
                const float *rowBase = scratch + (long)(2 * ty) * 2 * half;
                for (int tx = 0; tx < tilesX; tx += 8) {
                    v8 t[4][4]; // B^T d, column by column
                    for (int j = 0; j < 4; j++) {
                        v8 d[4];
                        for (int i = 0; i < 4; i++) d[i] = LOAD8(rowBase + (long)i * 2 * half + (j & 1) * half + tx + j / 2);
                        v8 o[4];
                        BT4(d[0], d[1], d[2], d[3], o);
                        for (int i = 0; i < 4; i++) t[i][j] = o[i];
                    }
                    for (int i = 0; i < 4; i++) {
                        v8 o[4];
                        BT4(t[i][0], t[i][1], t[i][2], t[i][3], o);
                        for (int j = 0; j < 4; j++) STORE8(vOut + (i * 4 + j) * pointStride + (long)ty * tilesX + tx, o[j]);
                    }
                }
            }
        }
    }
}

INLINE void output_transform(
    const float *M, long ldm, int samples, int filters, int rows, int cols, const float *bias, int relu, float *output) {
    const int tilesY = ck_winograd3_tiles(rows);
    const int tilesX = ck_winograd3_tiles(cols);
    const long perSample = (long)tilesY * tilesX;
    const long plane = (long)rows * cols;
    const long pointStride = (long)filters * ldm;
    const v8 zero = SPLAT(0);
    for (int s = 0; s < samples; s++) {
        for (int f = 0; f < filters; f++) {
            const v8 b = SPLAT(bias ? bias[f] : 0);
            float *out = output + ((long)s * filters + f) * plane;
            for (int ty = 0; ty < tilesY; ty++) {
                const int y = 2 * ty;
                const float *m = M + (long)f * ldm + s * perSample + (long)ty * tilesX;
                for (int tx = 0; tx < tilesX; tx += 8) {
                    v8 a[2][4]; // A^T m, column by column
                    for (int j = 0; j < 4; j++) {
                        v8 d[4];
                        for (int i = 0; i < 4; i++) d[i] = LOAD8(m + (i * 4 + j) * pointStride + tx);
                        a[0][j] = d[0] + d[1] + d[2];
                        a[1][j] = (d[1] - d[2]) - d[3];
                    }
                    for (int k = 0; k < 2 && y + k < rows; k++) {
                        v8 y0 = a[k][0] + a[k][1] + a[k][2] + b;
                        v8 y1 = (a[k][1] - a[k][2]) - a[k][3] + b;
                        if (relu) {
                            y0 = __builtin_elementwise_max(y0, zero);
                            y1 = __builtin_elementwise_max(y1, zero);
                        }
                        // Tile lane l covers output columns 2(tx + l) and 2(tx + l) + 1.
                        v8 lo = __builtin_shufflevector(y0, y1, 0, 8, 1, 9, 2, 10, 3, 11);
                        v8 hi = __builtin_shufflevector(y0, y1, 4, 12, 5, 13, 6, 14, 7, 15);
                        float *dst = out + (long)(y + k) * cols + 2 * tx;
                        const int valid = cols - 2 * tx;
                        if (valid >= 16) {
                            STORE8(dst, lo);
                            STORE8(dst + 8, hi);
                        } else {
                            float tmp[16];
                            STORE8(tmp, lo);
                            STORE8(tmp + 8, hi);
                            memcpy(dst, tmp, sizeof(float) * valid);
                        }
                    }
                }
            }
        }
    }
}

// Each kernel twice: for AVX2+FMA, and for the baseline instruction set.
#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void input_transform_avx2(
    const float *input, int samples, int channels, int rows, int cols, float *V, long ldv, float *scratch) {
    input_transform(input, samples, channels, rows, cols, V, ldv, scratch);
}

__attribute__((target("avx2,fma"))) static void output_transform_avx2(
    const float *M, long ldm, int samples, int filters, int rows, int cols, const float *bias, int relu, float *output) {
    output_transform(M, ldm, samples, filters, rows, cols, bias, relu, output);
}
#endif

void ck_winograd3_input_transform(const float *input, int samples, int channels, int rows, int cols, float *V, long ldv, float *scratch) {
#if defined(__x86_64__)
    if (ck_kernel_level() >= 1) {
        input_transform_avx2(input, samples, channels, rows, cols, V, ldv, scratch);
        return;
    }
#endif
    input_transform(input, samples, channels, rows, cols, V, ldv, scratch);
}

void ck_winograd3_output_transform(
    const float *M, long ldm, int samples, int filters, int rows, int cols, const float *bias, int relu, float *output) {
#if defined(__x86_64__)
    if (ck_kernel_level() >= 1) {
        output_transform_avx2(M, ldm, samples, filters, rows, cols, bias, relu, output);
        return;
    }
#endif
    output_transform(M, ldm, samples, filters, rows, cols, bias, relu, output);
}
