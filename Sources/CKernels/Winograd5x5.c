// Winograd F(4x4, 5x5), see CKernels.h: the Toom-Cook construction on the points 0, 1, -1, 2, -2,
// 1/2, -1/2 and infinity (the points of the common F(6x6, 3x3)),
//
//   B^T = [ -1  0    21/4  0     -21/4  0     1  0 ]   A^T = [ 1  1  1  1  1  1    1    0 ]
//         [  0  1    1    -17/4  -17/4  1     1  0 ]         [ 0  1 -1  2 -2  1/2 -1/2  0 ]
//         [  0 -1    1     17/4  -17/4 -1     1  0 ]         [ 0  1  1  4  4  1/4  1/4  0 ]
//         [  0  1/2  1/4  -5/2   -5/4   2     1  0 ]         [ 0  1 -1  8 -8  1/8 -1/8  1 ]
//         [  0 -1/2  1/4   5/2   -5/4  -2     1  0 ]
//         [  0  2    4    -5/2   -5    1/2    1  0 ]   G[j][k] = a_j^k / prod_{l != j} (a_j - a_l),
//         [  0 -2    4     5/2   -5   -1/2    1  0 ]   G[7] = [0 0 0 0 1]
//         [  0 -1    0     21/4   0    -21/4  0  1 ]
//
// so that the 4x4 outputs of a tile are A^T [(G g G^T) . (B^T d B)] A for its 8x8 input patch d
// (64 multiplications per channel pair for 16 outputs, against 36 for 4 with F(2x2, 5x5)). Tiles
// are processed eight at a time, one per vector lane; each input row is first split into its
// columns mod 4, after which every patch element of eight neighbouring tiles is one contiguous load.
#include "CKernels.h"

#include "VectorMacros.h"

int ck_winograd5_tile_stride(int cols) { return ((cols + 3) / 4 + 7) & ~7; }

/// Length of one column phase of a split row: tx + j/4 + 8 lanes stays inside it.
static int phase_length(int cols) { return ck_winograd5_tile_stride(cols) + 16; }

int ck_winograd5_scratch_floats(int cols, int tileRows) { return (4 * tileRows + 4) * 4 * phase_length(cols); }

void ck_winograd5_filter_transform(const float *weights, int filters, int channels, float *U) {
    static const double a[7] = {0, 1, -1, 2, -2, 0.5, -0.5};
    double G[8][5];
    for (int j = 0; j < 7; j++) {
        double n = 1;
        for (int l = 0; l < 7; l++)
            if (l != j) n *= a[j] - a[l];
        double p = 1;
        for (int k = 0; k < 5; k++, p *= a[j]) G[j][k] = p / n;
    }
    for (int k = 0; k < 5; k++) G[7][k] = k == 4;
    const long fc = (long)filters * channels;
    for (long k = 0; k < fc; k++) {
        const float *g = weights + k * 25;
        double t[8][5]; // G g
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 5; j++) {
                double s = 0;
                for (int b = 0; b < 5; b++) s += G[i][b] * g[b * 5 + j];
                t[i][j] = s;
            }
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 8; j++) {
                double s = 0;
                for (int b = 0; b < 5; b++) s += t[i][b] * G[j][b];
                U[(i * 8 + j) * fc + k] = (float)s; // k = f * channels + c: U[p] is F x C row-major
            }
    }
}

/// B^T applied to eight values (one column or row of a patch).
#define BT8(d, o)                                                                                                        \
    do {                                                                                                                 \
        const v8 p15_ = d[1] + d[5] - 4.25f * d[3], p26_ = d[2] + d[6] - 4.25f * d[4];                                   \
        const v8 q135_ = 0.5f * d[1] - 2.5f * d[3] + 2.0f * d[5], q246_ = 0.25f * d[2] - 1.25f * d[4] + d[6];            \
        const v8 r135_ = 2.0f * d[1] - 2.5f * d[3] + 0.5f * d[5], r246_ = 4.0f * d[2] - 5.0f * d[4] + d[6];              \
        o[0] = (d[6] - d[0]) + 5.25f * (d[2] - d[4]);                                                                    \
        o[1] = p26_ + p15_;                                                                                              \
        o[2] = p26_ - p15_;                                                                                              \
        o[3] = q246_ + q135_;                                                                                            \
        o[4] = q246_ - q135_;                                                                                            \
        o[5] = r246_ + r135_;                                                                                            \
        o[6] = r246_ - r135_;                                                                                            \
        o[7] = (d[7] - d[1]) + 5.25f * (d[3] - d[5]);                                                                    \
    } while (0)

/// A^T applied to eight values.
#define AT8(m, y)                                                                                                        \
    do {                                                                                                                 \
        const v8 a12_ = m[1] + m[2], s12_ = m[1] - m[2], a34_ = m[3] + m[4], s34_ = m[3] - m[4];                         \
        const v8 a56_ = m[5] + m[6], s56_ = m[5] - m[6];                                                                 \
        y[0] = m[0] + a12_ + a34_ + a56_;                                                                                \
        y[1] = s12_ + 2.0f * s34_ + 0.5f * s56_;                                                                         \
        y[2] = a12_ + 4.0f * a34_ + 0.25f * a56_;                                                                        \
        y[3] = s12_ + 8.0f * s34_ + 0.125f * s56_ + m[7];                                                                \
    } while (0)

