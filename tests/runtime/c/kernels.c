/*
 * kernels.c: kernels with the torsh kernel ABI, built into a small shared library that
 * the Python tests and the benchmark load with ctypes and hand to torsh_launch / plans.
 */
#define _POSIX_C_SOURCE 200809L
#include "torsh.h"

#include <stdatomic.h>
#include <time.h>

/* buffers: out (float64[range]); sizes: {a, b}: out[i] = a * i + b */
void kernel_affine(void *const *buffers, const int64_t *sizes, int64_t start, int64_t end) {
    double *out = buffers[0];
    for (int64_t i = start; i < end; i++) out[i] = (double)(sizes[0] * i + sizes[1]);
}

/* buffers: x, y (float32[range]); sizes: {scale}: y[i] = x[i] * scale */
void kernel_scale(void *const *buffers, const int64_t *sizes, int64_t start, int64_t end) {
    const float *x = buffers[0];
    float *y = buffers[1];
    for (int64_t i = start; i < end; i++) y[i] = x[i] * (float)sizes[0];
}

/* buffers: a, b, out (float32[range]): out[i] = a[i] + b[i] */
void kernel_add(void *const *buffers, const int64_t *sizes, int64_t start, int64_t end) {
    (void)sizes;
    const float *a = buffers[0], *b = buffers[1];
    float *out = buffers[2];
    for (int64_t i = start; i < end; i++) out[i] = a[i] + b[i];
}

/* buffers: calls (int64[1]): counts its invocations; records nothing else. */
void kernel_count_calls(void *const *buffers, const int64_t *sizes, int64_t start, int64_t end) {
    (void)sizes, (void)start, (void)end;
    atomic_fetch_add((_Atomic int64_t *)buffers[0], 1);
}

/* Does nothing: the benchmark's launch overhead. */
void kernel_empty(void *const *buffers, const int64_t *sizes, int64_t start, int64_t end) {
    (void)buffers, (void)sizes, (void)start, (void)end;
}

/* buffers: flag, seen (int32[1] each); sizes: {timeout_ms}. Waits until another thread
 * sets *flag, then sets *seen = 1; gives up after the timeout (seen stays 0). A Python
 * thread can only set the flag if the launch released the GIL. */
void kernel_wait_for_flag(void *const *buffers, const int64_t *sizes, int64_t start, int64_t end) {
    (void)start, (void)end;
    _Atomic int32_t *flag = buffers[0];
    int32_t *seen = buffers[1];
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (atomic_load(flag)) {
            *seen = 1;
            return;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (ms > sizes[0]) return;
    }
}
