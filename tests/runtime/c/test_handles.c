/*
 * test_handles.c: stale and foreign handles are reported as TORSH_ERR_INVALID_HANDLE.
 *
 * Use after release, double release, tensors of a freed or reset pool, freed pools,
 * plans and errors, handles of the wrong kind and garbage. Under valgrind and ASan these
 * tests also prove validation never reads the freed objects.
 */
#include "harness.h"

#include <stdint.h>

static const int64_t shape2[] = {2, 2};
static const float data4[] = {1, 2, 3, 4};

/* Every tensor function refuses t with INVALID_HANDLE. */
static void check_tensor_is_invalid(torsh_tensor_t *t) {
    torsh_error_t *err = NULL;
    const int64_t flat[] = {4};
#define EXPECT_INVALID(expr, bad)                   \
    do {                                            \
        torsh_clear_error();                        \
        CHECK((expr) == (bad));                     \
        CHECK_LAST_ERROR(TORSH_ERR_INVALID_HANDLE); \
    } while (0)
    EXPECT_INVALID(torsh_tensor_data_ptr(t), NULL);
    EXPECT_INVALID(torsh_tensor_ndim(t), -1);
    EXPECT_INVALID(torsh_tensor_shape(t), NULL);
    EXPECT_INVALID(torsh_tensor_strides(t), NULL);
    EXPECT_INVALID(torsh_tensor_dtype(t), TORSH_DTYPE_INVALID);
    EXPECT_INVALID(torsh_tensor_numel(t), -1);
    EXPECT_INVALID(torsh_tensor_nbytes(t), -1);
    EXPECT_INVALID(torsh_tensor_is_contiguous(t), -1);
    EXPECT_INVALID(torsh_tensor_refcount(t), -1);
    EXPECT_INVALID(torsh_tensor_view(t, flat, NULL, 1, 0), NULL);
    EXPECT_INVALID(torsh_tensor_reshape(t, flat, 1), NULL);
    EXPECT_INVALID(torsh_tensor_contiguous(t), NULL);
    EXPECT_INVALID(torsh_tensor_view_with_error(t, flat, NULL, 1, 0, &err), NULL);
    CHECK_EQ(torsh_error_code(err), TORSH_ERR_INVALID_HANDLE);
    torsh_error_free(err);
    CHECK_STATUS(torsh_tensor_retain(t), TORSH_ERR_INVALID_HANDLE);
    CHECK_STATUS(torsh_tensor_release(t), TORSH_ERR_INVALID_HANDLE);
    CHECK_STATUS(torsh_tensor_free(t), TORSH_ERR_INVALID_HANDLE);
#undef EXPECT_INVALID
}

static void test_use_after_release(void) {
    torsh_tensor_t *t = torsh_tensor_from_array(data4, shape2, 2, TORSH_F32);
    CHECK_OK(torsh_tensor_release(t));
    check_tensor_is_invalid(t);
    /* A new tensor typically gets the same slot and memory; the old handle still fails
     * because the slot's generation moved on. */
    torsh_tensor_t *fresh = torsh_tensor_from_array(data4, shape2, 2, TORSH_F32);
    CHECK(fresh != t);
    check_tensor_is_invalid(t);
    CHECK_EQ(torsh_tensor_numel(fresh), 4);
    torsh_tensor_release(fresh);
}

static void test_double_release(void) {
    torsh_tensor_t *t = torsh_tensor_from_array(data4, shape2, 2, TORSH_F32);
    torsh_tensor_retain(t);
    CHECK_OK(torsh_tensor_release(t));
    CHECK_OK(torsh_tensor_release(t));
    CHECK_STATUS(torsh_tensor_release(t), TORSH_ERR_INVALID_HANDLE);
    CHECK(strstr(torsh_last_error_message(), "not a live tensor") != NULL);
    t = torsh_tensor_empty(shape2, 2, TORSH_F32);
    CHECK_OK(torsh_tensor_free(t));
    CHECK_STATUS(torsh_tensor_free(t), TORSH_ERR_INVALID_HANDLE);
}

static void test_tensor_of_freed_pool(void) {
    torsh_memory_pool_t *pool = torsh_memory_pool_new(4096);
    torsh_tensor_t *t = torsh_tensor_from_pool(pool, shape2, 2, TORSH_F32);
    torsh_tensor_t *v = torsh_tensor_view(t, (int64_t[]){4}, NULL, 1, 0);
    torsh_tensor_t *kept = torsh_tensor_from_pool(pool, shape2, 2, TORSH_F32);
    torsh_tensor_retain(kept); /* extra references do not keep a freed pool's tensor */
    CHECK_OK(torsh_memory_pool_free(pool));
    check_tensor_is_invalid(t);
    check_tensor_is_invalid(v);
    check_tensor_is_invalid(kept);
    /* The pool itself is gone too. */
    CHECK_STATUS(torsh_memory_pool_free(pool), TORSH_ERR_INVALID_HANDLE);
    CHECK_STATUS(torsh_memory_pool_reset(pool), TORSH_ERR_INVALID_HANDLE);
    CHECK_EQ(torsh_memory_pool_used(pool), -1);
    CHECK_LAST_ERROR(TORSH_ERR_INVALID_HANDLE);
    CHECK_EQ(torsh_memory_pool_capacity(pool), -1);
    CHECK(torsh_tensor_from_pool(pool, shape2, 2, TORSH_F32) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_INVALID_HANDLE);
}

