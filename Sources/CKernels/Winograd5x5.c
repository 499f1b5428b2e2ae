// Winograd F(2x2, 5x5), see CKernels.h. The matrices come from the Toom-Cook construction on the
// points 0, 1, -1, 2, -2 and infinity (B^T scaled to integers, the scale moved into G):
//
//   B^T = [ 4  0 -5  0  1  0 ]   G = [ 1/4    0     0    0    0  ]   A^T = [ 1  1  1  1  1  0 ]
//         [ 0  4  4 -1 -1  0 ]       [ 1/6   1/6   1/6  1/6  1/6 ]         [ 0  1 -1  2 -2  1 ]
//         [ 0 -4  4  1 -1  0 ]       [ 1/6  -1/6   1/6 -1/6  1/6 ]
//         [ 0 -2 -1  2  1  0 ]       [ 1/24  1/12  1/6  1/3  2/3 ]
//         [ 0  2 -1 -2  1  0 ]       [ 1/24 -1/12  1/6 -1/3  2/3 ]
//         [ 0  4  0 -5  0  1 ]       [ 0     0     0    0    1   ]
//
// so that the 2x2 outputs of a tile are A^T [(G g G^T) . (B^T d B)] A for its 6x6 input patch d
// and 5x5 filter g (cross-correlation, as dlib's con_). Tiles are processed eight at a time, one
// tile per vector lane; the patch columns of eight neighbouring tiles are two apart, so each input
// row is first split into its even and odd columns, after which every patch element of the eight
// tiles is one contiguous load.
#include "CKernels.h"

#include <string.h>

typedef float v8 __attribute__((vector_size(32)));

#define INLINE static inline __attribute__((always_inline))

// Macros rather than functions: a function taking or returning a 32-byte vector has a different
// ABI with and without AVX, and these are used by both builds of each kernel.
#define LOAD8(p) (__extension__({ v8 v_; memcpy(&v_, (p), sizeof v_); v_; }))
#define STORE8(p, v) (__extension__({ v8 v_ = (v); memcpy((p), &v_, sizeof v_); }))
#define SPLAT(x) ((v8){(x), (x), (x), (x), (x), (x), (x), (x)})

int ck_winograd5_tile_stride(int cols) { return ((cols + 1) / 2 + 7) & ~7; }

/// Length of one even or odd half-row in the split buffer: tx + j/2 + 8 lanes stays inside it.
static int half_length(int cols) { return ck_winograd5_tile_stride(cols) + 8; }

int ck_winograd5_scratch_floats(int cols, int tileRows) { return (2 * tileRows + 4) * 2 * half_length(cols); }

void ck_winograd5_filter_transform(const float *weights, int filters, int channels, float *U) {
    static const double G[6][5] = {
        {1.0 / 4, 0, 0, 0, 0},
        {1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6},
        {1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6},
        {1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3},
        {1.0 / 24, -1.0 / 12, 1.0 / 6, -1.0 / 3, 2.0 / 3},
        {0, 0, 0, 0, 1},
    };
    const long fc = (long)filters * channels;
    for (long k = 0; k < fc; k++) {
        const float *g = weights + k * 25;
        double t[6][5]; // G g
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 5; j++) {
                double s = 0;
                for (int a = 0; a < 5; a++) s += G[i][a] * g[a * 5 + j];
                t[i][j] = s;
            }
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++) {
                double s = 0;
                for (int a = 0; a < 5; a++) s += t[i][a] * G[j][a];
                U[(i * 6 + j) * fc + k] = (float)s; // k = f * channels + c: U[p] is F x C row-major
            }
    }
}

/// B^T applied to six values (one column or row of a patch).
#define BT6(d0, d1, d2, d3, d4, d5, o)                                                              \
    do {                                                                                            \
        o[0] = 4.0f * d0 - 5.0f * d2 + d4;                                                                \
        o[1] = 4.0f * (d1 + d2) - (d3 + d4);                                                           \
        o[2] = 4.0f * (d2 - d1) + (d3 - d4);                                                           \
        o[3] = 2.0f * (d3 - d1) + (d4 - d2);                                                           \
        o[4] = 2.0f * (d1 - d3) + (d4 - d2);                                                           \
        o[5] = 4.0f * d1 - 5.0f * d3 + d5;                                                                \
    } while (0)

