/*
 * runtime_bench.c: costs of the runtime's primitives, built and run by
 * benchmarks/runtime.py. Prints "name nanoseconds-per-operation" lines; each number is the
 * best of several repetitions (the least disturbed one).
 */
#define _POSIX_C_SOURCE 200809L
#include "torsh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPEATS 7
#define MIB (1 << 20)

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Keeps the compiler from dropping a loop whose result is unused. */
static volatile uintptr_t sink;

static void empty_kernel(void *const *buffers, const int64_t *sizes, int64_t start, int64_t end) {
    (void)buffers, (void)sizes, (void)start, (void)end;
}

#define MEASURE(name, iterations, body)                           \
    do {                                                          \
        double best_ = 1e300;                                     \
        for (int r_ = 0; r_ < REPEATS; r_++) {                    \
            double t0_ = now_ns();                                \
            for (long i_ = 0; i_ < (iterations); i_++) { body; }  \
            double per_ = (now_ns() - t0_) / (double)(iterations); \
            if (per_ < best_) best_ = per_;                       \
        }                                                         \
        printf("%s %.1f\n", name, best_);                         \
    } while (0)

int main(int argc, char **argv) {
    long scale = argc > 1 ? strtol(argv[1], NULL, 10) : 1;
    if (scale < 1) scale = 1;
    if (torsh_init() != TORSH_OK) return 1;

    int64_t shape[] = {16};
    torsh_tensor_t *t = torsh_tensor_zeros(shape, 1, TORSH_F32);
    MEASURE("retain_release", 200000 * scale, {
        torsh_tensor_retain(t);
        torsh_tensor_release(t);
    });
    MEASURE("tensor_create_release_64B", 20000 * scale, {
        torsh_tensor_t *x = torsh_tensor_empty(shape, 1, TORSH_F32);
        sink = (uintptr_t)x;
        torsh_tensor_release(x);
    });
    torsh_tensor_release(t);

    enum { POOL_TENSORS = 10000 };
    torsh_memory_pool_t *pool = torsh_memory_pool_new((size_t)POOL_TENSORS * 64);
    MEASURE("pool_alloc_64B", POOL_TENSORS, {
        if (i_ == 0) torsh_memory_pool_reset(pool);
        sink = (uintptr_t)torsh_tensor_from_pool(pool, shape, 1, TORSH_F32);
    });
    torsh_memory_pool_free(pool);

    /* Touch one byte so the allocation cannot be elided; no page faults for the rest. */
    MEASURE("torsh_malloc_free_1MiB", 20000 * scale, {
        char *p = torsh_malloc(MIB);
        p[0] = 1;
        sink = (uintptr_t)p;
        torsh_free(p);
    });
    MEASURE("libc_malloc_free_1MiB", 20000 * scale, {
        char *p = malloc(MIB);
        p[0] = 1;
        sink = (uintptr_t)p;
        free(p);
    });

    void *buffers[] = {NULL};
    int64_t sizes[] = {0};
    for (int threads = 1; threads <= 2; threads++) {
        char name[64];
        torsh_set_num_threads(threads);
        torsh_launch(empty_kernel, buffers, sizes, 1024, 1); /* start the workers */
        snprintf(name, sizeof name, "launch_empty_%dthread", threads);
        MEASURE(name, 20000 * scale, torsh_launch(empty_kernel, buffers, sizes, 1024, 1));
    }

    /* A plan of 10 launches: the replay cost per launch. */
    torsh_set_num_threads(2);
    torsh_plan_t *plan = torsh_plan_new(1);
    int scratch;
    torsh_plan_add_scratch(plan, 4096, &scratch);
    for (int l = 0; l < 10; l++)
        torsh_plan_add_launch(plan, empty_kernel, (int[]){0, scratch}, 2, sizes, 1, 1024, 1);
    void *slots[] = {buffers};
    MEASURE("plan_run_10_launches_2thread", 2000 * scale, torsh_plan_run(plan, slots));
    torsh_plan_free(plan);
    torsh_set_num_threads(0);
    torsh_cleanup();
    return 0;
}
