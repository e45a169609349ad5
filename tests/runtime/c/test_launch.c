/* test_launch.c: thread settings, torsh_launch, plans and the runtime lifecycle. */
#define _DEFAULT_SOURCE /* setenv, usleep */
#include "harness.h"

#include <stdatomic.h>
#include <stdint.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------ threads and launch */

#define MAX_CALLS 64
static atomic_int calls;
static int64_t call_start[MAX_CALLS], call_end[MAX_CALLS];

/* out[i] = a * i + b for i in [start, end), and records the call's range. */
static void affine_kernel(void *const *buffers, const int64_t *sizes, int64_t start, int64_t end) {
    int64_t *out = buffers[0];
    for (int64_t i = start; i < end; i++) out[i] += sizes[0] * i + sizes[1];
    int c = atomic_fetch_add(&calls, 1);
    if (c < MAX_CALLS) {
        call_start[c] = start;
        call_end[c] = end;
    }
}

/* Launches affine_kernel over `range` and checks every element was written exactly
 * once, by contiguous, disjoint calls. Returns the number of calls. */
static int launch_and_check(int64_t range, int64_t grain) {
    int64_t *out = calloc((size_t)(range > 0 ? range : 1), sizeof *out);
    int64_t sizes[] = {3, 7};
    void *buffers[] = {out};
    atomic_store(&calls, 0);
    CHECK_OK(torsh_launch(affine_kernel, buffers, sizes, range, grain));
    for (int64_t i = 0; i < range; i++)
        if (out[i] != 3 * i + 7) {
            CHECK_EQ(out[i], 3 * i + 7);
            break;
        }
    int n = atomic_load(&calls);
    int64_t covered = 0;
    for (int c = 0; c < n && c < MAX_CALLS; c++) {
        CHECK(call_start[c] < call_end[c]);
        covered += call_end[c] - call_start[c];
    }
    CHECK_EQ(covered, range);
    free(out);
    return n;
}

