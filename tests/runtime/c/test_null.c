/*
 * test_null.c: NULL for every pointer parameter of every torsh.h function.
 *
 * Each NULL_TEST(function, parameter) block passes NULL for that parameter (all other
 * arguments valid) and checks TORSH_ERR_NULL_ARGUMENT, or the documented meaning of NULL
 * (a no-op release, contiguous strides, no deleter, no error object). The pytest driver
 * parses torsh.h and fails if a (function, pointer parameter) pair has no executed block.
 */
#include "harness.h"

static const int64_t shape2[] = {2, 2};
static const float data4[] = {1, 2, 3, 4};

static void noop_kernel(void *const *buffers, const int64_t *sizes, int64_t start, int64_t end) {
    (void)buffers, (void)sizes, (void)start, (void)end;
}

/* A failing twin call with err == NULL: returns NULL and still sets the last error. */
#define CHECK_TWIN_FAILS_QUIETLY(call, code) \
    do {                                     \
        torsh_clear_error();                 \
        CHECK((call) == NULL);               \
        CHECK_LAST_ERROR(code);              \
    } while (0)

static void test_null_errors(void) {
    NULL_TEST(torsh_error_message, err) {
        CHECK(torsh_error_message(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_error_code, err) CHECK_STATUS(torsh_error_code(NULL), TORSH_ERR_NULL_ARGUMENT);
    NULL_TEST(torsh_error_free, err) {
        CHECK_OK(torsh_error_free(NULL));
        CHECK_LAST_ERROR(TORSH_OK);
    }
}

static void test_null_memory(void) {
    NULL_TEST(torsh_malloc_with_error, err) {
        void *p = torsh_malloc_with_error(8, NULL);
        CHECK(p != NULL);
        torsh_free(p);
        torsh_set_memory_limit(1);
        CHECK_TWIN_FAILS_QUIETLY(torsh_malloc_with_error(8, NULL), TORSH_ERR_OUT_OF_MEMORY);
        torsh_set_memory_limit(0);
    }
    NULL_TEST(torsh_free, ptr) {
        torsh_free(NULL);
        CHECK_LAST_ERROR(TORSH_OK);
    }
    NULL_TEST(torsh_memory_stats, out)
        CHECK_STATUS(torsh_memory_stats(NULL), TORSH_ERR_NULL_ARGUMENT);
}

static void test_null_creation(void) {
    NULL_TEST(torsh_tensor_from_array, data) {
        CHECK(torsh_tensor_from_array(NULL, shape2, 2, TORSH_F32) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_from_array, shape) {
        CHECK(torsh_tensor_from_array(data4, NULL, 2, TORSH_F32) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
        torsh_tensor_t *scalar = torsh_tensor_from_array(data4, NULL, 0, TORSH_F32);
        CHECK(scalar != NULL); /* NULL shape is fine for a 0-d tensor */
        torsh_tensor_release(scalar);
    }
    NULL_TEST(torsh_tensor_from_array_with_error, data) {
        torsh_error_t *err = NULL;
        CHECK(torsh_tensor_from_array_with_error(NULL, shape2, 2, TORSH_F32, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_tensor_from_array_with_error, shape) {
        torsh_error_t *err = NULL;
        CHECK(torsh_tensor_from_array_with_error(data4, NULL, 2, TORSH_F32, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_tensor_from_array_with_error, err) {
        torsh_tensor_t *t = torsh_tensor_from_array_with_error(data4, shape2, 2, TORSH_F32, NULL);
        CHECK(t != NULL);
        torsh_tensor_release(t);
        CHECK_TWIN_FAILS_QUIETLY(
            torsh_tensor_from_array_with_error(NULL, shape2, 2, TORSH_F32, NULL),
            TORSH_ERR_NULL_ARGUMENT);
    }

    float blob[4] = {1, 2, 3, 4};
    NULL_TEST(torsh_tensor_from_blob, data) {
        CHECK(torsh_tensor_from_blob(NULL, shape2, NULL, 2, TORSH_F32, NULL, NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_from_blob, shape) {
        CHECK(torsh_tensor_from_blob(blob, NULL, NULL, 2, TORSH_F32, NULL, NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    /* NULL strides, deleter and ctx have meanings: contiguous, caller-owned, no context. */
    NULL_TEST(torsh_tensor_from_blob, strides) {
        torsh_tensor_t *t = torsh_tensor_from_blob(blob, shape2, NULL, 2, TORSH_F32, NULL, NULL);
        CHECK_EQ(torsh_tensor_is_contiguous(t), 1);
        torsh_tensor_release(t);
    }
    NULL_TEST(torsh_tensor_from_blob, deleter) {
        torsh_tensor_t *t = torsh_tensor_from_blob(blob, shape2, NULL, 2, TORSH_F32, NULL, blob);
        CHECK(t != NULL);
        CHECK_OK(torsh_tensor_release(t));
        CHECK(blob[3] == 4);
    }
    NULL_TEST(torsh_tensor_from_blob, deleter_ctx) {
        torsh_tensor_t *t = torsh_tensor_from_blob(blob, shape2, NULL, 2, TORSH_F32, NULL, NULL);
        CHECK(t != NULL);
        torsh_tensor_release(t);
    }
    NULL_TEST(torsh_tensor_from_blob_with_error, data) {
        torsh_error_t *err = NULL;
        CHECK(torsh_tensor_from_blob_with_error(NULL, shape2, NULL, 2, TORSH_F32, NULL, NULL,
                                                &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_tensor_from_blob_with_error, shape) {
        torsh_error_t *err = NULL;
        CHECK(torsh_tensor_from_blob_with_error(blob, NULL, NULL, 2, TORSH_F32, NULL, NULL, &err) ==
              NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_tensor_from_blob_with_error, strides) {
        torsh_error_t *err = NULL;
        torsh_tensor_t *t =
            torsh_tensor_from_blob_with_error(blob, shape2, NULL, 2, TORSH_F32, NULL, NULL, &err);
        CHECK(t != NULL && err == NULL);
        torsh_tensor_release(t);
    }
    NULL_TEST(torsh_tensor_from_blob_with_error, deleter) {
        torsh_error_t *err = NULL;
        torsh_tensor_t *t =
            torsh_tensor_from_blob_with_error(blob, shape2, NULL, 2, TORSH_F32, NULL, blob, &err);
        CHECK(t != NULL && err == NULL);
        torsh_tensor_release(t);
    }
    NULL_TEST(torsh_tensor_from_blob_with_error, deleter_ctx) {
        torsh_error_t *err = NULL;
        torsh_tensor_t *t =
            torsh_tensor_from_blob_with_error(blob, shape2, NULL, 2, TORSH_F32, NULL, NULL, &err);
        CHECK(t != NULL && err == NULL);
        torsh_tensor_release(t);
    }
    NULL_TEST(torsh_tensor_from_blob_with_error, err) {
        torsh_tensor_t *t =
            torsh_tensor_from_blob_with_error(blob, shape2, NULL, 2, TORSH_F32, NULL, NULL, NULL);
        CHECK(t != NULL);
        torsh_tensor_release(t);
        CHECK_TWIN_FAILS_QUIETLY(
            torsh_tensor_from_blob_with_error(NULL, shape2, NULL, 2, TORSH_F32, NULL, NULL, NULL),
            TORSH_ERR_NULL_ARGUMENT);
    }

    NULL_TEST(torsh_tensor_empty, shape) {
        CHECK(torsh_tensor_empty(NULL, 2, TORSH_F32) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_empty_with_error, shape) {
        torsh_error_t *err = NULL;
        CHECK(torsh_tensor_empty_with_error(NULL, 2, TORSH_F32, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_tensor_empty_with_error, err) {
        torsh_tensor_t *t = torsh_tensor_empty_with_error(shape2, 2, TORSH_F32, NULL);
        CHECK(t != NULL);
        torsh_tensor_release(t);
        CHECK_TWIN_FAILS_QUIETLY(torsh_tensor_empty_with_error(NULL, 2, TORSH_F32, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_zeros, shape) {
        CHECK(torsh_tensor_zeros(NULL, 1, TORSH_F32) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_zeros_with_error, shape) {
        torsh_error_t *err = NULL;
        CHECK(torsh_tensor_zeros_with_error(NULL, 1, TORSH_F32, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_tensor_zeros_with_error, err) {
        torsh_tensor_t *t = torsh_tensor_zeros_with_error(shape2, 2, TORSH_F32, NULL);
        CHECK(t != NULL);
        torsh_tensor_release(t);
        CHECK_TWIN_FAILS_QUIETLY(torsh_tensor_zeros_with_error(NULL, 1, TORSH_F32, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
}

static void test_null_views(void) {
    torsh_tensor_t *t = torsh_tensor_from_array(data4, shape2, 2, TORSH_F32);
    const int64_t flat[] = {4};
    NULL_TEST(torsh_tensor_view, t) {
        CHECK(torsh_tensor_view(NULL, flat, NULL, 1, 0) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_view, shape) {
        CHECK(torsh_tensor_view(t, NULL, NULL, 1, 0) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_view, strides) {
        torsh_tensor_t *v = torsh_tensor_view(t, flat, NULL, 1, 0);
        CHECK_EQ(torsh_tensor_strides(v)[0], 1);
        torsh_tensor_release(v);
    }
    NULL_TEST(torsh_tensor_view_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_tensor_view_with_error(NULL, flat, NULL, 1, 0, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_tensor_view_with_error, shape) {
        torsh_error_t *err = NULL;
        CHECK(torsh_tensor_view_with_error(t, NULL, NULL, 1, 0, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_tensor_view_with_error, strides) {
        torsh_error_t *err = NULL;
        torsh_tensor_t *v = torsh_tensor_view_with_error(t, flat, NULL, 1, 0, &err);
        CHECK(v != NULL && err == NULL);
        torsh_tensor_release(v);
    }
    NULL_TEST(torsh_tensor_view_with_error, err) {
        torsh_tensor_t *v = torsh_tensor_view_with_error(t, flat, NULL, 1, 0, NULL);
        CHECK(v != NULL);
        torsh_tensor_release(v);
        CHECK_TWIN_FAILS_QUIETLY(torsh_tensor_view_with_error(NULL, flat, NULL, 1, 0, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_reshape, t) {
        CHECK(torsh_tensor_reshape(NULL, flat, 1) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_reshape, shape) {
        CHECK(torsh_tensor_reshape(t, NULL, 1) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_reshape_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_tensor_reshape_with_error(NULL, flat, 1, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_tensor_reshape_with_error, shape) {
        torsh_error_t *err = NULL;
        CHECK(torsh_tensor_reshape_with_error(t, NULL, 1, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_tensor_reshape_with_error, err) {
        torsh_tensor_t *r = torsh_tensor_reshape_with_error(t, flat, 1, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_tensor_reshape_with_error(t, NULL, 1, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_contiguous, t) {
        CHECK(torsh_tensor_contiguous(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_contiguous_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_tensor_contiguous_with_error(NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_tensor_contiguous_with_error, err) {
        torsh_tensor_t *c = torsh_tensor_contiguous_with_error(t, NULL);
        CHECK(c == t);
        torsh_tensor_release(c);
        CHECK_TWIN_FAILS_QUIETLY(torsh_tensor_contiguous_with_error(NULL, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    torsh_tensor_release(t);
}

static void test_null_accessors(void) {
    NULL_TEST(torsh_tensor_data_ptr, t) {
        CHECK(torsh_tensor_data_ptr(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_ndim, t) {
        CHECK_EQ(torsh_tensor_ndim(NULL), -1);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_shape, t) {
        CHECK(torsh_tensor_shape(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_strides, t) {
        CHECK(torsh_tensor_strides(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_dtype, t) {
        CHECK_EQ(torsh_tensor_dtype(NULL), TORSH_DTYPE_INVALID);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_numel, t) {
        CHECK_EQ(torsh_tensor_numel(NULL), -1);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_nbytes, t) {
        CHECK_EQ(torsh_tensor_nbytes(NULL), -1);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_is_contiguous, t) {
        CHECK_EQ(torsh_tensor_is_contiguous(NULL), -1);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_retain, t)
        CHECK_STATUS(torsh_tensor_retain(NULL), TORSH_ERR_NULL_ARGUMENT);
    NULL_TEST(torsh_tensor_release, t) {
        CHECK_OK(torsh_tensor_release(NULL));
        CHECK_LAST_ERROR(TORSH_OK);
    }
    NULL_TEST(torsh_tensor_free, t) {
        CHECK_OK(torsh_tensor_free(NULL));
        CHECK_LAST_ERROR(TORSH_OK);
    }
    NULL_TEST(torsh_tensor_refcount, t) {
        CHECK_EQ(torsh_tensor_refcount(NULL), -1);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
}

static void test_null_pools(void) {
    torsh_memory_pool_t *pool = torsh_memory_pool_new(1024);
    NULL_TEST(torsh_memory_pool_new_with_error, err) {
        torsh_memory_pool_t *p = torsh_memory_pool_new_with_error(64, NULL);
        CHECK(p != NULL);
        torsh_memory_pool_free(p);
        CHECK_TWIN_FAILS_QUIETLY(torsh_memory_pool_new_with_error(0, NULL),
                                 TORSH_ERR_INVALID_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_from_pool, pool) {
        CHECK(torsh_tensor_from_pool(NULL, shape2, 2, TORSH_F32) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_from_pool, shape) {
        CHECK(torsh_tensor_from_pool(pool, NULL, 2, TORSH_F32) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_from_pool_with_error, pool) {
        torsh_error_t *err = NULL;
        CHECK(torsh_tensor_from_pool_with_error(NULL, shape2, 2, TORSH_F32, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_tensor_from_pool_with_error, shape) {
        torsh_error_t *err = NULL;
        CHECK(torsh_tensor_from_pool_with_error(pool, NULL, 2, TORSH_F32, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_tensor_from_pool_with_error, err) {
        torsh_tensor_t *t = torsh_tensor_from_pool_with_error(pool, shape2, 2, TORSH_F32, NULL);
        CHECK(t != NULL);
        torsh_tensor_release(t);
        CHECK_TWIN_FAILS_QUIETLY(
            torsh_tensor_from_pool_with_error(NULL, shape2, 2, TORSH_F32, NULL),
            TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_memory_pool_reset, pool)
        CHECK_STATUS(torsh_memory_pool_reset(NULL), TORSH_ERR_NULL_ARGUMENT);
    NULL_TEST(torsh_memory_pool_used, pool) {
        CHECK_EQ(torsh_memory_pool_used(NULL), -1);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_memory_pool_capacity, pool) {
        CHECK_EQ(torsh_memory_pool_capacity(NULL), -1);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_memory_pool_free, pool) {
        CHECK_OK(torsh_memory_pool_free(NULL));
        CHECK_LAST_ERROR(TORSH_OK);
    }
    torsh_memory_pool_free(pool);
}

static void test_null_launch(void) {
    int64_t sizes[] = {0};
    void *buffers[] = {NULL};
    NULL_TEST(torsh_launch, kernel)
        CHECK_STATUS(torsh_launch(NULL, buffers, sizes, 4, 1), TORSH_ERR_NULL_ARGUMENT);
    NULL_TEST(torsh_launch, buffers)
        CHECK_STATUS(torsh_launch(noop_kernel, NULL, sizes, 4, 1), TORSH_ERR_NULL_ARGUMENT);
    NULL_TEST(torsh_launch, sizes)
        CHECK_STATUS(torsh_launch(noop_kernel, buffers, NULL, 4, 1), TORSH_ERR_NULL_ARGUMENT);
}

static void test_null_plans(void) {
    torsh_plan_t *plan = torsh_plan_new(1);
    int slot;
    int slots[] = {0};
    int64_t sizes[] = {1};
    NULL_TEST(torsh_plan_new_with_error, err) {
        torsh_plan_t *p = torsh_plan_new_with_error(0, NULL);
        CHECK(p != NULL);
        torsh_plan_free(p);
        CHECK_TWIN_FAILS_QUIETLY(torsh_plan_new_with_error(-1, NULL), TORSH_ERR_INVALID_ARGUMENT);
    }
    NULL_TEST(torsh_plan_add_scratch, plan)
        CHECK_STATUS(torsh_plan_add_scratch(NULL, 8, &slot), TORSH_ERR_NULL_ARGUMENT);
    NULL_TEST(torsh_plan_add_scratch, slot)
        CHECK_STATUS(torsh_plan_add_scratch(plan, 8, NULL), TORSH_ERR_NULL_ARGUMENT);
    NULL_TEST(torsh_plan_add_launch, plan)
        CHECK_STATUS(torsh_plan_add_launch(NULL, noop_kernel, slots, 1, sizes, 1, 1, 1),
                     TORSH_ERR_NULL_ARGUMENT);
    NULL_TEST(torsh_plan_add_launch, kernel)
        CHECK_STATUS(torsh_plan_add_launch(plan, NULL, slots, 1, sizes, 1, 1, 1),
                     TORSH_ERR_NULL_ARGUMENT);
    NULL_TEST(torsh_plan_add_launch, buffer_slots) {
        CHECK_STATUS(torsh_plan_add_launch(plan, noop_kernel, NULL, 1, sizes, 1, 1, 1),
                     TORSH_ERR_NULL_ARGUMENT);
        /* NULL with a count of 0 is an empty list. */
        CHECK_OK(torsh_plan_add_launch(plan, noop_kernel, NULL, 0, sizes, 1, 1, 1));
    }
    NULL_TEST(torsh_plan_add_launch, sizes) {
        CHECK_STATUS(torsh_plan_add_launch(plan, noop_kernel, slots, 1, NULL, 1, 1, 1),
                     TORSH_ERR_NULL_ARGUMENT);
        CHECK_OK(torsh_plan_add_launch(plan, noop_kernel, slots, 1, NULL, 0, 1, 1));
    }
    NULL_TEST(torsh_plan_run, plan)
        CHECK_STATUS(torsh_plan_run(NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    NULL_TEST(torsh_plan_run, slot_ptrs) {
        CHECK_STATUS(torsh_plan_run(plan, NULL), TORSH_ERR_NULL_ARGUMENT);
        void *null_slot[] = {NULL};
        CHECK_STATUS(torsh_plan_run(plan, null_slot), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_plan_num_launches, plan) {
        CHECK_EQ(torsh_plan_num_launches(NULL), -1);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_plan_scratch_bytes, plan) {
        CHECK_EQ(torsh_plan_scratch_bytes(NULL), -1);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_plan_free, plan) {
        CHECK_OK(torsh_plan_free(NULL));
        CHECK_LAST_ERROR(TORSH_OK);
    }
    torsh_plan_free(plan);
}

int main(void) {
    RUN(test_null_errors);
    RUN(test_null_memory);
    RUN(test_null_creation);
    RUN(test_null_views);
    RUN(test_null_accessors);
    RUN(test_null_pools);
    RUN(test_null_launch);
    RUN(test_null_plans);
    th_check_nothing_live("end of test_null");
    torsh_cleanup();
    return th_finish();
}
