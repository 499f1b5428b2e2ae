// One filter, stride 1 (the detector's last layer, 45 channels x 9 x 9 into one score map), see
// CKernels.h: a direct sum over a zero-padded copy of the input, 4 vectors of outputs at a time.
#include "CKernels.h"

#include <string.h>

int ck_single_filter_pitch(int outCols, int kernelCols) { return ((outCols + 63) & ~63) + kernelCols - 1; }

#define LOADV(p) (__extension__({ VEC v_; memcpy(&v_, (p), sizeof v_); v_; }))
#define STOREV(p, v) (__extension__({ VEC v_ = (v); memcpy((p), &v_, sizeof v_); }))
#define MAXV(a, b) __builtin_elementwise_max((a), (b))

typedef float v8 __attribute__((vector_size(32)));
#define VEC v8
#define VW 8
#define SPLATV(x) ((v8){(x), (x), (x), (x), (x), (x), (x), (x)})
#define NAME single_baseline
#define TARGET
#include "SingleFilterBody.h"
#undef NAME
#undef TARGET

#if defined(__x86_64__)
#define NAME single_avx2
#define TARGET __attribute__((target("avx2,fma")))
#include "SingleFilterBody.h"
#undef NAME
#undef TARGET
#undef VEC
#undef VW
#undef SPLATV

typedef float v16 __attribute__((vector_size(64)));
#define VEC v16
#define VW 16
#define SPLATV(x) ((v16){(x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x)})
#define NAME single_avx512
#define TARGET __attribute__((target("avx512f,avx2,fma")))
#include "SingleFilterBody.h"
#endif

void ck_single_filter(
    const float *padded, int channels, int paddedRows, int pitch, const float *weights, int kernelRows, int kernelCols, float bias,
    int relu, int row0, int row1, int outCols, float *output) {
#if defined(__x86_64__)
    switch (ck_kernel_level()) {
    case 2:
        single_avx512(padded, channels, paddedRows, pitch, weights, kernelRows, kernelCols, bias, relu, row0, row1, outCols, output);
        return;
    case 1:
        single_avx2(padded, channels, paddedRows, pitch, weights, kernelRows, kernelCols, bias, relu, row0, row1, outCols, output);
        return;
    default: break;
    }
#endif
    single_baseline(padded, channels, paddedRows, pitch, weights, kernelRows, kernelCols, bias, relu, row0, row1, outCols, output);
}
