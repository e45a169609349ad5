/*
 * capi_bench.c: the C tensor API's costs, printed as "name value" lines for
 * benchmarks/capi.py.
 *
 *   add4_ns      torsh_add of two 4-element f32 tensors, result allocated and freed
 *   step_ms      one training step of an MLP 784-128-10, batch 128, Adam, cross-entropy
 *                (forward, loss, zero_grad, backward, step; median of the steps)
 *   first_ms     the first such step (nothing is compiled at run time in C: kernels
 *                were built with the library)
 *
 *   ./capi_bench [steps]
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <torsh.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void fail(const char *what) {
    fprintf(stderr, "capi_bench: %s: %s\n", what, torsh_last_error_message());
    exit(1);
}

static double add4_ns(void) {
    float data[4] = {1, 2, 3, 4};
    int64_t shape[1] = {4};
    torsh_tensor_t *a = torsh_tensor_from_array(data, shape, 1, TORSH_F32);
    if (a == NULL) fail("from_array");
    double best = 1e300;
    const int n = 200000;
    for (int rep = 0; rep < 7; rep++) {
        double t0 = now_ns();
        for (int i = 0; i < n; i++) {
            torsh_tensor_t *r = torsh_add(a, a);
            if (r == NULL) fail("add");
            torsh_tensor_free(r);
        }
        double per = (now_ns() - t0) / n;
        if (per < best) best = per;
    }
    torsh_tensor_free(a);
    return best;
}

static void train(int steps, double *first_ms, double *median_ms) {
    torsh_manual_seed(0);
    int64_t xs[2] = {128, 784}, n = 128;
    torsh_tensor_t *x = torsh_tensor_randn(xs, 2, TORSH_F32);
    int64_t labels[128];
    for (int i = 0; i < 128; i++) labels[i] = (i * 7) % 10;
    torsh_tensor_t *y = torsh_tensor_from_array(labels, &n, 1, TORSH_I64);
    torsh_module_t *model = torsh_sequential_new();
    torsh_sequential_add(model, torsh_linear_new(784, 128, true));
    torsh_sequential_add(model, torsh_relu_new());
    torsh_sequential_add(model, torsh_linear_new(128, 10, true));
    torsh_optimizer_t *opt = torsh_adam_new(torsh_module_parameters(model), 1e-3, 0.9, 0.999,
                                            1e-8);
    if (x == NULL || y == NULL || opt == NULL) fail("setup");
    double *times = malloc((size_t)steps * sizeof *times);
    for (int s = 0; s < steps; s++) {
        double t0 = now_ns();
        torsh_tensor_t *out = torsh_module_forward(model, x);
        torsh_tensor_t *loss = torsh_cross_entropy(out, y);
        if (loss == NULL) fail("forward");
        volatile float value = *(const float *)torsh_tensor_data_ptr(loss);
        (void)value;
        torsh_optimizer_zero_grad(opt);
        if (torsh_backward(loss, false) != TORSH_OK) fail("backward");
        if (torsh_optimizer_step(opt) != TORSH_OK) fail("step");
        torsh_tensor_free(out);
        torsh_tensor_free(loss);
        times[s] = (now_ns() - t0) / 1e6;
    }
    *first_ms = times[0];
    qsort(times + 1, (size_t)(steps - 1), sizeof *times, by_value);
    *median_ms = times[1 + (steps - 1) / 2];
    free(times);
    torsh_optimizer_free(opt);
    torsh_module_free(model);
    torsh_tensor_free(x);
    torsh_tensor_free(y);
}

int main(int argc, char **argv) {
    int steps = argc > 1 ? atoi(argv[1]) : 200;
    if (steps < 2) steps = 2;
    torsh_init();
    double first, median;
    train(steps, &first, &median);
    printf("add4_ns %.1f\n", add4_ns());
    printf("step_ms %.3f\n", median);
    printf("first_ms %.3f\n", first);
    torsh_cleanup();
    return 0;
}
