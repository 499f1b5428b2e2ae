// Shim for OpenBLAS (Debian: libopenblas0). FaceKit loads libopenblas.so.0 with dlopen the
// first time it builds a network (see FaceKit's BLASKernels), so nothing is linked at build
// time and cblas.h is not needed: these are the few values of its interface FaceKit passes.
#pragma once
#include <dlfcn.h>

/// `enum CBLAS_ORDER` / `enum CBLAS_TRANSPOSE` values from cblas.h (passed as C ints).
enum { ImagiconCblasRowMajor = 101, ImagiconCblasNoTrans = 111 };