static void test_threads_setting(void) {
    int def = torsh_get_num_threads();
    CHECK(def >= 1);
    CHECK_OK(torsh_set_num_threads(3));
    CHECK_EQ(torsh_get_num_threads(), 3);
    CHECK_OK(torsh_set_num_threads(0));
    CHECK_EQ(torsh_get_num_threads(), def);
    CHECK_STATUS(torsh_set_num_threads(-1), TORSH_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(torsh_set_num_threads(1 << 20), TORSH_ERR_INVALID_ARGUMENT);
    CHECK_EQ(torsh_get_num_threads(), def);
}

static void test_thread_count_from_the_environment(void) {
    setenv("TORSH_NUM_THREADS", "3", 1);
    CHECK_OK(torsh_init());
    CHECK_EQ(torsh_get_num_threads(), 3);
    CHECK_EQ(launch_and_check(100, 1), 3);
    CHECK_OK(torsh_set_num_threads(2)); /* an explicit count wins */
    CHECK_EQ(torsh_get_num_threads(), 2);
    setenv("TORSH_NUM_THREADS", "lots", 1);
    CHECK_OK(torsh_set_num_threads(0)); /* back to the default, read again */
    CHECK_EQ(torsh_get_num_threads(), 1);
    CHECK_STATUS(torsh_init(), TORSH_ERR_INVALID_ARGUMENT);
    CHECK(strstr(torsh_last_error_message(), "TORSH_NUM_THREADS=lots") != NULL);
    unsetenv("TORSH_NUM_THREADS");
    CHECK_OK(torsh_init());
    CHECK(torsh_get_num_threads() >= 1);
}

static void test_launch(void) {
    CHECK_OK(torsh_set_num_threads(1));
    CHECK_EQ(launch_and_check(1000, 1), 1);
    CHECK_OK(torsh_set_num_threads(4));
    CHECK_EQ(launch_and_check(1000, 1), 4);
    CHECK_EQ(launch_and_check(1001, 100), 4);
    CHECK_EQ(launch_and_check(3, 1), 3);     /* fewer iterations than threads */
    CHECK_EQ(launch_and_check(300, 100), 3); /* parts of at least grain */
    CHECK_EQ(launch_and_check(199, 100), 1); /* range < 2 * grain: no split */
    CHECK_EQ(launch_and_check(10, 0), 4);    /* grain 0 counts as 1 */
    CHECK_EQ(launch_and_check(0, 1), 0);     /* nothing to do */
    CHECK_OK(torsh_set_num_threads(2));
    CHECK_EQ(launch_and_check(1 << 16, 1024), 2);
    /* Many back-to-back launches (the spin/sleep handoff). */
    for (int i = 0; i < 200; i++) launch_and_check(64, 1);
    int64_t sizes[] = {0, 0};
    void *buffers[] = {NULL};
    CHECK_STATUS(torsh_launch(affine_kernel, buffers, sizes, -1, 1), TORSH_ERR_INVALID_ARGUMENT);
    CHECK_OK(torsh_set_num_threads(0));
}

/* A kernel that launches: the inner launch runs inline on the calling thread. */
static atomic_int nested_status;
static void nested_kernel(void *const *buffers, const int64_t *sizes, int64_t start, int64_t end) {
    (void)sizes;
    int64_t *out = buffers[0];
    for (int64_t i = start; i < end; i++) {
        int64_t inner_sizes[] = {1, 0};
        void *inner_buffers[] = {&out[i * 4]};
        torsh_status_t st = torsh_launch(affine_kernel, inner_buffers, inner_sizes, 4, 1);
        if (st != TORSH_OK) atomic_store(&nested_status, st);
    }
    if (torsh_set_num_threads(1) != TORSH_ERR_INVALID_ARGUMENT) atomic_store(&nested_status, -1);
}

static void test_nested_launch(void) {
    CHECK_OK(torsh_set_num_threads(2));
    int64_t out[8 * 4] = {0};
    void *buffers[] = {out};
    int64_t sizes[] = {0};
    atomic_store(&nested_status, 0);
    CHECK_OK(torsh_launch(nested_kernel, buffers, sizes, 8, 1));
    CHECK_EQ(atomic_load(&nested_status), 0);
    for (int i = 0; i < 8 * 4; i++) CHECK_EQ(out[i], i % 4);
    CHECK_OK(torsh_set_num_threads(0));
}

/* ------------------------------------------------------------ plans */

/* buffers: x (int64[n]), y (int64[n]); sizes: {scale}: y[i] = x[i] * scale. */
static void scale_kernel(void *const *buffers, const int64_t *sizes, int64_t start, int64_t end) {
    const int64_t *x = buffers[0];
    int64_t *y = buffers[1];
    for (int64_t i = start; i < end; i++) y[i] = x[i] * sizes[0];
}

/* buffers: a, b, out: out[i] = a[i] + b[i]. */
static void add_kernel(void *const *buffers, const int64_t *sizes, int64_t start, int64_t end) {
    (void)sizes;
    const int64_t *a = buffers[0], *b = buffers[1];
    int64_t *out = buffers[2];
    for (int64_t i = start; i < end; i++) out[i] = a[i] + b[i];
}

static void test_plan(void) {
    enum { N = 1000 };
    CHECK_OK(torsh_set_num_threads(2));
    /* out = x * 3 + x * 5, through two scratch intermediates. */
    torsh_plan_t *plan = torsh_plan_new(2); /* slot 0: x, slot 1: out */
    CHECK(plan != NULL);
    int s3 = -1, s5 = -1;
    CHECK_OK(torsh_plan_add_scratch(plan, N * sizeof(int64_t), &s3));
    CHECK_OK(torsh_plan_add_scratch(plan, N * sizeof(int64_t), &s5));
    CHECK_EQ(s3, 2);
    CHECK_EQ(s5, 3);
    int64_t three = 3, five = 5;
    CHECK_OK(torsh_plan_add_launch(plan, scale_kernel, (int[]){0, s3}, 2, &three, 1, N, 64));
    CHECK_OK(torsh_plan_add_launch(plan, scale_kernel, (int[]){0, s5}, 2, &five, 1, N, 64));
    three = 1000; /* the plan copied the sizes */
    CHECK_OK(torsh_plan_add_launch(plan, add_kernel, (int[]){s3, s5, 1}, 3, NULL, 0, N, 64));
    CHECK_EQ(torsh_plan_num_launches(plan), 3);
    CHECK_EQ(torsh_plan_scratch_bytes(plan), 64 * ((N * 8 + 63) / 64) + N * 8);
    CHECK_STATUS(torsh_plan_add_launch(plan, add_kernel, (int[]){0, 4}, 2, NULL, 0, N, 1),
                 TORSH_ERR_INDEX);
    CHECK_STATUS(torsh_plan_add_launch(plan, add_kernel, NULL, 0, NULL, 0, -5, 1),
                 TORSH_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(torsh_plan_add_scratch(plan, -1, &s3), TORSH_ERR_INVALID_ARGUMENT);

    int64_t *x = malloc(N * sizeof *x), *out = malloc(N * sizeof *out);
    torsh_memory_stats_t before, after;
    for (int run = 0; run < 3; run++) {
        for (int i = 0; i < N; i++) x[i] = i + run;
        void *slots[] = {x, out};
        if (run == 1) CHECK_OK(torsh_memory_stats(&before));
        CHECK_OK(torsh_plan_run(plan, slots));
        for (int i = 0; i < N; i++)
            if (out[i] != 8 * (i + run)) {
                CHECK_EQ(out[i], 8 * (i + run));
                break;
            }
    }
    /* Replays allocate nothing. */
    CHECK_OK(torsh_memory_stats(&after));
    CHECK_EQ(after.allocations_total, before.allocations_total);
    /* Frozen after the first run. */
    CHECK_STATUS(torsh_plan_add_scratch(plan, 8, &s3), TORSH_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(torsh_plan_add_launch(plan, add_kernel, NULL, 0, NULL, 0, 1, 1),
                 TORSH_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(torsh_plan_run(plan, (void *[]){x, NULL}), TORSH_ERR_NULL_ARGUMENT);
    CHECK_OK(torsh_plan_free(plan));
    CHECK_OK(torsh_plan_free(NULL));

    /* A plan without slots or launches runs with NULL. */
    plan = torsh_plan_new(0);
    CHECK_OK(torsh_plan_run(plan, NULL));
    CHECK_EQ(torsh_plan_num_launches(plan), 0);
    CHECK_EQ(torsh_plan_scratch_bytes(plan), 0);
    torsh_plan_free(plan);
    CHECK(torsh_plan_new(-1) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_INVALID_ARGUMENT);
    free(x);
    free(out);
    CHECK_OK(torsh_set_num_threads(0));
}

/* A plan whose kernel runs the plan again: a second run of one plan while it runs is
 * refused (it would share the scratch arena). */
static torsh_plan_t *reentrant_plan;
static atomic_int reentrant_status;
static void rerun_kernel(void *const *buffers, const int64_t *sizes, int64_t start, int64_t end) {
    (void)buffers, (void)sizes, (void)start, (void)end;
    atomic_store(&reentrant_status, torsh_plan_run(reentrant_plan, NULL));
}

static void test_plan_not_reentrant(void) {
    reentrant_plan = torsh_plan_new(0);
    CHECK_OK(torsh_plan_add_launch(reentrant_plan, rerun_kernel, NULL, 0, NULL, 0, 1, 1));
    CHECK_OK(torsh_plan_run(reentrant_plan, NULL));
    CHECK_EQ(atomic_load(&reentrant_status), TORSH_ERR_INVALID_ARGUMENT);
    torsh_plan_free(reentrant_plan);
}

/* ------------------------------------------------------------ lifecycle */

static void test_cleanup(void) {
    torsh_tensor_t *kept = th_make_2x3();
    CHECK_OK(torsh_set_num_threads(2));
    launch_and_check(100, 1); /* workers running */
    torsh_cleanup();          /* a live handle survives a cleanup */
    CHECK(th_at(kept, 4) == 4);
    torsh_tensor_release(kept);
    torsh_cleanup(); /* now the table goes */
    th_check_nothing_live("after cleanup");
    /* And the runtime starts again; handles from before stay invalid. */
    CHECK_OK(torsh_init());
    torsh_tensor_t *t = th_make_2x3();
    CHECK(t != kept);
    CHECK_EQ(torsh_tensor_numel(kept), -1);
    CHECK_LAST_ERROR(TORSH_ERR_INVALID_HANDLE);
    CHECK_EQ(launch_and_check(100, 1), 2);
    torsh_tensor_release(t);
    CHECK_OK(torsh_set_num_threads(0));
}

/* A forked child (Python multiprocessing does this) launches on its own workers instead
 * of waiting for the parent's, which do not exist in it. */
static void test_launch_after_fork(void) {
#ifdef __SANITIZE_THREAD__
    printf("skipped under ThreadSanitizer: it does not support threads after a fork\n");
#else
    CHECK_OK(torsh_set_num_threads(2));
    CHECK_EQ(launch_and_check(1000, 1), 2); /* the parent's workers run */
    torsh_tensor_t *t = th_make_2x3();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int ok = launch_and_check(1000, 1) == 2 && th_at(t, 5) == 5 &&
                 torsh_tensor_release(t) == TORSH_OK && th_failed_checks == 0;
        torsh_cleanup();
        _exit(ok ? 0 : 1);
    }
    CHECK(pid > 0);
    /* A child waiting for its parent's workers would hang: give it 30 s, then fail. */
    int status = -1;
    pid_t done = 0;
    for (int tries = 0; tries < 3000 && done == 0; tries++) {
        done = waitpid(pid, &status, WNOHANG);
        if (done == 0) usleep(10000);
    }
    if (done == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    CHECK_EQ(done, pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_EQ(launch_and_check(1000, 1), 2); /* and the parent's still do */
    torsh_tensor_release(t);
    CHECK_OK(torsh_set_num_threads(0));
#endif
}

int main(void) {
    RUN(test_threads_setting);
    RUN(test_thread_count_from_the_environment);
    RUN(test_launch);
    RUN(test_nested_launch);
    RUN(test_plan);
    RUN(test_plan_not_reentrant);
    RUN(test_launch_after_fork);
    RUN(test_cleanup);
    th_check_nothing_live("end of test_launch");
    torsh_cleanup();
    return th_finish();
}
