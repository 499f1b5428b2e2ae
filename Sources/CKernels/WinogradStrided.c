// Winograd F(4x4, 3x3) for stride-2 5x5 convolutions without padding (the detector's `con5d`
// layers), see CKernels.h. A stride-2 5x5 convolution is a stride-1 3x3 one over the input's four
// phase images (row parity py, column parity px: X[c,py,px][y][x] = in[c][2y + py][2x + px]), with
// the 5x5 filter split into four 3x3 ones (w'[a][b] = w[2a + py][2b + px], zero past the filter).
// Each 4x4 block of outputs ("tile") is then computed from a 6x6 patch of every phase image with
// 36 multiplications per filter and phase channel: 144 per input channel and 16 outputs, against
// 25 per output directly (2.8x fewer). The matrices come from the Toom-Cook construction on the
// points 0, 1, -1, 2, -2 and infinity (B^T scaled to integers, the scale moved into G):
//
//   B^T = [ 4  0 -5  0  1  0 ]   G = [ 1/4    0     0   ]   A^T = [ 1  1  1  1  1  0 ]
//         [ 0  4  4 -1 -1  0 ]       [ 1/6   1/6   1/6  ]         [ 0  1 -1  2 -2  0 ]
//         [ 0 -4  4  1 -1  0 ]       [ 1/6  -1/6   1/6  ]         [ 0  1  1  4  4  0 ]
//         [ 0 -2 -1  2  1  0 ]       [ 1/24  1/12  1/6  ]         [ 0  1 -1  8 -8  1 ]
//         [ 0  2 -1 -2  1  0 ]       [ 1/24 -1/12  1/6  ]
//         [ 0  4  0 -5  0  1 ]       [ 0     0     1    ]
//
// Tiles are processed eight at a time, one per vector lane. Patch element (i, j) of phase (py, px)
// of tile t is in[8 ty + 2i + py][8 t + 2j + px]: each input row is first split into its eight
// column phases mod 8, after which it is one contiguous load for eight neighbouring tiles.
#include "CKernels.h"

#include "VectorMacros.h"

int ck_winograd5s2_tile_stride(int outCols) { return ((outCols + 3) / 4 + 7) & ~7; }

/// Length of one column phase of a split row: tile t + 1 + 8 lanes stays inside it.
static int phase_length(int outCols) { return ck_winograd5s2_tile_stride(outCols) + 16; }

int ck_winograd5s2_scratch_floats(int channels, int outCols, int tileRows) {
    return channels * (8 * tileRows + 4) * 8 * phase_length(outCols);
}

void ck_winograd5s2_filter_transform(const float *weights, int filters, int channels, float *U) {
    static const double G[6][3] = {
        {1.0 / 4, 0, 0},
        {1.0 / 6, 1.0 / 6, 1.0 / 6},
        {1.0 / 6, -1.0 / 6, 1.0 / 6},
        {1.0 / 24, 1.0 / 12, 1.0 / 6},
        {1.0 / 24, -1.0 / 12, 1.0 / 6},
        {0, 0, 1},
    };
    const int K = 4 * channels;
    const long fk = (long)filters * K;
    for (int f = 0; f < filters; f++)
        for (int c = 0; c < channels; c++)
            for (int ph = 0; ph < 4; ph++) {
                const int py = ph >> 1, px = ph & 1;
                const float *w = weights + ((long)f * channels + c) * 25;
                double g[3][3];
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++) {
                        const int ky = 2 * a + py, kx = 2 * b + px;
                        g[a][b] = ky < 5 && kx < 5 ? w[ky * 5 + kx] : 0;
                    }
                double t[6][3]; // G g
                for (int i = 0; i < 6; i++)
                    for (int b = 0; b < 3; b++) t[i][b] = G[i][0] * g[0][b] + G[i][1] * g[1][b] + G[i][2] * g[2][b];
                for (int i = 0; i < 6; i++)
                    for (int j = 0; j < 6; j++)
                        U[(i * 6 + j) * fk + (long)f * K + 4 * c + ph] =
                            (float)(t[i][0] * G[j][0] + t[i][1] * G[j][1] + t[i][2] * G[j][2]);
            }
}

