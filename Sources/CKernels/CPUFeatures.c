// Which build of the kernels this CPU runs (see CKernels.h).
#include "CKernels.h"

#include <pthread.h>
#include <stdlib.h>

static int level_limit = 2; // lowered by tests through ck_acquire_kernel_level_limit
static pthread_mutex_t limit_holder = PTHREAD_MUTEX_INITIALIZER;

static int has_avx2_fma(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

void ck_acquire_kernel_level_limit(int level) {
    pthread_mutex_lock(&limit_holder);
    __atomic_store_n(&level_limit, level < 0 ? 0 : level, __ATOMIC_RELAXED);
}

void ck_release_kernel_level_limit(void) {
    __atomic_store_n(&level_limit, 2, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&limit_holder);
}

int ck_kernel_level(void) {
    const int level = ck_cpu_kernel_level();
    const int limit = __atomic_load_n(&level_limit, __ATOMIC_RELAXED);
    return level < limit ? level : limit;
}

int ck_cpu_kernel_level(void) {
    static int cached = -1; // every thread computes the same value
    int level = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (level < 0) {
        level = 0;
#if defined(__x86_64__)
        if (has_avx2_fma()) level = __builtin_cpu_supports("avx512f") ? 2 : 1;
#endif
        // FACEKIT_KERNEL_LEVEL=0 or 1 caps the build (measuring an AVX2-only host on an AVX-512 one).
        const char *cap = getenv("FACEKIT_KERNEL_LEVEL");
        if (cap && cap[0] >= '0' && cap[0] <= '2' && cap[1] == 0 && cap[0] - '0' < level) level = cap[0] - '0';
        __atomic_store_n(&cached, level, __ATOMIC_RELAXED);
    }
    return level;
}
