// The eight-float vector and its load/store/splat helpers shared by the Winograd kernels
// (Winograd3x3.c, Winograd5x5.c, WinogradStrided.c). Private to CKernels: not in include/.
#pragma once

#include <string.h>

typedef float v8 __attribute__((vector_size(32)));

#define INLINE static inline __attribute__((always_inline))

// Macros rather than functions: a function taking or returning a 32-byte vector has a different
// ABI with and without AVX, and these are used by both builds of each kernel.
#define LOAD8(p) (__extension__({ v8 v_; memcpy(&v_, (p), sizeof v_); v_; }))
#define STORE8(p, v) (__extension__({ v8 v_ = (v); memcpy((p), &v_, sizeof v_); }))
#define SPLAT(x) ((v8){(x), (x), (x), (x), (x), (x), (x), (x)})
