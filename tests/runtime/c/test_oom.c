/*
 * test_oom.c: allocation-failure injection.
 *
 * scenario() uses every allocating function once. The driver runs it with the k-th
 * counted allocation failing, for k = 0, 1, 2, ... until a run completes without the
 * injected failure firing. Every run must either succeed or fail with
 * TORSH_ERR_OUT_OF_MEMORY, and leave no byte, allocation or handle behind.
 */
#include "harness.h"

#include <stdint.h>

static int blob_deleted;
static void free_blob(void *data, void *ctx) {
    (void)ctx;
    blob_deleted++;
    free(data);
}

static void double_kernel(void *const *buffers, const int64_t *sizes, int64_t start, int64_t end) {
    float *x = buffers[0];
    for (int64_t i = start; i < end; i++) x[i] *= (float)sizes[0];
}

/* The status of the first failing step, or TORSH_OK. */
static torsh_status_t scenario(void) {
    torsh_status_t st = TORSH_OK;
    torsh_tensor_t *a = NULL, *v = NULL, *c = NULL, *r = NULL, *z = NULL, *e = NULL, *b = NULL;
    torsh_tensor_t *pt = NULL, *pv = NULL, *w = NULL;
    torsh_memory_pool_t *pool = NULL;
    torsh_plan_t *plan = NULL;
    torsh_error_t *err = NULL;
    void *raw = NULL;
    float values[6] = {0, 1, 2, 3, 4, 5};
    int64_t shape[] = {2, 3};

/* A pointer step: on NULL, st takes the thread's last error. */
#define STEP_PTR(var, call)                        \
    if (st == TORSH_OK && ((var) = (call)) == NULL) \
        st = torsh_last_error();
#define STEP(call) \
    if (st == TORSH_OK) st = (call);

    STEP_PTR(raw, torsh_malloc(100));
    STEP_PTR(a, torsh_tensor_from_array(values, shape, 2, TORSH_F32));
    STEP_PTR(v, torsh_tensor_view(a, (int64_t[]){3, 2}, (int64_t[]){1, 3}, 2, 0));
    STEP_PTR(c, torsh_tensor_contiguous(v));
    STEP_PTR(r, torsh_tensor_reshape(v, (int64_t[]){6}, 1));
    STEP_PTR(z, torsh_tensor_zeros(shape, 2, TORSH_F64));
    STEP_PTR(e, torsh_tensor_empty(shape, 2, TORSH_I32));
    if (st == TORSH_OK) {
        float *blob = malloc(6 * sizeof *blob);
        b = torsh_tensor_from_blob(blob, shape, NULL, 2, TORSH_F32, free_blob, NULL);
        if (b == NULL) {
            free(blob); /* on failure the deleter is not called: the memory is still ours */
            st = torsh_last_error();
        }
    }
    STEP_PTR(pool, torsh_memory_pool_new(4096));
    STEP_PTR(pt, torsh_tensor_from_pool(pool, shape, 2, TORSH_F32));
    STEP_PTR(pv, torsh_tensor_view(pt, (int64_t[]){3}, NULL, 1, 3));
    /* Twins: a failure must come back as an error object whose code is OOM. */
    if (st == TORSH_OK) {
        w = torsh_tensor_zeros_with_error(shape, 2, TORSH_U8, &err);
        if (w == NULL) {
            CHECK(err != NULL);
            st = torsh_error_code(err);
            torsh_error_free(err);
            err = NULL;
        }
    }
    /* An expected error whose error object may itself fail to allocate: then the static
     * out-of-memory error stands in, and freeing it is harmless. */
    if (st == TORSH_OK) {
        CHECK(torsh_tensor_view_with_error(a, (int64_t[]){99}, NULL, 1, 0, &err) == NULL);
        CHECK(err != NULL);
        torsh_status_t code = torsh_error_code(err);
        CHECK(code == TORSH_ERR_INDEX || code == TORSH_ERR_OUT_OF_MEMORY);
        CHECK(torsh_error_message(err) != NULL);
        CHECK_OK(torsh_error_free(err));
    }
    STEP_PTR(plan, torsh_plan_new(1));
    int slot = -1;
    STEP(torsh_plan_add_scratch(plan, 64, &slot));
    int64_t two = 2;
    STEP(torsh_plan_add_launch(plan, double_kernel, (int[]){0}, 1, &two, 1, 6, 1));
    STEP(torsh_plan_add_launch(plan, double_kernel, &slot, 1, &two, 1, 6, 1));
    STEP(torsh_plan_add_launch(plan, double_kernel, (int[]){0}, 1, &two, 1, 6, 1));
    if (st == TORSH_OK) {
        void *slots[] = {torsh_tensor_data_ptr(c)};
        st = torsh_plan_run(plan, slots);
        if (st == TORSH_OK) CHECK(((float *)torsh_tensor_data_ptr(c))[1] == 3 * 4);
    }
    if (st == TORSH_OK) {
        void *buffers[] = {torsh_tensor_data_ptr(r)};
        st = torsh_launch(double_kernel, buffers, &two, 6, 1);
    }
#undef STEP
#undef STEP_PTR

    torsh_free(raw);
    torsh_tensor_t *all[] = {a, v, c, r, z, e, b, pv, w};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) CHECK_OK(torsh_tensor_release(all[i]));
    (void)pt; /* dropped with its pool */
    CHECK_OK(torsh_memory_pool_free(pool));
    CHECK_OK(torsh_plan_free(plan));
    return st;
}