INLINE void input_transform(
    const float *input, int channels, int rows, int cols, int tileRow0, int tileRows, float *V, float *scratch) {
    const int stride = ck_winograd5_tile_stride(cols);
    const int plen = phase_length(cols);
    const long T = (long)tileRows * stride;
    const int splitRows = 4 * tileRows + 4;
    const int firstRow = 4 * tileRow0 - 2; // input row of split row 0
    for (int c = 0; c < channels; c++) {
        const float *plane = input + (long)c * rows * cols;
        // Split row r, phase q: P[k] = in[4k + q - 2], zero outside the image.
        for (int r = 0; r < splitRows; r++) {
            float *row = scratch + (long)r * 4 * plen;
            const int y = firstRow + r;
            if (y < 0 || y >= rows) {
                memset(row, 0, sizeof(float) * 4 * plen);
                continue;
            }
            const float *src = plane + (long)y * cols;
            for (int q = 0; q < 4; q++) {
                float *dst = row + q * plen;
                dst[0] = q >= 2 && q - 2 < cols ? src[q - 2] : 0;
                int k = 1;
                for (; 4 * k + q - 2 < cols && k < plen; k++) dst[k] = src[4 * k + q - 2];
                for (; k < plen; k++) dst[k] = 0;
            }
        }
        for (int ty = 0; ty < tileRows; ty++) {
            const float *rowBase = scratch + (long)(4 * ty) * 4 * plen;
            float *vOut = V + (long)c * T + (long)ty * stride;
            for (int tx = 0; tx < stride; tx += 8) {
                v8 t[8][8]; // B^T d, column by column
                for (int j = 0; j < 8; j++) {
                    v8 d[8];
                    for (int i = 0; i < 8; i++) d[i] = LOAD8(rowBase + (long)i * 4 * plen + (j & 3) * plen + tx + (j >> 2));
                    v8 o[8];
                    BT8(d, o);
                    for (int i = 0; i < 8; i++) t[i][j] = o[i];
                }
                for (int i = 0; i < 8; i++) {
                    v8 o[8];
                    BT8(t[i], o);
                    for (int j = 0; j < 8; j++) STORE8(vOut + (long)(i * 8 + j) * channels * T + tx, o[j]);
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
            const int y = 4 * (tileRow0 + ty);
            const float *m = M + (long)f * T + (long)ty * stride;
            for (int tx = 0; tx < stride && 4 * tx < cols; tx += 8) {
                v8 s[4][8]; // A^T m, column by column
                for (int j = 0; j < 8; j++) {
                    v8 d[8];
                    for (int i = 0; i < 8; i++) d[i] = LOAD8(m + (long)(i * 8 + j) * filters * T + tx);
                    v8 o[4];
                    AT8(d, o);
                    for (int k = 0; k < 4; k++) s[k][j] = o[k];
                }
                for (int k = 0; k < 4 && y + k < rows; k++) {
                    v8 o[4];
                    AT8(s[k], o);
                    for (int i = 0; i < 4; i++) {
                        o[i] += b;
                        if (relu) o[i] = __builtin_elementwise_max(o[i], zero);
                    }
                    // Tile lane l covers output columns 4(tx + l) .. 4(tx + l) + 3.
                    const v8 lo01 = __builtin_shufflevector(o[0], o[1], 0, 8, 1, 9, 2, 10, 3, 11);
                    const v8 hi01 = __builtin_shufflevector(o[0], o[1], 4, 12, 5, 13, 6, 14, 7, 15);
                    const v8 lo23 = __builtin_shufflevector(o[2], o[3], 0, 8, 1, 9, 2, 10, 3, 11);
                    const v8 hi23 = __builtin_shufflevector(o[2], o[3], 4, 12, 5, 13, 6, 14, 7, 15);
                    const v8 out[4] = {
                        __builtin_shufflevector(lo01, lo23, 0, 1, 8, 9, 2, 3, 10, 11),
                        __builtin_shufflevector(lo01, lo23, 4, 5, 12, 13, 6, 7, 14, 15),
                        __builtin_shufflevector(hi01, hi23, 0, 1, 8, 9, 2, 3, 10, 11),
                        __builtin_shufflevector(hi01, hi23, 4, 5, 12, 13, 6, 7, 14, 15),
                    };
                    float *dst = output + f * plane + (long)(y + k) * cols + 4 * tx;
                    const int valid = cols - 4 * tx;
                    if (valid >= 32) {
                        for (int i = 0; i < 4; i++) STORE8(dst + 8 * i, out[i]);
                    } else {
                        float tmp[32];
                        for (int i = 0; i < 4; i++) STORE8(tmp + 8 * i, out[i]);
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