/// B^T applied to six values (one column or row of a patch).
#define BT6(d0, d1, d2, d3, d4, d5, o)                                                                                   \
    do {                                                                                                                 \
        o[0] = 4.0f * d0 - 5.0f * d2 + d4;                                                                               \
        o[1] = 4.0f * (d1 + d2) - (d3 + d4);                                                                             \
        o[2] = 4.0f * (d2 - d1) + (d3 - d4);                                                                             \
        o[3] = 2.0f * (d3 - d1) + (d4 - d2);                                                                             \
        o[4] = 2.0f * (d1 - d3) + (d4 - d2);                                                                             \
        o[5] = 4.0f * d1 - 5.0f * d3 + d5;                                                                               \
    } while (0)

/// 8x8 transpose: vector k of `r` holds in[8k .. 8k + 7]; vector q of the result holds phase q.
#define TRANSPOSE8(r)                                                                                                    \
    do {                                                                                                                 \
        v8 t_[8], u_[8];                                                                                                 \
        for (int i_ = 0; i_ < 8; i_ += 2) {                                                                              \
            t_[i_] = __builtin_shufflevector(r[i_], r[i_ + 1], 0, 8, 1, 9, 4, 12, 5, 13);                                \
            t_[i_ + 1] = __builtin_shufflevector(r[i_], r[i_ + 1], 2, 10, 3, 11, 6, 14, 7, 15);                          \
        }                                                                                                                \
        for (int h_ = 0; h_ < 8; h_ += 4) {                                                                              \
            u_[h_] = __builtin_shufflevector(t_[h_], t_[h_ + 2], 0, 1, 8, 9, 4, 5, 12, 13);                              \
            u_[h_ + 1] = __builtin_shufflevector(t_[h_], t_[h_ + 2], 2, 3, 10, 11, 6, 7, 14, 15);                        \
            u_[h_ + 2] = __builtin_shufflevector(t_[h_ + 1], t_[h_ + 3], 0, 1, 8, 9, 4, 5, 12, 13);                      \
            u_[h_ + 3] = __builtin_shufflevector(t_[h_ + 1], t_[h_ + 3], 2, 3, 10, 11, 6, 7, 14, 15);                     \
        }                                                                                                                \
        for (int q_ = 0; q_ < 4; q_++) {                                                                                 \
            r[q_] = __builtin_shufflevector(u_[q_], u_[q_ + 4], 0, 1, 2, 3, 8, 9, 10, 11);                               \
            r[q_ + 4] = __builtin_shufflevector(u_[q_], u_[q_ + 4], 4, 5, 6, 7, 12, 13, 14, 15);                         \
        }                                                                                                                \
    } while (0)

INLINE void split(const float *input, int channels, int planeRows, int cols, int validRows, int outCols, int tileRows, float *scratch) {
    const int plen = phase_length(outCols);
    const int splitRows = 8 * tileRows + 4;
    for (int c = 0; c < channels; c++) {
        const float *plane = input + (long)c * planeRows * cols;
        // Split row r, phase q: P[k] = in[r][8k + q], zero past the valid rows and columns.
        for (int r = 0; r < splitRows; r++) {
            float *row = scratch + ((long)c * splitRows + r) * 8 * plen;
            if (r >= validRows) {
                memset(row, 0, sizeof(float) * 8 * plen);
                continue;
            }
            const float *src = plane + (long)r * cols;
            const int whole = cols / 8 < plen - 1 ? cols / 8 : plen - 1;
            int k = 0;
            for (; k + 8 <= whole; k += 8) {
                v8 v[8];
                for (int i = 0; i < 8; i++) v[i] = LOAD8(src + 8 * (k + i));
                TRANSPOSE8(v);
                for (int q = 0; q < 8; q++) STORE8(row + q * plen + k, v[q]);
            }
            for (; k < whole; k++)
                for (int q = 0; q < 8; q++) row[q * plen + k] = src[8 * k + q];
            for (int q = 0; q < 8; q++) {
                row[q * plen + whole] = 8 * whole + q < cols ? src[8 * whole + q] : 0;
                memset(row + q * plen + whole + 1, 0, sizeof(float) * (plen - whole - 1));
            }
        }
    }
}