static void test_fail_every_allocation(void) {
    CHECK_OK(torsh_set_num_threads(2));
    int runs = 0, failed_runs = 0;
    for (int64_t k = 0;; k++) {
        blob_deleted = 0;
        torsh_debug_fail_allocation_after(k);
        torsh_status_t st = scenario();
        int64_t remaining = torsh_debug_fail_allocation_after(-1);
        runs++;
        if (st != TORSH_OK && st != TORSH_ERR_OUT_OF_MEMORY) {
            fprintf(stderr, "k=%lld: scenario failed with %s: %s\n", (long long)k,
                    torsh_status_string(st), torsh_last_error_message());
            CHECK(0);
        }
        if (st == TORSH_ERR_OUT_OF_MEMORY) failed_runs++;
        CHECK(blob_deleted <= 1);
        char where[64];
        snprintf(where, sizeof where, "after the run failing allocation %lld", (long long)k);
        th_check_nothing_live(where);
        if (remaining >= 0) { /* never fired: the scenario needs fewer than k allocations */
            CHECK_OK(st);
            CHECK_EQ(blob_deleted, 1);
            break;
        }
        if (k > 10000) {
            CHECK(0); /* runaway */
            break;
        }
    }
    printf("scenario: %d runs, %d ended with TORSH_ERR_OUT_OF_MEMORY\n", runs, failed_runs);
    CHECK(runs > 30);        /* the scenario really allocates */
    CHECK(failed_runs > 20); /* and most injected failures surface as OOM */
    CHECK_OK(torsh_set_num_threads(0));
}

static void test_memory_limit_sweep(void) {
    /* The same property under a tightening limit instead of a single failure. */
    torsh_memory_stats_t s;
    CHECK_OK(torsh_memory_stats(&s));
    for (size_t limit = 64; limit < 64 * 1024; limit = limit * 3 / 2) {
        torsh_set_memory_limit((size_t)s.bytes_live + limit);
        torsh_status_t st = scenario();
        CHECK(st == TORSH_OK || st == TORSH_ERR_OUT_OF_MEMORY);
        th_check_nothing_live("after a limited run");
    }
    torsh_set_memory_limit(0);
    CHECK_OK(scenario());
}

int main(void) {
    RUN(test_fail_every_allocation);
    RUN(test_memory_limit_sweep);
    th_check_nothing_live("end of test_oom");
    torsh_cleanup();
    return th_finish();
}
