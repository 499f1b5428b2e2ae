// ImageKit's Lanczos passes (see CKernels.h): vertical then horizontal, a group of VW output rows
// at a time, one vector lane per row. No multiply-add is fused, so every build (and the plain
// per-sample loop the tests keep) rounds exactly alike.
#include "CKernels.h"

#include <limits.h>
#include <string.h>

#pragma clang fp contract(off)

#define LOADV(p) (__extension__({ VEC v_; memcpy(&v_, (p), sizeof v_); v_; }))
#define STOREV(p, v) (__extension__({ VEC v_ = (v); memcpy((p), &v_, sizeof v_); }))
#define MAXV(a, b) __builtin_elementwise_max((a), (b))
#define MINV(a, b) __builtin_elementwise_min((a), (b))
/// Stores the low byte of each lane of an int vector (values 0...255) as VW bytes.
#define STOREB(p, v) (__extension__({ VBYTE b_ = __builtin_convertvector((v), VBYTE); memcpy((p), &b_, sizeof b_); }))

/// Rows a group is processed in by the widest build; narrower builds' groups nest inside them.
enum { MAX_GROUP = 16 };

/// The input rows [lo, hi) output rows [y0, y0 + rows) read.
static void group_span(const ck_lanczos_axis *v, int y0, int rows, int *lo, int *hi) {
    int l = INT_MAX, u = 0;
    for (int y = y0; y < y0 + rows; y++) {
        const int s = v->starts[y];
        const int n = v->taps < v->inHi - s ? v->taps : v->inHi - s;
        if (s < l) l = s;
        if (s + n > u) u = s + n;
    }
    *lo = l;
    *hi = u;
}

/// Input rows the ring holds: the most any group of MAX_GROUP output rows of [row0, row1) reads.
static int ring_rows(const ck_lanczos_axis *v, int row0, int row1) {
    int most = 1;
    for (int y0 = row0; y0 < row1; y0 += MAX_GROUP) {
        int lo, hi;
        group_span(v, y0, row1 - y0 < MAX_GROUP ? row1 - y0 : MAX_GROUP, &lo, &hi);
        if (hi - lo > most) most = hi - lo;
    }
    return most;
}

size_t ck_lanczos_scratch_floats(const ck_lanczos_axis *h, const ck_lanczos_axis *v, int channels, int row0, int row1) {
    const size_t rowLen = (size_t)(h->inHi - h->inLo) * channels;
    return rowLen * ((size_t)ring_rows(v, row0, row1) + MAX_GROUP);
}

typedef float v8 __attribute__((vector_size(32)));
typedef int i8 __attribute__((vector_size(32)));
typedef uint8_t b8 __attribute__((vector_size(8)));
#define VEC v8
#define VINT i8
#define VBYTE b8
#define VW 8
#define SPLATV(x) ((v8){(x), (x), (x), (x), (x), (x), (x), (x)})
#define NAME lanczos_baseline
#define TARGET
#include "LanczosBody.h"
#undef NAME
#undef TARGET

#if defined(__x86_64__)
#define NAME lanczos_avx2
#define TARGET __attribute__((target("avx2")))
#include "LanczosBody.h"
#undef NAME
#undef TARGET
#undef VEC
#undef VINT
#undef VBYTE
#undef VW
#undef SPLATV

typedef float v16 __attribute__((vector_size(64)));
typedef int i16 __attribute__((vector_size(64)));
typedef uint8_t b16 __attribute__((vector_size(16)));
#define VEC v16
#define VINT i16
#define VBYTE b16
#define VW 16
#define SPLATV(x) ((v16){(x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x), (x)})
#define NAME lanczos_avx512
#define TARGET __attribute__((target("avx512f,avx2")))
#include "LanczosBody.h"
#endif

void ck_lanczos_rows(
    const uint8_t *src, int srcWidth, int channels, const ck_lanczos_axis *h, const ck_lanczos_axis *v, int row0, int row1,
    uint8_t *out, float *scratch, int level) {
    const int have = ck_cpu_kernel_level(); // not a test's limit: the caller names its build
    if (level > have) level = have;
#if defined(__x86_64__)
    switch (level) {
    case 2: lanczos_avx512(src, srcWidth, channels, h, v, row0, row1, out, scratch); return;
    case 1: lanczos_avx2(src, srcWidth, channels, h, v, row0, row1, out, scratch); return;
    default: break;
    }
#endif
    lanczos_baseline(src, srcWidth, channels, h, v, row0, row1, out, scratch);
}
