// Direct convolution without padding (the detector's strided con5d layers), see CKernels.h.
// The input rows a call reads are split into column phases once, then for each output row every
// block of 4 filters x XB vectors of output columns is summed in registers over channels and taps,
// each tap one broadcast weight times XB contiguous input vectors. No im2col matrix, no packing
// of the input; bias and ReLU are applied as the block is stored.
#include "CKernels.h"

#include <string.h>

int ck_direct_pitch(int outCols, int kernelCols, int stride) {
    (void)stride;
    // A block starts before outCols and reads at most 64 columns, plus (kernelCols - 1) / stride for the taps.
    return outCols + 64 + kernelCols;
}

int ck_direct_scratch_floats(int channels, int outCols, int kernelRows, int kernelCols, int stride, int outRows) {
    const int splitRows = (outRows > 0 ? outRows - 1 : 0) * stride + kernelRows;
    return channels * splitRows * stride * ck_direct_pitch(outCols, kernelCols, stride);
}

int ck_direct_packed_floats(int filters, int channels, int kernelRows, int kernelCols) {
    return filters * channels * kernelRows * kernelCols;
}

void ck_direct_pack_weights(const float *weights, int filters, int channels, int kernelRows, int kernelCols, float *packed) {
    const int taps = channels * kernelRows * kernelCols;
    for (int f0 = 0; f0 < filters; f0 += 4)
        for (int t = 0; t < taps; t++)
            for (int i = 0; i < 4; i++) packed[(long)f0 * taps + t * 4 + i] = weights[(long)(f0 + i) * taps + t];
}

#define LOADV(p) (__extension__({ VEC v_; memcpy(&v_, (p), sizeof v_); v_; }))
#define STOREV(p, v) (__extension__({ VEC v_ = (v); memcpy((p), &v_, sizeof v_); }))
#define MAXV(a, b) __builtin_elementwise_max((a), (b))

typedef float v8 __attribute__((vector_size(32)));
#define SPLAT8(x) ((v8){(x), (x), (x), (x), (x), (x), (x), (x)})

// Baseline: 8-float vectors (two SSE registers each), 4 x 2 blocks.
#define VEC v8
#define VW 8
#define XB 2
#define SPLATV SPLAT8
#define NAME direct_baseline
#define TARGET
#include "DirectConvolutionBody.h"
#undef XB
#undef NAME
#undef TARGET

#if defined(__x86_64__)
// AVX2+FMA: 16 registers, 4 x 2 accumulators (4 x 3 leaves none free, and the spills halved the speed).
#define XB 2
#define NAME direct_avx2
#define TARGET __attribute__((target("avx2,fma")))
#include "DirectConvolutionBody.h"
#undef XB
#undef NAME
#undef TARGET
#undef VEC
#undef VW
#undef SPLATV

// AVX-512: 32 registers of 16 floats, 4 x 4 accumulators.
typedef float v16 __attribute__((vector_size(64)));
#define SPLAT16(x) ((v16){(x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x)})
#define VEC v16
#define VW 16
#define XB 4
#define SPLATV SPLAT16
#define NAME direct_avx512
#define TARGET __attribute__((target("avx512f,avx2,fma")))
#include "DirectConvolutionBody.h"
#endif

void ck_direct_convolution(
    const float *input, int channels, int rows, int cols, const float *packed, int filters, int kernelRows, int kernelCols,
    int stride, const float *bias, int relu, int row0, int row1, float *output, int outRows, int outCols, float *scratch) {
#if defined(__x86_64__)
    switch (ck_kernel_level()) {
    case 2:
        direct_avx512(input, channels, rows, cols, packed, filters, kernelRows, kernelCols, stride, bias, relu, row0, row1, output,
            outRows, outCols, scratch);
        return;
    case 1:
        direct_avx2(input, channels, rows, cols, packed, filters, kernelRows, kernelCols, stride, bias, relu, row0, row1, output,
            outRows, outCols, scratch);
        return;
    default: break;
    }
#endif
    direct_baseline(input, channels, rows, cols, packed, filters, kernelRows, kernelCols, stride, bias, relu, row0, row1, output,
        outRows, outCols, scratch);
}
