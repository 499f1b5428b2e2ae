// Shim for OpenBLAS's CBLAS interface (Debian: libopenblas-dev).
#pragma once
#include <cblas.h>
// OpenBLAS extensions used to pin the thread count.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
// OpenBLAS DYNAMIC_ARCH kernel (re)selection, exported by Debian's libopenblas0-pthread.
// FaceKit uses them when OpenBLAS's CPU detection falls back to a pre-AVX kernel.
void gotoblas_dynamic_init(void);
void gotoblas_dynamic_quit(void);
