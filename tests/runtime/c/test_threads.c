/*
 * test_threads.c: the runtime under concurrent use; counts must come out exact.
 *
 * usage: test_threads [ITERATIONS]   (default 100000 per thread; smaller under
 * valgrind and the thread sanitizer, which serialize or slow every access)
 */
#include "harness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define THREADS 8
#define POOL_TENSOR_BYTES 64 /* 16 floats: exactly one aligned slice */

static long iterations = 100000;
static torsh_tensor_t *shared_tensor;
static torsh_memory_pool_t *shared_pool;
static atomic_int errors;

static void *refcount_worker(void *arg) {
    (void)arg;
    for (long i = 0; i < iterations; i++) {
        if (torsh_tensor_retain(shared_tensor) != TORSH_OK) atomic_fetch_add(&errors, 1);
        if (i % 2 == 0 && torsh_tensor_release(shared_tensor) != TORSH_OK)
            atomic_fetch_add(&errors, 1);
    }
    return NULL;
}

/* Every thread retains `iterations` times and releases half of them: the final count
 * is exact only if no increment or decrement was lost. */
static void test_concurrent_retain_release(void) {
    int64_t shape[] = {4};
    shared_tensor = torsh_tensor_zeros(shape, 1, TORSH_F32);
    atomic_store(&errors, 0);
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&threads[i], NULL, refcount_worker, NULL);
    for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    CHECK_EQ(atomic_load(&errors), 0);
    int64_t kept = THREADS * (iterations / 2);
    CHECK_EQ(torsh_tensor_refcount(shared_tensor), 1 + kept);
    for (int64_t i = 0; i < kept; i++) torsh_tensor_release(shared_tensor);
    CHECK_EQ(torsh_tensor_refcount(shared_tensor), 1);
    CHECK_OK(torsh_tensor_release(shared_tensor));
    CHECK_EQ(torsh_tensor_refcount(shared_tensor), -1);
}

static void *pool_worker(void *arg) {
    float tag = (float)(intptr_t)arg;
    int64_t shape[] = {POOL_TENSOR_BYTES / 4};
    for (long i = 0; i < iterations; i++) {
        torsh_tensor_t *t = torsh_tensor_from_pool(shared_pool, shape, 1, TORSH_F32);
        if (t == NULL) {
            atomic_fetch_add(&errors, 1);
            continue;
        }
        float *d = torsh_tensor_data_ptr(t);
        /* Slices must be disjoint: what we write is what we read back. */
        for (int k = 0; k < 16; k++) d[k] = tag;
        for (int k = 0; k < 16; k++)
            if (d[k] != tag) atomic_fetch_add(&errors, 1);
        if (i % 4 != 0 && torsh_tensor_release(t) != TORSH_OK) atomic_fetch_add(&errors, 1);
    }
    return NULL;
}

static void test_concurrent_pool_allocation(void) {
    torsh_memory_stats_t before, s;
    CHECK_OK(torsh_memory_stats(&before));
    size_t capacity = (size_t)THREADS * (size_t)iterations * POOL_TENSOR_BYTES;
    shared_pool = torsh_memory_pool_new(capacity);
    CHECK(shared_pool != NULL);
    atomic_store(&errors, 0);
    pthread_t threads[THREADS];
    for (intptr_t i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, pool_worker, (void *)(i + 1));
    for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    CHECK_EQ(atomic_load(&errors), 0);
    /* Exactly full: every slice was handed out once. */
    CHECK_EQ(torsh_memory_pool_used(shared_pool), (int64_t)capacity);
    CHECK(torsh_tensor_from_pool(shared_pool, (int64_t[]){1}, 1, TORSH_U8) == NULL);
    /* A quarter of the tensors were kept; the pool frees them. */
    CHECK_OK(torsh_memory_stats(&s));
    int64_t kept = 0;
    for (long i = 0; i < iterations; i++) kept += i % 4 == 0;
    CHECK_EQ(s.handles_live, before.handles_live + 1 + THREADS * kept);
    CHECK_OK(torsh_memory_pool_free(shared_pool));
    CHECK_OK(torsh_memory_stats(&s));
    CHECK_EQ(s.handles_live, before.handles_live);
    CHECK_EQ(s.bytes_live, before.bytes_live);
}

