/*
 * harness.h: the tiny test framework of the C suite (header-only, one per program).
 *
 * A program runs its tests with RUN(test) and returns th_finish(): exit status 0 only if
 * every CHECK passed. Output lines the pytest driver reads:
 *     ok NAME / FAIL NAME           one per test
 *     null-test FUNCTION PARAM      one per executed NULL_TEST block
 *     N passed, M failed            the summary
 */
#ifndef TORSH_TEST_HARNESS_H
#define TORSH_TEST_HARNESS_H

#include "torsh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int th_failed_checks;
static int th_passed_tests, th_failed_tests;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            th_failed_checks++;                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_EQ(actual, expected)                                                       \
    do {                                                                                 \
        long long a_ = (long long)(actual), e_ = (long long)(expected);                  \
        if (a_ != e_) {                                                                  \
            th_failed_checks++;                                                          \
            fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, expected %s == %lld\n", \
                    __FILE__, __LINE__, #actual, a_, #expected, e_);                     \
        }                                                                                \
    } while (0)

/* A status-returning call must give `code`; prints the C message when it does not. */
#define CHECK_STATUS(call, code)                                                           \
    do {                                                                                   \
        torsh_status_t s_ = (call);                                                        \
        if (s_ != (code)) {                                                                \
            th_failed_checks++;                                                            \
            fprintf(stderr, "%s:%d: %s returned %d (%s), expected %s; last error: %s\n",   \
                    __FILE__, __LINE__, #call, (int)s_, torsh_status_string(s_), #code,    \
                    torsh_last_error_message());                                           \
        }                                                                                  \
    } while (0)

#define CHECK_OK(call) CHECK_STATUS(call, TORSH_OK)

/* The thread's last error must be `code`. */
#define CHECK_LAST_ERROR(code) CHECK_STATUS(torsh_last_error(), code)

/* Marks a block testing that NULL for PARAM of FUNCTION is rejected (or is the
 * documented no-op). The marker is printed when the block runs, so the driver knows the
 * test executed, not just that it was written. */
#define NULL_TEST(function, param)                                                   \
    for (int once_ = (torsh_clear_error(), printf("null-test %s %s\n", #function, #param), 1); \
         once_; once_ = 0)

#define RUN(test)                                                 \
    do {                                                          \
        int before_ = th_failed_checks;                           \
        torsh_clear_error();                                      \
        test();                                                   \
        if (th_failed_checks == before_) {                        \
            th_passed_tests++;                                    \
            printf("ok %s\n", #test);                             \
        } else {                                                  \
            th_failed_tests++;                                    \
            printf("FAIL %s\n", #test);                           \
        }                                                         \
        fflush(stdout);                                           \
    } while (0)

/* Everything counted by the runtime has been given back. */
/* A 2x3 float tensor holding 0..5 (new reference), and element i of a float tensor. */
static inline torsh_tensor_t *th_make_2x3(void) {
    static const int64_t shape[] = {2, 3};
    static const float values[] = {0, 1, 2, 3, 4, 5};
    return torsh_tensor_from_array(values, shape, 2, TORSH_F32);
}

static inline float th_at(const torsh_tensor_t *t, int64_t i) {
    return ((const float *)torsh_tensor_data_ptr(t))[i];
}

static inline void th_check_nothing_live(const char *where) {
    torsh_memory_stats_t s;
    if (torsh_memory_stats(&s) != TORSH_OK) {
        th_failed_checks++;
        return;
    }
    if (s.bytes_live != 0 || s.allocations_live != 0 || s.handles_live != 0) {
        th_failed_checks++;
        fprintf(stderr, "%s: still live: %lld bytes, %lld allocations, %lld handles\n", where,
                (long long)s.bytes_live, (long long)s.allocations_live,
                (long long)s.handles_live);
    }
}

static inline int th_finish(void) {
    printf("%d passed, %d failed\n", th_passed_tests, th_failed_tests);
    return th_failed_tests == 0 && th_failed_checks == 0 ? 0 : 1;
}

#endif /* TORSH_TEST_HARNESS_H */