static void test_tensor_of_reset_pool(void) {
    torsh_memory_pool_t *pool = torsh_memory_pool_new(4096);
    torsh_tensor_t *t = torsh_tensor_from_pool(pool, shape2, 2, TORSH_F32);
    CHECK_OK(torsh_memory_pool_reset(pool));
    /* The next tensor reuses the same bytes, and probably the same handle slot. */
    torsh_tensor_t *next = torsh_tensor_from_pool(pool, shape2, 2, TORSH_F32);
    CHECK(next != t);
    check_tensor_is_invalid(t);
    CHECK_EQ(torsh_tensor_numel(next), 4);
    torsh_memory_pool_free(pool);
}

static void test_freed_plan_and_error(void) {
    torsh_plan_t *plan = torsh_plan_new(0);
    CHECK_OK(torsh_plan_free(plan));
    CHECK_STATUS(torsh_plan_free(plan), TORSH_ERR_INVALID_HANDLE);
    CHECK_STATUS(torsh_plan_run(plan, NULL), TORSH_ERR_INVALID_HANDLE);
    int slot;
    CHECK_STATUS(torsh_plan_add_scratch(plan, 8, &slot), TORSH_ERR_INVALID_HANDLE);
    CHECK_EQ(torsh_plan_num_launches(plan), -1);
    CHECK_EQ(torsh_plan_scratch_bytes(plan), -1);

    torsh_error_t *err = NULL;
    CHECK(torsh_tensor_empty_with_error(shape2, 2, (torsh_dtype_t)77, &err) == NULL);
    CHECK_OK(torsh_error_free(err));
    CHECK_STATUS(torsh_error_free(err), TORSH_ERR_INVALID_HANDLE);
    CHECK(torsh_error_message(err) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_INVALID_HANDLE);
    CHECK_STATUS(torsh_error_code(err), TORSH_ERR_INVALID_HANDLE);
}

static void test_wrong_kind_and_garbage(void) {
    torsh_memory_pool_t *pool = torsh_memory_pool_new(64);
    torsh_tensor_t *t = torsh_tensor_from_array(data4, shape2, 2, TORSH_F32);
    /* A pool is not a tensor, a tensor is not a pool or a plan. */
    check_tensor_is_invalid((torsh_tensor_t *)pool);
    CHECK_STATUS(torsh_memory_pool_reset((torsh_memory_pool_t *)t), TORSH_ERR_INVALID_HANDLE);
    CHECK_STATUS(torsh_plan_free((torsh_plan_t *)t), TORSH_ERR_INVALID_HANDLE);
    CHECK_STATUS(torsh_error_free((torsh_error_t *)t), TORSH_ERR_INVALID_HANDLE);
    /* Garbage: small integers, a stack address, an odd address, all bits set. */
    int local;
    uintptr_t garbage[] = {1, 0x11, 0x12345, (uintptr_t)&local, (uintptr_t)&local + 1,
                           (uintptr_t)data4 | 1, UINTPTR_MAX, UINTPTR_MAX - 14};
    for (size_t i = 0; i < sizeof garbage / sizeof *garbage; i++) {
        torsh_tensor_t *g = (torsh_tensor_t *)garbage[i];
        check_tensor_is_invalid(g);
        CHECK_STATUS(torsh_memory_pool_free((torsh_memory_pool_t *)g), TORSH_ERR_INVALID_HANDLE);
        CHECK_STATUS(torsh_plan_run((torsh_plan_t *)g, NULL), TORSH_ERR_INVALID_HANDLE);
        CHECK_STATUS(torsh_error_code((torsh_error_t *)g), TORSH_ERR_INVALID_HANDLE);
    }
    CHECK_EQ(torsh_tensor_numel(t), 4); /* the real objects are untouched */
    CHECK_EQ(torsh_memory_pool_capacity(pool), 64);
    torsh_tensor_release(t);
    torsh_memory_pool_free(pool);
}

static void test_many_handles(void) {
    /* More handles than one table chunk, released in a different order. */
    enum { N = 10000 };
    static torsh_tensor_t *ts[N];
    for (int i = 0; i < N; i++) ts[i] = torsh_tensor_empty(NULL, 0, TORSH_I8);
    for (int i = 0; i < N; i += 2) CHECK_OK(torsh_tensor_release(ts[i]));
    for (int i = 0; i < N; i += 2) CHECK_EQ(torsh_tensor_numel(ts[i]), -1);
    for (int i = 1; i < N; i += 2) CHECK_EQ(torsh_tensor_numel(ts[i]), 1);
    for (int i = 1; i < N; i += 2) CHECK_OK(torsh_tensor_release(ts[i]));
}

int main(void) {
    RUN(test_use_after_release);
    RUN(test_double_release);
    RUN(test_tensor_of_freed_pool);
    RUN(test_tensor_of_reset_pool);
    RUN(test_freed_plan_and_error);
    RUN(test_wrong_kind_and_garbage);
    RUN(test_many_handles);
    th_check_nothing_live("end of test_handles");
    torsh_cleanup();
    return th_finish();
}