static void *heap_worker(void *arg) {
    (void)arg;
    int64_t shape[] = {3, 5};
    long n = iterations / 10 > 0 ? iterations / 10 : 1;
    for (long i = 0; i < n; i++) {
        torsh_tensor_t *t = torsh_tensor_zeros(shape, 2, TORSH_F64);
        torsh_tensor_t *v = torsh_tensor_view(t, (int64_t[]){5, 3}, (int64_t[]){1, 5}, 2, 0);
        torsh_tensor_t *c = torsh_tensor_contiguous(v);
        torsh_error_t *err = NULL;
        if (torsh_tensor_reshape_with_error(t, (int64_t[]){7}, 1, &err) != NULL ||
            torsh_error_code(err) != TORSH_ERR_SHAPE_MISMATCH)
            atomic_fetch_add(&errors, 1);
        torsh_error_free(err);
        if (t == NULL || v == NULL || c == NULL) atomic_fetch_add(&errors, 1);
        /* Each thread's last error is its own. */
        if (torsh_last_error() != TORSH_ERR_SHAPE_MISMATCH) atomic_fetch_add(&errors, 1);
        torsh_tensor_release(t);
        torsh_tensor_release(c);
        torsh_tensor_release(v);
    }
    return NULL;
}

static void test_concurrent_heap_objects(void) {
    atomic_store(&errors, 0);
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&threads[i], NULL, heap_worker, NULL);
    for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    CHECK_EQ(atomic_load(&errors), 0);
    th_check_nothing_live("after the heap workers");
}

/* out[i] += 1 over [start, end) */
static void increment_kernel(void *const *buffers, const int64_t *sizes, int64_t start,
                             int64_t end) {
    (void)sizes;
    int32_t *out = buffers[0];
    for (int64_t i = start; i < end; i++) out[i] += 1;
}

enum { LAUNCH_RANGE = 4096 };

static void *launch_worker(void *arg) {
    int32_t *out = arg;
    void *buffers[] = {out};
    int64_t sizes[] = {0};
    long n = iterations / 100 > 0 ? iterations / 100 : 1;
    for (long i = 0; i < n; i++)
        if (torsh_launch(increment_kernel, buffers, sizes, LAUNCH_RANGE, 16) != TORSH_OK)
            atomic_fetch_add(&errors, 1);
    for (int64_t k = 0; k < LAUNCH_RANGE; k++)
        if (out[k] != n) {
            atomic_fetch_add(&errors, 1);
            break;
        }
    return NULL;
}

/* Launches from several threads at once: one holds the workers, the others run inline;
 * every element of every output is incremented exactly once per launch. */
static void test_concurrent_launches(void) {
    CHECK_OK(torsh_set_num_threads(3));
    atomic_store(&errors, 0);
    enum { LAUNCHERS = 4 };
    int32_t *outs[LAUNCHERS];
    pthread_t threads[LAUNCHERS];
    for (int i = 0; i < LAUNCHERS; i++) {
        outs[i] = calloc(LAUNCH_RANGE, sizeof(int32_t));
        pthread_create(&threads[i], NULL, launch_worker, outs[i]);
    }
    for (int i = 0; i < LAUNCHERS; i++) pthread_join(threads[i], NULL);
    for (int i = 0; i < LAUNCHERS; i++) free(outs[i]);
    CHECK_EQ(atomic_load(&errors), 0);
    CHECK_OK(torsh_set_num_threads(0));
}

static atomic_bool stop_toggling;
static void *toggle_worker(void *arg) {
    (void)arg;
    for (int n = 1; !atomic_load(&stop_toggling); n = n % 4 + 1)
        if (torsh_set_num_threads(n) != TORSH_OK) atomic_fetch_add(&errors, 1);
    return NULL;
}

/* Changing the thread count while another thread launches never loses work. */
static void test_thread_count_changes_during_launches(void) {
    atomic_store(&errors, 0);
    atomic_store(&stop_toggling, false);
    int32_t *out = calloc(LAUNCH_RANGE, sizeof(int32_t));
    pthread_t toggler, launcher;
    pthread_create(&toggler, NULL, toggle_worker, NULL);
    pthread_create(&launcher, NULL, launch_worker, out);
    pthread_join(launcher, NULL);
    atomic_store(&stop_toggling, true);
    pthread_join(toggler, NULL);
    free(out);
    CHECK_EQ(atomic_load(&errors), 0);
    CHECK_OK(torsh_set_num_threads(0));
}

int main(int argc, char **argv) {
    if (argc > 1) iterations = strtol(argv[1], NULL, 10);
    if (iterations < 4) iterations = 4;
    printf("iterations per thread: %ld\n", iterations);
    RUN(test_concurrent_retain_release);
    RUN(test_concurrent_pool_allocation);
    RUN(test_concurrent_heap_objects);
    RUN(test_concurrent_launches);
    RUN(test_thread_count_changes_during_launches);
    th_check_nothing_live("end of test_threads");
    torsh_cleanup();
    return th_finish();
}
