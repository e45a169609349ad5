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

/* ------------------------------------------------------------ the tensor API */

static void test_null_binary_ops(void) {
    torsh_tensor_t *x = torsh_tensor_from_array(data4, shape2, 2, TORSH_F32);
    const int64_t labels[] = {0, 1}, n_labels = 2;
    torsh_tensor_t *target = torsh_tensor_from_array(labels, &n_labels, 1, TORSH_I64);
    NULL_TEST(torsh_add, a) {
        CHECK(torsh_add(NULL, x) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_add, b) {
        CHECK(torsh_add(x, NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_add_with_error, a) {
        torsh_error_t *err = NULL;
        CHECK(torsh_add_with_error(NULL, x, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_add_with_error, b) {
        torsh_error_t *err = NULL;
        CHECK(torsh_add_with_error(x, NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_add_with_error, err) {
        torsh_tensor_t *r = torsh_add_with_error(x, x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_add_with_error(x, NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_sub, a) {
        CHECK(torsh_sub(NULL, x) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_sub, b) {
        CHECK(torsh_sub(x, NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_sub_with_error, a) {
        torsh_error_t *err = NULL;
        CHECK(torsh_sub_with_error(NULL, x, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_sub_with_error, b) {
        torsh_error_t *err = NULL;
        CHECK(torsh_sub_with_error(x, NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_sub_with_error, err) {
        torsh_tensor_t *r = torsh_sub_with_error(x, x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_sub_with_error(x, NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_mul, a) {
        CHECK(torsh_mul(NULL, x) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_mul, b) {
        CHECK(torsh_mul(x, NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_mul_with_error, a) {
        torsh_error_t *err = NULL;
        CHECK(torsh_mul_with_error(NULL, x, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_mul_with_error, b) {
        torsh_error_t *err = NULL;
        CHECK(torsh_mul_with_error(x, NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_mul_with_error, err) {
        torsh_tensor_t *r = torsh_mul_with_error(x, x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_mul_with_error(x, NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_div, a) {
        CHECK(torsh_div(NULL, x) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_div, b) {
        CHECK(torsh_div(x, NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_div_with_error, a) {
        torsh_error_t *err = NULL;
        CHECK(torsh_div_with_error(NULL, x, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_div_with_error, b) {
        torsh_error_t *err = NULL;
        CHECK(torsh_div_with_error(x, NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_div_with_error, err) {
        torsh_tensor_t *r = torsh_div_with_error(x, x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_div_with_error(x, NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_pow, a) {
        CHECK(torsh_pow(NULL, x) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_pow, b) {
        CHECK(torsh_pow(x, NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_pow_with_error, a) {
        torsh_error_t *err = NULL;
        CHECK(torsh_pow_with_error(NULL, x, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_pow_with_error, b) {
        torsh_error_t *err = NULL;
        CHECK(torsh_pow_with_error(x, NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_pow_with_error, err) {
        torsh_tensor_t *r = torsh_pow_with_error(x, x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_pow_with_error(x, NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_matmul, a) {
        CHECK(torsh_matmul(NULL, x) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_matmul, b) {
        CHECK(torsh_matmul(x, NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_matmul_with_error, a) {
        torsh_error_t *err = NULL;
        CHECK(torsh_matmul_with_error(NULL, x, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_matmul_with_error, b) {
        torsh_error_t *err = NULL;
        CHECK(torsh_matmul_with_error(x, NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_matmul_with_error, err) {
        torsh_tensor_t *r = torsh_matmul_with_error(x, x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_matmul_with_error(x, NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_mse_loss, input) {
        CHECK(torsh_mse_loss(NULL, x) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_mse_loss, target) {
        CHECK(torsh_mse_loss(x, NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_mse_loss_with_error, input) {
        torsh_error_t *err = NULL;
        CHECK(torsh_mse_loss_with_error(NULL, x, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_mse_loss_with_error, target) {
        torsh_error_t *err = NULL;
        CHECK(torsh_mse_loss_with_error(x, NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_mse_loss_with_error, err) {
        torsh_tensor_t *r = torsh_mse_loss_with_error(x, x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_mse_loss_with_error(x, NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_cross_entropy, logits) {
        CHECK(torsh_cross_entropy(NULL, target) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_cross_entropy, target) {
        CHECK(torsh_cross_entropy(x, NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_cross_entropy_with_error, logits) {
        torsh_error_t *err = NULL;
        CHECK(torsh_cross_entropy_with_error(NULL, target, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_cross_entropy_with_error, target) {
        torsh_error_t *err = NULL;
        CHECK(torsh_cross_entropy_with_error(x, NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_cross_entropy_with_error, err) {
        torsh_tensor_t *r = torsh_cross_entropy_with_error(x, target, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_cross_entropy_with_error(x, NULL, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    torsh_tensor_release(target);
    torsh_tensor_release(x);
}

static void test_null_unary_ops(void) {
    torsh_tensor_t *x = torsh_tensor_from_array(data4, shape2, 2, TORSH_F32);
    NULL_TEST(torsh_neg, t) {
        CHECK(torsh_neg(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_neg_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_neg_with_error(NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_neg_with_error, err) {
        torsh_tensor_t *r = torsh_neg_with_error(x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_neg_with_error(NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_exp, t) {
        CHECK(torsh_exp(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_exp_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_exp_with_error(NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_exp_with_error, err) {
        torsh_tensor_t *r = torsh_exp_with_error(x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_exp_with_error(NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_log, t) {
        CHECK(torsh_log(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_log_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_log_with_error(NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_log_with_error, err) {
        torsh_tensor_t *r = torsh_log_with_error(x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_log_with_error(NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_sqrt, t) {
        CHECK(torsh_sqrt(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_sqrt_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_sqrt_with_error(NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_sqrt_with_error, err) {
        torsh_tensor_t *r = torsh_sqrt_with_error(x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_sqrt_with_error(NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tanh, t) {
        CHECK(torsh_tanh(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tanh_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_tanh_with_error(NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_tanh_with_error, err) {
        torsh_tensor_t *r = torsh_tanh_with_error(x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_tanh_with_error(NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_sigmoid, t) {
        CHECK(torsh_sigmoid(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_sigmoid_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_sigmoid_with_error(NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_sigmoid_with_error, err) {
        torsh_tensor_t *r = torsh_sigmoid_with_error(x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_sigmoid_with_error(NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_relu, t) {
        CHECK(torsh_relu(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_relu_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_relu_with_error(NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_relu_with_error, err) {
        torsh_tensor_t *r = torsh_relu_with_error(x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_relu_with_error(NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_gelu, t) {
        CHECK(torsh_gelu(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_gelu_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_gelu_with_error(NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_gelu_with_error, err) {
        torsh_tensor_t *r = torsh_gelu_with_error(x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_gelu_with_error(NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_sum, t) {
        CHECK(torsh_sum(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_sum_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_sum_with_error(NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_sum_with_error, err) {
        torsh_tensor_t *r = torsh_sum_with_error(x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_sum_with_error(NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_mean, t) {
        CHECK(torsh_mean(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_mean_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_mean_with_error(NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_mean_with_error, err) {
        torsh_tensor_t *r = torsh_mean_with_error(x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_mean_with_error(NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_max, t) {
        CHECK(torsh_max(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_max_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_max_with_error(NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_max_with_error, err) {
        torsh_tensor_t *r = torsh_max_with_error(x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_max_with_error(NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_contiguous, t) {
        CHECK(torsh_contiguous(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_contiguous_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_contiguous_with_error(NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_contiguous_with_error, err) {
        torsh_tensor_t *r = torsh_contiguous_with_error(x, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_contiguous_with_error(NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_sum_dim, t) {
        CHECK(torsh_sum_dim(NULL, 1, true) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_sum_dim_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_sum_dim_with_error(NULL, 1, true, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_sum_dim_with_error, err) {
        torsh_tensor_t *r = torsh_sum_dim_with_error(x, 1, true, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_sum_dim_with_error(NULL, 1, true, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_mean_dim, t) {
        CHECK(torsh_mean_dim(NULL, 1, true) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_mean_dim_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_mean_dim_with_error(NULL, 1, true, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_mean_dim_with_error, err) {
        torsh_tensor_t *r = torsh_mean_dim_with_error(x, 1, true, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_mean_dim_with_error(NULL, 1, true, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_max_dim, t) {
        CHECK(torsh_max_dim(NULL, 1, true) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_max_dim_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_max_dim_with_error(NULL, 1, true, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_max_dim_with_error, err) {
        torsh_tensor_t *r = torsh_max_dim_with_error(x, 1, true, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_max_dim_with_error(NULL, 1, true, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_softmax, t) {
        CHECK(torsh_softmax(NULL, -1) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_softmax_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_softmax_with_error(NULL, -1, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_softmax_with_error, err) {
        torsh_tensor_t *r = torsh_softmax_with_error(x, -1, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_softmax_with_error(NULL, -1, NULL), TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_log_softmax, t) {
        CHECK(torsh_log_softmax(NULL, -1) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_log_softmax_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_log_softmax_with_error(NULL, -1, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_log_softmax_with_error, err) {
        torsh_tensor_t *r = torsh_log_softmax_with_error(x, -1, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_log_softmax_with_error(NULL, -1, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_transpose, t) {
        CHECK(torsh_transpose(NULL, 0, 1) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_transpose_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_transpose_with_error(NULL, 0, 1, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_transpose_with_error, err) {
        torsh_tensor_t *r = torsh_transpose_with_error(x, 0, 1, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_transpose_with_error(NULL, 0, 1, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_cast, t) {
        CHECK(torsh_cast(NULL, TORSH_I32) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_cast_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_cast_with_error(NULL, TORSH_I32, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_cast_with_error, err) {
        torsh_tensor_t *r = torsh_cast_with_error(x, TORSH_I32, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_cast_with_error(NULL, TORSH_I32, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    torsh_tensor_release(x);
}

static void test_null_random(void) {
    NULL_TEST(torsh_tensor_rand, shape) {
        CHECK(torsh_tensor_rand(NULL, 2, TORSH_F32) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
        torsh_tensor_t *scalar = torsh_tensor_rand(NULL, 0, TORSH_F32);
        CHECK(scalar != NULL); /* NULL shape is fine for a 0-d tensor */
        torsh_tensor_release(scalar);
    }
    NULL_TEST(torsh_tensor_rand_with_error, shape) {
        torsh_error_t *err = NULL;
        CHECK(torsh_tensor_rand_with_error(NULL, 2, TORSH_F32, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_tensor_rand_with_error, err) {
        torsh_tensor_t *t = torsh_tensor_rand_with_error(shape2, 2, TORSH_F32, NULL);
        CHECK(t != NULL);
        torsh_tensor_release(t);
        CHECK_TWIN_FAILS_QUIETLY(torsh_tensor_rand_with_error(NULL, 2, TORSH_F32, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_randn, shape) {
        CHECK(torsh_tensor_randn(NULL, 2, TORSH_F64) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
        torsh_tensor_t *scalar = torsh_tensor_randn(NULL, 0, TORSH_F64);
        CHECK(scalar != NULL);
        torsh_tensor_release(scalar);
    }
    NULL_TEST(torsh_tensor_randn_with_error, shape) {
        torsh_error_t *err = NULL;
        CHECK(torsh_tensor_randn_with_error(NULL, 2, TORSH_F32, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_tensor_randn_with_error, err) {
        torsh_tensor_t *t = torsh_tensor_randn_with_error(shape2, 2, TORSH_F32, NULL);
        CHECK(t != NULL);
        torsh_tensor_release(t);
        CHECK_TWIN_FAILS_QUIETLY(torsh_tensor_randn_with_error(NULL, 2, TORSH_F32, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
}

static void test_null_shape_ops(void) {
    torsh_tensor_t *t = torsh_tensor_from_array(data4, shape2, 2, TORSH_F32);
    const int64_t flat[] = {4}, one = 1;
    NULL_TEST(torsh_reshape, t) {
        CHECK(torsh_reshape(NULL, flat, 1) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_reshape, shape) {
        CHECK(torsh_reshape(t, NULL, 1) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
        /* NULL is fine for ndim 0: a one-element tensor becomes 0-d. */
        torsh_tensor_t *single = torsh_tensor_from_array(data4, &one, 1, TORSH_F32);
        torsh_tensor_t *scalar = torsh_reshape(single, NULL, 0);
        CHECK(scalar != NULL);
        CHECK_EQ(torsh_tensor_ndim(scalar), 0);
        torsh_tensor_release(scalar);
        torsh_tensor_release(single);
    }
    NULL_TEST(torsh_reshape_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_reshape_with_error(NULL, flat, 1, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_reshape_with_error, shape) {
        torsh_error_t *err = NULL;
        CHECK(torsh_reshape_with_error(t, NULL, 1, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_reshape_with_error, err) {
        torsh_tensor_t *r = torsh_reshape_with_error(t, flat, 1, NULL);
        CHECK(r != NULL);
        torsh_tensor_release(r);
        CHECK_TWIN_FAILS_QUIETLY(torsh_reshape_with_error(t, NULL, 1, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }

    torsh_tensor_t *src = torsh_tensor_from_array(data4, shape2, 2, TORSH_F32);
    NULL_TEST(torsh_fill, t) CHECK_STATUS(torsh_fill(NULL, 1.0), TORSH_ERR_NULL_ARGUMENT);
    NULL_TEST(torsh_fill_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK_STATUS(torsh_fill_with_error(NULL, 1.0, &err), TORSH_ERR_NULL_ARGUMENT);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_fill_with_error, err) {
        CHECK_OK(torsh_fill_with_error(t, 7.0, NULL));
        CHECK(th_at(t, 3) == 7.0f);
        CHECK_STATUS(torsh_fill_with_error(NULL, 1.0, NULL), TORSH_ERR_NULL_ARGUMENT);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_copy, dst) CHECK_STATUS(torsh_copy(NULL, src), TORSH_ERR_NULL_ARGUMENT);
    NULL_TEST(torsh_copy, src) CHECK_STATUS(torsh_copy(t, NULL), TORSH_ERR_NULL_ARGUMENT);
    NULL_TEST(torsh_copy_with_error, dst) {
        torsh_error_t *err = NULL;
        CHECK_STATUS(torsh_copy_with_error(NULL, src, &err), TORSH_ERR_NULL_ARGUMENT);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_copy_with_error, src) {
        torsh_error_t *err = NULL;
        CHECK_STATUS(torsh_copy_with_error(t, NULL, &err), TORSH_ERR_NULL_ARGUMENT);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_copy_with_error, err) {
        CHECK_OK(torsh_copy_with_error(t, src, NULL));
        CHECK(th_at(t, 3) == 4.0f);
        CHECK_STATUS(torsh_copy_with_error(t, NULL, NULL), TORSH_ERR_NULL_ARGUMENT);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    torsh_tensor_release(src);
    torsh_tensor_release(t);
}

static void test_null_autograd(void) {
    torsh_tensor_t *x = torsh_tensor_from_array(data4, shape2, 2, TORSH_F32);
    NULL_TEST(torsh_tensor_set_requires_grad, t)
        CHECK_STATUS(torsh_tensor_set_requires_grad(NULL, true), TORSH_ERR_NULL_ARGUMENT);
    NULL_TEST(torsh_tensor_requires_grad, t) {
        CHECK_EQ(torsh_tensor_requires_grad(NULL), -1);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_grad, t) {
        CHECK(torsh_tensor_grad(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_grad_with_error, t) {
        torsh_error_t *err = NULL;
        CHECK(torsh_tensor_grad_with_error(NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_tensor_grad_with_error, err) {
        /* No gradient yet: NULL with the last error left at TORSH_OK, and no error object. */
        torsh_error_t *err = NULL;
        CHECK(torsh_tensor_grad_with_error(x, &err) == NULL);
        CHECK(err == NULL);
        CHECK(torsh_tensor_grad_with_error(x, NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_OK);
        CHECK_OK(torsh_tensor_set_requires_grad(x, true));
        torsh_tensor_t *loss = torsh_sum(x);
        CHECK_OK(torsh_backward(loss, false));
        torsh_tensor_t *g = torsh_tensor_grad_with_error(x, NULL);
        CHECK(g != NULL);
        CHECK(th_at(g, 0) == 1.0f);
        torsh_tensor_release(g);
        torsh_tensor_release(loss);
        CHECK_TWIN_FAILS_QUIETLY(torsh_tensor_grad_with_error(NULL, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_tensor_zero_grad, t)
        CHECK_STATUS(torsh_tensor_zero_grad(NULL), TORSH_ERR_NULL_ARGUMENT);
    NULL_TEST(torsh_backward, loss)
        CHECK_STATUS(torsh_backward(NULL, false), TORSH_ERR_NULL_ARGUMENT);
    torsh_tensor_release(x);
}

static void test_null_modules(void) {
    torsh_tensor_t *x = torsh_tensor_from_array(data4, shape2, 2, TORSH_F32);
    torsh_module_t *linear = torsh_linear_new(2, 3, true);
    NULL_TEST(torsh_sequential_new_with_error, err) {
        torsh_module_t *m = torsh_sequential_new_with_error(NULL);
        CHECK(m != NULL);
        CHECK_OK(torsh_module_free(m));
        torsh_set_memory_limit(1);
        CHECK_TWIN_FAILS_QUIETLY(torsh_sequential_new_with_error(NULL), TORSH_ERR_OUT_OF_MEMORY);
        torsh_set_memory_limit(0);
    }
    NULL_TEST(torsh_linear_new_with_error, err) {
        torsh_module_t *m = torsh_linear_new_with_error(2, 2, false, NULL);
        CHECK(m != NULL);
        CHECK_OK(torsh_module_free(m));
        CHECK_TWIN_FAILS_QUIETLY(torsh_linear_new_with_error(0, 2, true, NULL),
                                 TORSH_ERR_INVALID_ARGUMENT);
    }
    NULL_TEST(torsh_relu_new_with_error, err) {
        torsh_module_t *m = torsh_relu_new_with_error(NULL);
        CHECK(m != NULL);
        CHECK_OK(torsh_module_free(m));
        torsh_set_memory_limit(1);
        CHECK_TWIN_FAILS_QUIETLY(torsh_relu_new_with_error(NULL), TORSH_ERR_OUT_OF_MEMORY);
        torsh_set_memory_limit(0);
    }
    NULL_TEST(torsh_sigmoid_new_with_error, err) {
        torsh_module_t *m = torsh_sigmoid_new_with_error(NULL);
        CHECK(m != NULL);
        CHECK_OK(torsh_module_free(m));
        torsh_set_memory_limit(1);
        CHECK_TWIN_FAILS_QUIETLY(torsh_sigmoid_new_with_error(NULL), TORSH_ERR_OUT_OF_MEMORY);
        torsh_set_memory_limit(0);
    }
    NULL_TEST(torsh_tanh_new_with_error, err) {
        torsh_module_t *m = torsh_tanh_new_with_error(NULL);
        CHECK(m != NULL);
        CHECK_OK(torsh_module_free(m));
        torsh_set_memory_limit(1);
        CHECK_TWIN_FAILS_QUIETLY(torsh_tanh_new_with_error(NULL), TORSH_ERR_OUT_OF_MEMORY);
        torsh_set_memory_limit(0);
    }
    NULL_TEST(torsh_sequential_add, sequential) {
        /* The module is taken over even though the call fails: freed, nothing leaks. */
        torsh_module_t *relu = torsh_relu_new();
        CHECK_STATUS(torsh_sequential_add(NULL, relu), TORSH_ERR_NULL_ARGUMENT);
        CHECK_STATUS(torsh_module_free(relu), TORSH_ERR_INVALID_HANDLE);
    }
    NULL_TEST(torsh_sequential_add, module) {
        torsh_module_t *seq = torsh_sequential_new();
        CHECK_STATUS(torsh_sequential_add(seq, NULL), TORSH_ERR_NULL_ARGUMENT);
        torsh_params_t *p = torsh_module_parameters(seq);
        CHECK_EQ(torsh_params_count(p), 0);
        torsh_params_free(p);
        CHECK_OK(torsh_module_free(seq));
    }
    NULL_TEST(torsh_module_forward, module) {
        CHECK(torsh_module_forward(NULL, x) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_module_forward, input) {
        CHECK(torsh_module_forward(linear, NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_module_forward_with_error, module) {
        torsh_error_t *err = NULL;
        CHECK(torsh_module_forward_with_error(NULL, x, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_module_forward_with_error, input) {
        torsh_error_t *err = NULL;
        CHECK(torsh_module_forward_with_error(linear, NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_module_forward_with_error, err) {
        torsh_tensor_t *y = torsh_module_forward_with_error(linear, x, NULL);
        CHECK(y != NULL);
        torsh_tensor_release(y);
        CHECK_TWIN_FAILS_QUIETLY(torsh_module_forward_with_error(linear, NULL, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_module_parameters, module) {
        CHECK(torsh_module_parameters(NULL) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_module_parameters_with_error, module) {
        torsh_error_t *err = NULL;
        CHECK(torsh_module_parameters_with_error(NULL, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_module_parameters_with_error, err) {
        torsh_params_t *p = torsh_module_parameters_with_error(linear, NULL);
        CHECK_EQ(torsh_params_count(p), 2);
        CHECK_OK(torsh_params_free(p));
        CHECK_TWIN_FAILS_QUIETLY(torsh_module_parameters_with_error(NULL, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_module_free, module) {
        CHECK_OK(torsh_module_free(NULL));
        CHECK_LAST_ERROR(TORSH_OK);
    }
    torsh_module_free(linear);
    torsh_tensor_release(x);
}

static void test_null_params_and_optimizers(void) {
    torsh_module_t *linear = torsh_linear_new(2, 3, true);
    torsh_params_t *params = torsh_module_parameters(linear);
    NULL_TEST(torsh_params_count, params) {
        CHECK_EQ(torsh_params_count(NULL), -1);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_params_get, params) {
        CHECK(torsh_params_get(NULL, 0) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_params_get_with_error, params) {
        torsh_error_t *err = NULL;
        CHECK(torsh_params_get_with_error(NULL, 0, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_params_get_with_error, err) {
        torsh_tensor_t *w = torsh_params_get_with_error(params, 0, NULL); /* borrowed */
        CHECK(w != NULL);
        CHECK_EQ(torsh_tensor_numel(w), 6);
        CHECK_TWIN_FAILS_QUIETLY(torsh_params_get_with_error(params, 2, NULL), TORSH_ERR_INDEX);
        CHECK_TWIN_FAILS_QUIETLY(torsh_params_get_with_error(NULL, 0, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_params_free, params) {
        CHECK_OK(torsh_params_free(NULL));
        CHECK_LAST_ERROR(TORSH_OK);
    }
    torsh_params_free(params);

    /* The optimizers take over their list, even when they fail: every list below is
     * fresh, and none is freed here after it was handed over. */
    NULL_TEST(torsh_sgd_new, params) {
        CHECK(torsh_sgd_new(NULL, 0.1, 0.0) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_sgd_new_with_error, params) {
        torsh_error_t *err = NULL;
        CHECK(torsh_sgd_new_with_error(NULL, 0.1, 0.0, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_sgd_new_with_error, err) {
        torsh_optimizer_t *opt =
            torsh_sgd_new_with_error(torsh_module_parameters(linear), 0.1, 0.9, NULL);
        CHECK(opt != NULL);
        CHECK_OK(torsh_optimizer_free(opt));
        torsh_params_t *bad = torsh_module_parameters(linear);
        CHECK_TWIN_FAILS_QUIETLY(torsh_sgd_new_with_error(bad, -1.0, 0.0, NULL),
                                 TORSH_ERR_INVALID_ARGUMENT);
        CHECK_EQ(torsh_params_count(bad), -1); /* taken over: freed */
        CHECK_LAST_ERROR(TORSH_ERR_INVALID_HANDLE);
        CHECK_TWIN_FAILS_QUIETLY(torsh_sgd_new_with_error(NULL, 0.1, 0.0, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_adam_new, params) {
        CHECK(torsh_adam_new(NULL, 1e-3, 0.9, 0.999, 1e-8) == NULL);
        CHECK_LAST_ERROR(TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_adam_new_with_error, params) {
        torsh_error_t *err = NULL;
        CHECK(torsh_adam_new_with_error(NULL, 1e-3, 0.9, 0.999, 1e-8, &err) == NULL);
        CHECK_EQ(torsh_error_code(err), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(err);
    }
    NULL_TEST(torsh_adam_new_with_error, err) {
        torsh_optimizer_t *opt = torsh_adam_new_with_error(torsh_module_parameters(linear), 1e-3,
                                                           0.9, 0.999, 1e-8, NULL);
        CHECK(opt != NULL);
        CHECK_OK(torsh_optimizer_free(opt));
        torsh_params_t *bad = torsh_module_parameters(linear);
        CHECK_TWIN_FAILS_QUIETLY(torsh_adam_new_with_error(bad, 1e-3, 1.5, 0.999, 1e-8, NULL),
                                 TORSH_ERR_INVALID_ARGUMENT);
        CHECK_EQ(torsh_params_count(bad), -1);
        CHECK_TWIN_FAILS_QUIETLY(torsh_adam_new_with_error(NULL, 1e-3, 0.9, 0.999, 1e-8, NULL),
                                 TORSH_ERR_NULL_ARGUMENT);
    }
    NULL_TEST(torsh_optimizer_zero_grad, optimizer)
        CHECK_STATUS(torsh_optimizer_zero_grad(NULL), TORSH_ERR_NULL_ARGUMENT);
    NULL_TEST(torsh_optimizer_step, optimizer)
        CHECK_STATUS(torsh_optimizer_step(NULL), TORSH_ERR_NULL_ARGUMENT);
    NULL_TEST(torsh_optimizer_free, optimizer) {
        CHECK_OK(torsh_optimizer_free(NULL));
        CHECK_LAST_ERROR(TORSH_OK);
    }
    torsh_module_free(linear);
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
    RUN(test_null_random);
    RUN(test_null_binary_ops);
    RUN(test_null_unary_ops);
    RUN(test_null_shape_ops);
    RUN(test_null_autograd);
    RUN(test_null_modules);
    RUN(test_null_params_and_optimizers);
    th_check_nothing_live("end of test_null");
    torsh_cleanup();
    return th_finish();
}