INLINE void input_transform(const float *scratch, int channels, int outCols, int tileRows, int tx0, int tiles, float *V) {
    const int plen = phase_length(outCols);
    const long T = (long)tileRows * tiles;
    const int splitRows = 8 * tileRows + 4;
    const int K = 4 * channels;
    for (int c = 0; c < channels; c++)
        for (int ty = 0; ty < tileRows; ty++)
            for (int ph = 0; ph < 4; ph++) {
                const int py = ph >> 1, px = ph & 1;
                const float *base = scratch + ((long)c * splitRows + 8 * ty + py) * 8 * plen + tx0;
                float *vOut = V + (long)(4 * c + ph) * T + (long)ty * tiles;
                for (int tx = 0; tx < tiles; tx += 8) {
                    v8 t[6][6]; // B^T d, column by column
                    for (int j = 0; j < 6; j++) {
                        const int s = 2 * j + px;
                        const float *col = base + (s & 7) * plen + tx + (s >> 3);
                        v8 d[6];
                        for (int i = 0; i < 6; i++) d[i] = LOAD8(col + (long)i * 16 * plen);
                        v8 o[6];
                        BT6(d[0], d[1], d[2], d[3], d[4], d[5], o);
                        for (int i = 0; i < 6; i++) t[i][j] = o[i];
                    }
                    for (int i = 0; i < 6; i++) {
                        v8 o[6];
                        BT6(t[i][0], t[i][1], t[i][2], t[i][3], t[i][4], t[i][5], o);
                        for (int j = 0; j < 6; j++) STORE8(vOut + (long)(i * 6 + j) * K * T + tx, o[j]);
                    }
                }
            }
}