INLINE void input_transform(
    const float *input, int channels, int rows, int cols, int tileRow0, int tileRows, float *V, float *scratch) {
    const int stride = ck_winograd5_tile_stride(cols);
    const int half = half_length(cols);
    const long T = (long)tileRows * stride;
    const int splitRows = 2 * tileRows + 4;
    const int firstRow = 2 * tileRow0 - 2; // input row of split row 0
    for (int c = 0; c < channels; c++) {
        const float *plane = input + (long)c * rows * cols;
        // Split row r: even half E[k] = in[2k - 2], odd half O[k] = in[2k - 1], zero outside the image.
        for (int r = 0; r < splitRows; r++) {
            float *e = scratch + (long)r * 2 * half;
            float *o = e + half;
            const int y = firstRow + r;
            if (y < 0 || y >= rows) {
                memset(e, 0, sizeof(float) * 2 * half);
                continue;
            }
            const float *src = plane + (long)y * cols;
            // k = 0 reads columns -2 and -1; k in [1, inner) reads 2k - 2 and 2k - 1, both inside.
            const int inner = cols / 2 + 1;
            e[0] = o[0] = 0;
            for (int k = 1; k < inner; k++) {
                e[k] = src[2 * k - 2];
                o[k] = src[2 * k - 1];
            }
            for (int k = inner > 1 ? inner : 1; k < half; k++) {
                e[k] = 2 * k - 2 < cols ? src[2 * k - 2] : 0;
                o[k] = 0;
            }
        }
        for (int ty = 0; ty < tileRows; ty++) {
            const float *rowBase = scratch + (long)(2 * ty) * 2 * half;
            float *vOut = V + (long)c * T + (long)ty * stride;
            for (int tx = 0; tx < stride; tx += 8) {
                v8 t[6][6]; // B^T d, column by column
                for (int j = 0; j < 6; j++) {
                    v8 d[6];
                    for (int i = 0; i < 6; i++) d[i] = LOAD8(rowBase + (long)i * 2 * half + (j & 1) * half + tx + j / 2);
                    v8 o[6];
                    BT6(d[0], d[1], d[2], d[3], d[4], d[5], o);
                    for (int i = 0; i < 6; i++) t[i][j] = o[i];
                }
                for (int i = 0; i < 6; i++) {
                    v8 o[6];
                    BT6(t[i][0], t[i][1], t[i][2], t[i][3], t[i][4], t[i][5], o);
                    for (int j = 0; j < 6; j++) STORE8(vOut + (long)(i * 6 + j) * channels * T + tx, o[j]);
                }
            }
        }
    }
}

INLINE void output_transform(
    const float *M, int filters, int rows, int cols, int tileRow0, int tileRows, const float *bias, int relu, float *output) {
    const int stride = ck_winograd5_tile_stride(cols);
    const long T = (long)tileRows * stride;
    const long plane = (long)rows * cols;
    const v8 zero = SPLAT(0);
    for (int f = 0; f < filters; f++) {
        const v8 b = SPLAT(bias ? bias[f] : 0);
        for (int ty = 0; ty < tileRows; ty++) {
            const int y = 2 * (tileRow0 + ty);
            const float *m = M + (long)f * T + (long)ty * stride;
            for (int tx = 0; tx < stride && 2 * tx < cols; tx += 8) {
                v8 s[2][6]; // A^T m, column by column
                for (int j = 0; j < 6; j++) {
                    v8 d[6];
                    for (int i = 0; i < 6; i++) d[i] = LOAD8(m + (long)(i * 6 + j) * filters * T + tx);
                    s[0][j] = d[0] + d[1] + d[2] + d[3] + d[4];
                    s[1][j] = (d[1] - d[2]) + 2.0f * (d[3] - d[4]) + d[5];
                }
                for (int k = 0; k < 2 && y + k < rows; k++) {
                    v8 y0 = s[k][0] + s[k][1] + s[k][2] + s[k][3] + s[k][4] + b;
                    v8 y1 = (s[k][1] - s[k][2]) + 2.0f * (s[k][3] - s[k][4]) + s[k][5] + b;
                    if (relu) {
                        y0 = __builtin_elementwise_max(y0, zero);
                        y1 = __builtin_elementwise_max(y1, zero);
                    }
                    // Tile lane l covers output columns 2(tx + l) and 2(tx + l) + 1.
                    v8 lo = __builtin_shufflevector(y0, y1, 0, 8, 1, 9, 2, 10, 3, 11);
                    v8 hi = __builtin_shufflevector(y0, y1, 4, 12, 5, 13, 6, 14, 7, 15);
                    float *dst = output + f * plane + (long)(y + k) * cols + 2 * tx;
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

// Each kernel twice: for AVX2+FMA, and for the baseline instruction set.
#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void input_transform_avx2(
    const float *input, int channels, int rows, int cols, int tileRow0, int tileRows, float *V, float *scratch) {
    input_transform(input, channels, rows, cols, tileRow0, tileRows, V, scratch);
}

__attribute__((target("avx2,fma"))) static void output_transform_avx2(
    const float *M, int filters, int rows, int cols, int tileRow0, int tileRows, const float *bias, int relu, float *output) {
    output_transform(M, filters, rows, cols, tileRow0, tileRows, bias, relu, output);
}
#endif

void ck_winograd5_input_transform(
    const float *input, int channels, int rows, int cols, int tileRow0, int tileRows, float *V, float *scratch) {
#if defined(__x86_64__)
    if (ck_kernel_level() >= 1) {
        input_transform_avx2(input, channels, rows, cols, tileRow0, tileRows, V, scratch);
        return;
    }
#endif
    input_transform(input, channels, rows, cols, tileRow0, tileRows, V, scratch);
}

void ck_winograd5_output_transform(
    const float *M, int filters, int rows, int cols, int tileRow0, int tileRows, const float *bias, int relu, float *output) {
#if defined(__x86_64__)
    if (ck_kernel_level() >= 1) {
        output_transform_avx2(M, filters, rows, cols, tileRow0, tileRows, bias, relu, output);
        return;
    }
#endif
    output_transform(M, filters, rows, cols, tileRow0, tileRows, bias, relu, output);
}