INLINE void output_transform(const float *M, int filters, int tileRows, int tx0, int tiles, int outCols, int validRows, int outPlaneRows,
    const float *bias, int relu, float *output) {
    const long T = (long)tileRows * tiles;
    const long plane = (long)outPlaneRows * outCols;
    const v8 zero = SPLAT(0);
    for (int f = 0; f < filters; f++) {
        const v8 b = SPLAT(bias ? bias[f] : 0);
        for (int ty = 0; ty < tileRows; ty++) {
            const int y = 4 * ty;
            const float *m = M + (long)f * T + (long)ty * tiles;
            for (int tx = 0; tx < tiles && 4 * (tx0 + tx) < outCols; tx += 8) {
                v8 s[4][6]; // A^T m, column by column
                for (int j = 0; j < 6; j++) {
                    v8 d[6];
                    for (int i = 0; i < 6; i++) d[i] = LOAD8(m + (long)(i * 6 + j) * filters * T + tx);
                    const v8 a12 = d[1] + d[2], s12 = d[1] - d[2], a34 = d[3] + d[4], s34 = d[3] - d[4];
                    s[0][j] = d[0] + a12 + a34;
                    s[1][j] = s12 + 2.0f * s34;
                    s[2][j] = a12 + 4.0f * a34;
                    s[3][j] = s12 + 8.0f * s34 + d[5];
                }
                for (int k = 0; k < 4 && y + k < validRows; k++) {
                    const v8 a12 = s[k][1] + s[k][2], s12 = s[k][1] - s[k][2], a34 = s[k][3] + s[k][4], s34 = s[k][3] - s[k][4];
                    v8 o[4] = {
                        s[k][0] + a12 + a34 + b,
                        s12 + 2.0f * s34 + b,
                        a12 + 4.0f * a34 + b,
                        s12 + 8.0f * s34 + s[k][5] + b,
                    };
                    if (relu)
                        for (int i = 0; i < 4; i++) o[i] = __builtin_elementwise_max(o[i], zero);
                    // Tile lane l covers output columns 4(tx + l) .. 4(tx + l) + 3.
                    const v8 lo01 = __builtin_shufflevector(o[0], o[1], 0, 8, 1, 9, 2, 10, 3, 11);
                    const v8 hi01 = __builtin_shufflevector(o[0], o[1], 4, 12, 5, 13, 6, 14, 7, 15);
                    const v8 lo23 = __builtin_shufflevector(o[2], o[3], 0, 8, 1, 9, 2, 10, 3, 11);
                    const v8 hi23 = __builtin_shufflevector(o[2], o[3], 4, 12, 5, 13, 6, 14, 7, 15);
                    v8 out[4] = {
                        __builtin_shufflevector(lo01, lo23, 0, 1, 8, 9, 2, 3, 10, 11),
                        __builtin_shufflevector(lo01, lo23, 4, 5, 12, 13, 6, 7, 14, 15),
                        __builtin_shufflevector(hi01, hi23, 0, 1, 8, 9, 2, 3, 10, 11),
                        __builtin_shufflevector(hi01, hi23, 4, 5, 12, 13, 6, 7, 14, 15),
                    };
                    float *dst = output + f * plane + (long)(y + k) * outCols + 4 * (tx0 + tx);
                    const int valid = outCols - 4 * (tx0 + tx);
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
__attribute__((target("avx2,fma"))) static void split_avx2(
    const float *input, int channels, int planeRows, int cols, int validRows, int outCols, int tileRows, float *scratch) {
    split(input, channels, planeRows, cols, validRows, outCols, tileRows, scratch);
}

__attribute__((target("avx2,fma"))) static void input_transform_avx2(
    const float *scratch, int channels, int outCols, int tileRows, int tx0, int tiles, float *V) {
    input_transform(scratch, channels, outCols, tileRows, tx0, tiles, V);
}

__attribute__((target("avx2,fma"))) static void output_transform_avx2(const float *M, int filters, int tileRows, int tx0, int tiles,
    int outCols, int validRows, int outPlaneRows, const float *bias, int relu, float *output) {
    output_transform(M, filters, tileRows, tx0, tiles, outCols, validRows, outPlaneRows, bias, relu, output);
}
#endif

void ck_winograd5s2_split(
    const float *input, int channels, int planeRows, int cols, int validRows, int outCols, int tileRows, float *scratch) {
#if defined(__x86_64__)
    if (ck_kernel_level() >= 1) {
        split_avx2(input, channels, planeRows, cols, validRows, outCols, tileRows, scratch);
        return;
    }
#endif
    split(input, channels, planeRows, cols, validRows, outCols, tileRows, scratch);
}

void ck_winograd5s2_input_transform(const float *scratch, int channels, int outCols, int tileRows, int tx0, int tiles, float *V) {
#if defined(__x86_64__)
    if (ck_kernel_level() >= 1) {
        input_transform_avx2(scratch, channels, outCols, tileRows, tx0, tiles, V);
        return;
    }
#endif
    input_transform(scratch, channels, outCols, tileRows, tx0, tiles, V);
}

void ck_winograd5s2_output_transform(const float *M, int filters, int tileRows, int tx0, int tiles, int outCols, int validRows,
    int outPlaneRows, const float *bias, int relu, float *output) {
#if defined(__x86_64__)
    if (ck_kernel_level() >= 1) {
        output_transform_avx2(M, filters, tileRows, tx0, tiles, outCols, validRows, outPlaneRows, bias, relu, output);
        return;
    }
#endif
    output_transform(M, filters, tileRows, tx0, tiles, outCols, validRows, outPlaneRows, bias, relu, output);
}
