/* test_api.c: versions, errors, tensors, memory and pools on valid and invalid input.
 * (Threads, launches, plans and the lifecycle are in test_launch.c.) */
#include "harness.h"

#include <stdatomic.h>
#include <stdint.h>

static const int64_t shape_2x3[] = {2, 3};

/* ------------------------------------------------------------ versions, statuses */

static void test_versions(void) {
    CHECK_EQ(TORSH_VERSION_NUMBER, 100);
    CHECK_EQ(torsh_version_number(), TORSH_VERSION_NUMBER);
    CHECK(strcmp(torsh_version_string(), "0.1.0") == 0);
    CHECK_OK(torsh_init());
    CHECK_OK(torsh_init()); /* idempotent */
}

static void test_status_strings(void) {
    for (int code = TORSH_OK; code <= TORSH_ERR_VERSION_MISMATCH; code++) {
        const char *s = torsh_status_string((torsh_status_t)code);
        CHECK(s != NULL && strlen(s) > 0 && strcmp(s, "unknown status") != 0);
        for (int other = TORSH_OK; other < code; other++)
            CHECK(strcmp(s, torsh_status_string((torsh_status_t)other)) != 0);
    }
    CHECK(strcmp(torsh_status_string(TORSH_ERR_OUT_OF_MEMORY), "out of memory") == 0);
    CHECK(strcmp(torsh_status_string((torsh_status_t)999), "unknown status") == 0);
    /* The numbers are part of the ABI (torsh/errors.py uses them). */
    CHECK_EQ(TORSH_ERR_NULL_ARGUMENT, 1);
    CHECK_EQ(TORSH_ERR_INVALID_HANDLE, 2);
    CHECK_EQ(TORSH_ERR_SHAPE_MISMATCH, 3);
    CHECK_EQ(TORSH_ERR_DTYPE, 4);
    CHECK_EQ(TORSH_ERR_OUT_OF_MEMORY, 5);
    CHECK_EQ(TORSH_ERR_INDEX, 6);
    CHECK_EQ(TORSH_ERR_NOT_IMPLEMENTED, 7);
    CHECK_EQ(TORSH_ERR_INVALID_ARGUMENT, 8);
    CHECK_EQ(TORSH_ERR_IR_PARSE, 9);
    CHECK_EQ(TORSH_ERR_IR_VERIFY, 10);
    CHECK_EQ(TORSH_ERR_COMPILE, 11);
    CHECK_EQ(TORSH_ERR_INTERNAL, 12);
    CHECK_EQ(TORSH_ERR_VERSION_MISMATCH, 13);
}

static void test_dtype_sizes(void) {
    CHECK_EQ(torsh_dtype_size(TORSH_F32), 4);
    CHECK_EQ(torsh_dtype_size(TORSH_F64), 8);
    CHECK_EQ(torsh_dtype_size(TORSH_I32), 4);
    CHECK_EQ(torsh_dtype_size(TORSH_I64), 8);
    CHECK_EQ(torsh_dtype_size(TORSH_BOOL), 1);
    CHECK_EQ(torsh_dtype_size(TORSH_F16), 2);
    CHECK_EQ(torsh_dtype_size(TORSH_BF16), 2);
    CHECK_EQ(torsh_dtype_size(TORSH_I8), 1);
    CHECK_EQ(torsh_dtype_size(TORSH_U8), 1);
    CHECK_EQ(torsh_dtype_size(TORSH_DTYPE_COUNT), 0);
    CHECK_LAST_ERROR(TORSH_ERR_DTYPE);
    CHECK_EQ(torsh_dtype_size(TORSH_DTYPE_INVALID), 0);
}

/* ------------------------------------------------------------ errors */

static void test_last_error(void) {
    torsh_clear_error();
    CHECK_LAST_ERROR(TORSH_OK);
    CHECK(strcmp(torsh_last_error_message(), "") == 0);
    CHECK(torsh_tensor_empty(shape_2x3, 2, (torsh_dtype_t)42) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_DTYPE);
    CHECK(strstr(torsh_last_error_message(), "torsh_tensor_empty") != NULL);
    CHECK(strstr(torsh_last_error_message(), "42") != NULL);
    /* A success does not clear it (errno-like). */
    torsh_tensor_t *t = th_make_2x3();
    CHECK_LAST_ERROR(TORSH_ERR_DTYPE);
    torsh_clear_error();
    CHECK_LAST_ERROR(TORSH_OK);
    /* Status-returning functions record a message too. */
    CHECK_STATUS(torsh_set_num_threads(-3), TORSH_ERR_INVALID_ARGUMENT);
    CHECK(strstr(torsh_last_error_message(), "-3") != NULL);
    torsh_tensor_release(t);
}

static void test_error_objects(void) {
    torsh_error_t *err = NULL;
    int64_t bad[] = {2, -1};
    CHECK(torsh_tensor_zeros_with_error(bad, 2, TORSH_F32, &err) == NULL);
    CHECK(err != NULL);
    CHECK_EQ(torsh_error_code(err), TORSH_ERR_INVALID_ARGUMENT);
    CHECK(strstr(torsh_error_message(err), "torsh_tensor_zeros") != NULL);
    CHECK(strstr(torsh_error_message(err), "negative") != NULL);
    /* The object keeps its message when the thread's last error changes. */
    torsh_clear_error();
    CHECK(strstr(torsh_error_message(err), "negative") != NULL);
    CHECK_OK(torsh_error_free(err));
    CHECK_OK(torsh_error_free(NULL));
    /* A success leaves *err alone. */
    err = NULL;
    torsh_tensor_t *t = torsh_tensor_zeros_with_error(shape_2x3, 2, TORSH_F32, &err);
    CHECK(t != NULL && err == NULL);
    torsh_tensor_release(t);
}

/* Each _with_error twin reports its failure through *err and returns what its plain
 * twin returns on success. */
static void test_with_error_twins(void) {
    torsh_error_t *err = NULL;
    torsh_tensor_t *base = th_make_2x3();
    int64_t neg[] = {-1};
    int64_t big[] = {7};
    float data[4] = {0};
#define EXPECT_ERROR(call, code)                    \
    do {                                            \
        err = NULL;                                 \
        CHECK((call) == NULL);                      \
        CHECK(err != NULL);                         \
        CHECK_EQ(torsh_error_code(err), code);      \
        CHECK(torsh_error_message(err) != NULL);    \
        CHECK_OK(torsh_error_free(err));            \
    } while (0)
    EXPECT_ERROR(torsh_tensor_from_array_with_error(data, neg, 1, TORSH_F32, &err),
                 TORSH_ERR_INVALID_ARGUMENT);
    EXPECT_ERROR(torsh_tensor_from_blob_with_error(data, neg, NULL, 1, TORSH_F32, NULL, NULL, &err),
                 TORSH_ERR_INVALID_ARGUMENT);
    EXPECT_ERROR(torsh_tensor_empty_with_error(big, 1, (torsh_dtype_t)99, &err), TORSH_ERR_DTYPE);
    EXPECT_ERROR(torsh_tensor_zeros_with_error(big, 1, (torsh_dtype_t)99, &err), TORSH_ERR_DTYPE);
    EXPECT_ERROR(torsh_tensor_view_with_error(base, big, NULL, 1, 0, &err), TORSH_ERR_INDEX);
    EXPECT_ERROR(torsh_tensor_reshape_with_error(base, big, 1, &err), TORSH_ERR_SHAPE_MISMATCH);
    torsh_tensor_t *dead = th_make_2x3();
    torsh_tensor_release(dead);
    EXPECT_ERROR(torsh_tensor_contiguous_with_error(dead, &err), TORSH_ERR_INVALID_HANDLE);
    EXPECT_ERROR(torsh_memory_pool_new_with_error(0, &err), TORSH_ERR_INVALID_ARGUMENT);
    EXPECT_ERROR(torsh_plan_new_with_error(-1, &err), TORSH_ERR_INVALID_ARGUMENT);
    torsh_set_memory_limit(1024);
    EXPECT_ERROR(torsh_malloc_with_error(4096, &err), TORSH_ERR_OUT_OF_MEMORY);
    torsh_set_memory_limit(0);
    torsh_memory_pool_t *pool = torsh_memory_pool_new(64);
    EXPECT_ERROR(torsh_tensor_from_pool_with_error(pool, (int64_t[]){9}, 1, TORSH_F64, &err),
                 TORSH_ERR_OUT_OF_MEMORY);

    /* Successes. */
    err = NULL;
    torsh_tensor_t *ts[8];
    ts[0] = torsh_tensor_from_array_with_error(data, big, 1, TORSH_U8, &err);
    ts[1] = torsh_tensor_from_blob_with_error(data, big, NULL, 1, TORSH_U8, NULL, NULL, &err);
    ts[2] = torsh_tensor_empty_with_error(big, 1, TORSH_F32, &err);
    ts[3] = torsh_tensor_zeros_with_error(big, 1, TORSH_F32, &err);
    ts[4] = torsh_tensor_view_with_error(base, NULL, NULL, 0, 5, &err); /* 0-d: element 5 */
    ts[5] = torsh_tensor_reshape_with_error(base, (int64_t[]){3, 2}, 2, &err);
    ts[6] = torsh_tensor_contiguous_with_error(base, &err);
    ts[7] = torsh_tensor_from_pool_with_error(pool, (int64_t[]){2}, 1, TORSH_F32, &err);
    void *raw = torsh_malloc_with_error(16, &err);
    torsh_plan_t *plan = torsh_plan_new_with_error(1, &err);
    torsh_memory_pool_t *pool2 = torsh_memory_pool_new_with_error(128, &err);
    CHECK(err == NULL);
    for (int i = 0; i < 8; i++) {
        CHECK(ts[i] != NULL);
        torsh_tensor_release(ts[i]);
    }
    CHECK(raw != NULL && plan != NULL && pool2 != NULL);
    torsh_free(raw);
    torsh_plan_free(plan);
    torsh_memory_pool_free(pool2);
    torsh_memory_pool_free(pool);
    torsh_tensor_release(dead); /* already gone: INVALID_HANDLE, harmless */
    torsh_tensor_release(base);
#undef EXPECT_ERROR
}

/* ------------------------------------------------------------ tensors */

static void test_from_array(void) {
    float data[] = {1, 2, 3, 4};
    int64_t shape[] = {2, 2};
    torsh_tensor_t *t = torsh_tensor_from_array(data, shape, 2, TORSH_F32);
    CHECK(t != NULL);
    data[0] = 100; /* copied: the tensor does not see this */
    CHECK(th_at(t, 0) == 1 && th_at(t, 3) == 4);
    CHECK_EQ(torsh_tensor_ndim(t), 2);
    CHECK_EQ(torsh_tensor_shape(t)[0], 2);
    CHECK_EQ(torsh_tensor_shape(t)[1], 2);
    CHECK_EQ(torsh_tensor_strides(t)[0], 2);
    CHECK_EQ(torsh_tensor_strides(t)[1], 1);
    CHECK_EQ(torsh_tensor_dtype(t), TORSH_F32);
    CHECK_EQ(torsh_tensor_numel(t), 4);
    CHECK_EQ(torsh_tensor_nbytes(t), 16);
    CHECK_EQ(torsh_tensor_is_contiguous(t), 1);
    CHECK_EQ(torsh_tensor_refcount(t), 1);
    CHECK_EQ((uintptr_t)torsh_tensor_data_ptr(t) % TORSH_ALIGNMENT, 0);
    CHECK_OK(torsh_tensor_free(t));

    int64_t ishape[] = {3};
    int64_t ivalues[] = {-1, 0, INT64_MAX};
    t = torsh_tensor_from_array(ivalues, ishape, 1, TORSH_I64);
    CHECK(((int64_t *)torsh_tensor_data_ptr(t))[2] == INT64_MAX);
    CHECK_EQ(torsh_tensor_nbytes(t), 24);
    torsh_tensor_release(t);
}

static void test_empty_and_zeros(void) {
    int64_t shape[] = {3, 5, 7};
    torsh_tensor_t *z = torsh_tensor_zeros(shape, 3, TORSH_F64);
    double *d = torsh_tensor_data_ptr(z);
    double sum = 0;
    for (int i = 0; i < 105; i++) sum += d[i] * d[i];
    CHECK(sum == 0);
    CHECK_EQ(torsh_tensor_strides(z)[0], 35);
    torsh_tensor_t *e = torsh_tensor_empty(shape, 3, TORSH_BF16);
    CHECK_EQ(torsh_tensor_nbytes(e), 210);
    CHECK_EQ((uintptr_t)torsh_tensor_data_ptr(e) % 64, 0);
    torsh_tensor_release(z);
    torsh_tensor_release(e);

    /* 0-d: one element, shape may be NULL. */
    torsh_tensor_t *s = torsh_tensor_zeros(NULL, 0, TORSH_I32);
    CHECK_EQ(torsh_tensor_ndim(s), 0);
    CHECK_EQ(torsh_tensor_numel(s), 1);
    CHECK(torsh_tensor_shape(s) != NULL);
    CHECK_EQ(*(int32_t *)torsh_tensor_data_ptr(s), 0);
    torsh_tensor_release(s);

    /* Empty dims are fine and have a data pointer. */
    int64_t empty_shape[] = {4, 0, 2};
    e = torsh_tensor_empty(empty_shape, 3, TORSH_F32);
    CHECK_EQ(torsh_tensor_numel(e), 0);
    CHECK(torsh_tensor_data_ptr(e) != NULL);
    CHECK_EQ(torsh_tensor_is_contiguous(e), 1);
    torsh_tensor_release(e);
}

static void test_shape_validation(void) {
    int64_t neg[] = {2, -3};
    CHECK(torsh_tensor_empty(neg, 2, TORSH_F32) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_INVALID_ARGUMENT);
    int64_t many[TORSH_MAX_NDIM + 1];
    for (int i = 0; i <= TORSH_MAX_NDIM; i++) many[i] = 1;
    CHECK(torsh_tensor_empty(many, TORSH_MAX_NDIM + 1, TORSH_F32) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_INVALID_ARGUMENT);
    torsh_tensor_t *t = torsh_tensor_zeros(many, TORSH_MAX_NDIM, TORSH_U8);
    CHECK(t != NULL);
    torsh_tensor_release(t);
    CHECK(torsh_tensor_empty(many, -1, TORSH_F32) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_INVALID_ARGUMENT);
    int64_t huge[] = {INT64_MAX / 2, 4};
    CHECK(torsh_tensor_empty(huge, 2, TORSH_F32) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_INVALID_ARGUMENT);
    int64_t big[] = {INT64_MAX / 64};
    CHECK(torsh_tensor_empty(big, 1, TORSH_U8) == NULL); /* valid shape, no such memory */
    CHECK_LAST_ERROR(TORSH_ERR_OUT_OF_MEMORY);
    CHECK(torsh_tensor_empty(neg, 1, TORSH_DTYPE_INVALID) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_DTYPE);
}

static atomic_int deleter_calls;
static void *deleter_seen;
static void count_deleter(void *data, void *ctx) {
    deleter_seen = data;
    atomic_fetch_add((atomic_int *)ctx, 1);
}

static void test_from_blob(void) {
    float *blob = malloc(12 * sizeof(float));
    for (int i = 0; i < 12; i++) blob[i] = (float)i;
    int64_t shape[] = {3, 2};
    int64_t strides[] = {4, 2}; /* every other element of rows of 4 */
    atomic_store(&deleter_calls, 0);
    torsh_tensor_t *t =
        torsh_tensor_from_blob(blob, shape, strides, 2, TORSH_F32, count_deleter, &deleter_calls);
    CHECK(t != NULL);
    CHECK(torsh_tensor_data_ptr(t) == blob); /* zero-copy */
    CHECK_EQ(torsh_tensor_is_contiguous(t), 0);
    CHECK_EQ(torsh_tensor_strides(t)[0], 4);
    torsh_tensor_t *c = torsh_tensor_contiguous(t);
    float expect[] = {0, 2, 4, 6, 8, 10};
    for (int i = 0; i < 6; i++) CHECK(th_at(c, i) == expect[i]);
    torsh_tensor_t *v = torsh_tensor_view(t, (int64_t[]){2}, (int64_t[]){1}, 1, 9);
    CHECK(v != NULL && th_at(v, 0) == 9 && th_at(v, 1) == 10); /* storage spans the strided extent */
    CHECK(torsh_tensor_view(t, (int64_t[]){2}, (int64_t[]){1}, 1, 10) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_INDEX);
    torsh_tensor_release(t);
    CHECK_EQ(atomic_load(&deleter_calls), 0); /* the view still uses the blob */
    torsh_tensor_release(v);
    CHECK_EQ(atomic_load(&deleter_calls), 1);
    CHECK(deleter_seen == blob);
    torsh_tensor_release(c);

    /* Without a deleter the caller keeps the memory. */
    t = torsh_tensor_from_blob(blob, shape, NULL, 2, TORSH_F32, NULL, NULL);
    CHECK_EQ(torsh_tensor_is_contiguous(t), 1);
    CHECK(th_at(t, 5) == 5);
    torsh_tensor_release(t);

    /* Misaligned data and negative strides are refused, and the deleter does not run. */
    atomic_store(&deleter_calls, 0);
    CHECK(torsh_tensor_from_blob((char *)blob + 1, shape, NULL, 2, TORSH_F32, count_deleter,
                                 &deleter_calls) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_INVALID_ARGUMENT);
    CHECK(torsh_tensor_from_blob(blob, shape, (int64_t[]){-2, 1}, 2, TORSH_F32, count_deleter,
                                 &deleter_calls) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_INVALID_ARGUMENT);
    CHECK_EQ(atomic_load(&deleter_calls), 0);
    free(blob);
}

static void test_views(void) {
    torsh_tensor_t *t = th_make_2x3();
    /* Transpose: 3x2 with strides (1, 3). */
    torsh_tensor_t *tt = torsh_tensor_view(t, (int64_t[]){3, 2}, (int64_t[]){1, 3}, 2, 0);
    CHECK(tt != NULL);
    CHECK_EQ(torsh_tensor_is_contiguous(tt), 0);
    CHECK(torsh_tensor_data_ptr(tt) == torsh_tensor_data_ptr(t));
    torsh_tensor_t *c = torsh_tensor_contiguous(tt);
    float expect[] = {0, 3, 1, 4, 2, 5};
    for (int i = 0; i < 6; i++) CHECK(th_at(c, i) == expect[i]);
    CHECK(torsh_tensor_data_ptr(c) != torsh_tensor_data_ptr(t));
    /* Contiguous already: the same handle with one more reference. */
    torsh_tensor_t *same = torsh_tensor_contiguous(t);
    CHECK(same == t);
    CHECK_EQ(torsh_tensor_refcount(t), 2);
    torsh_tensor_release(same);
    /* Offset and a row view. */
    torsh_tensor_t *row = torsh_tensor_view(t, (int64_t[]){3}, NULL, 1, 3);
    CHECK(th_at(row, 0) == 3 && th_at(row, 2) == 5);
    CHECK_EQ(torsh_tensor_is_contiguous(row), 1);
    /* A view of a view: offsets add up. */
    torsh_tensor_t *vv = torsh_tensor_view(row, (int64_t[]){1}, NULL, 1, 2);
    CHECK(th_at(vv, 0) == 5);
    /* Negative strides reverse, and stay inside the storage. */
    torsh_tensor_t *rev = torsh_tensor_view(t, (int64_t[]){6}, (int64_t[]){-1}, 1, 5);
    CHECK(rev != NULL && th_at(rev, 0) == 5);
    torsh_tensor_t *rc = torsh_tensor_contiguous(rev);
    for (int i = 0; i < 6; i++) CHECK(th_at(rc, i) == 5 - i);
    CHECK(torsh_tensor_view(t, (int64_t[]){6}, (int64_t[]){-1}, 1, 4) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_INDEX);
    /* Broadcast (stride 0). */
    torsh_tensor_t *bc = torsh_tensor_view(t, (int64_t[]){4, 3}, (int64_t[]){0, 1}, 2, 0);
    torsh_tensor_t *bcc = torsh_tensor_contiguous(bc);
    CHECK(th_at(bcc, 9) == 0 && th_at(bcc, 11) == 2);
    /* Out of range and an empty view at the end. */
    CHECK(torsh_tensor_view(t, (int64_t[]){7}, NULL, 1, 0) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_INDEX);
    CHECK(torsh_tensor_view(t, (int64_t[]){1}, NULL, 1, -1) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_INDEX);
    torsh_tensor_t *end = torsh_tensor_view(t, (int64_t[]){0}, NULL, 1, 6);
    CHECK(end != NULL);
    CHECK(torsh_tensor_view(t, (int64_t[]){0}, NULL, 1, 7) == NULL);
    CHECK(torsh_tensor_view(t, (int64_t[]){2}, (int64_t[]){INT64_MAX}, 1, 0) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_INDEX);
    /* The storage outlives the tensor a view was made from. */
    torsh_tensor_release(t);
    CHECK(th_at(row, 1) == 4);
    torsh_tensor_t *objs[] = {tt, c, row, vv, rev, rc, bc, bcc, end};
    for (size_t i = 0; i < sizeof objs / sizeof *objs; i++) CHECK_OK(torsh_tensor_release(objs[i]));
}

static void test_reshape(void) {
    torsh_tensor_t *t = th_make_2x3();
    torsh_tensor_t *r = torsh_tensor_reshape(t, (int64_t[]){3, -1}, 2);
    CHECK(r != NULL);
    CHECK_EQ(torsh_tensor_shape(r)[1], 2);
    CHECK(torsh_tensor_data_ptr(r) == torsh_tensor_data_ptr(t)); /* a view */
    torsh_tensor_t *flat = torsh_tensor_reshape(t, (int64_t[]){-1}, 1);
    CHECK_EQ(torsh_tensor_shape(flat)[0], 6);
    CHECK(torsh_tensor_reshape(t, (int64_t[]){4, 2}, 2) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_SHAPE_MISMATCH);
    CHECK(torsh_tensor_reshape(t, (int64_t[]){-1, -1}, 2) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_INVALID_ARGUMENT);
    CHECK(torsh_tensor_reshape(t, (int64_t[]){4, -1}, 2) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_SHAPE_MISMATCH);
    CHECK(torsh_tensor_reshape(t, (int64_t[]){6}, TORSH_MAX_NDIM + 1) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_INVALID_ARGUMENT);
    /* A transposed tensor is copied. */
    torsh_tensor_t *tt = torsh_tensor_view(t, (int64_t[]){3, 2}, (int64_t[]){1, 3}, 2, 0);
    torsh_tensor_t *rt = torsh_tensor_reshape(tt, (int64_t[]){6}, 1);
    CHECK(torsh_tensor_data_ptr(rt) != torsh_tensor_data_ptr(t));
    float expect[] = {0, 3, 1, 4, 2, 5};
    for (int i = 0; i < 6; i++) CHECK(th_at(rt, i) == expect[i]);
    /* 0-d from one element. */
    torsh_tensor_t *one = torsh_tensor_view(t, (int64_t[]){1, 1}, NULL, 2, 4);
    torsh_tensor_t *scalar = torsh_tensor_reshape(one, NULL, 0);
    CHECK(scalar != NULL && th_at(scalar, 0) == 4);
    torsh_tensor_t *objs[] = {t, r, flat, tt, rt, one, scalar};
    for (size_t i = 0; i < sizeof objs / sizeof *objs; i++) CHECK_OK(torsh_tensor_release(objs[i]));
}

static void test_refcounts(void) {
    torsh_tensor_t *t = th_make_2x3();
    CHECK_OK(torsh_tensor_retain(t));
    CHECK_OK(torsh_tensor_retain(t));
    CHECK_EQ(torsh_tensor_refcount(t), 3);
    CHECK_OK(torsh_tensor_release(t));
    CHECK_OK(torsh_tensor_free(t));
    CHECK_EQ(torsh_tensor_refcount(t), 1);
    CHECK(th_at(t, 5) == 5);
    CHECK_OK(torsh_tensor_release(t));
    CHECK_EQ(torsh_tensor_refcount(t), -1);
    CHECK_LAST_ERROR(TORSH_ERR_INVALID_HANDLE);
    CHECK_OK(torsh_tensor_release(NULL));
    CHECK_OK(torsh_tensor_free(NULL));
}

/* ------------------------------------------------------------ memory */

static void test_malloc_and_stats(void) {
    torsh_memory_stats_t before, s;
    CHECK_OK(torsh_memory_stats(&before));
    torsh_memory_reset_peak();
    void *p = torsh_malloc(1000);
    CHECK(p != NULL);
    CHECK_EQ((uintptr_t)p % TORSH_ALIGNMENT, 0);
    memset(p, 0xab, 1000);
    void *q = torsh_malloc(0); /* a unique, freeable pointer */
    CHECK(q != NULL && q != p);
    CHECK_OK(torsh_memory_stats(&s));
    CHECK_EQ(s.bytes_live, before.bytes_live + 1000);
    CHECK_EQ(s.allocations_live, before.allocations_live + 2);
    CHECK_EQ(s.allocations_total, before.allocations_total + 2);
    CHECK(s.bytes_peak >= s.bytes_live);
    torsh_free(p);
    torsh_free(q);
    torsh_free(NULL);
    CHECK_OK(torsh_memory_stats(&s));
    CHECK_EQ(s.bytes_live, before.bytes_live);
    CHECK_EQ(s.bytes_peak, before.bytes_live + 1000);
    torsh_memory_reset_peak();
    CHECK_OK(torsh_memory_stats(&s));
    CHECK_EQ(s.bytes_peak, s.bytes_live);
    /* A tensor's allocations are counted and given back. */
    torsh_tensor_t *t = th_make_2x3();
    CHECK_OK(torsh_memory_stats(&s));
    CHECK(s.bytes_live >= before.bytes_live + 24);
    CHECK_EQ(s.handles_live, before.handles_live + 1);
    torsh_tensor_release(t);
    CHECK_OK(torsh_memory_stats(&s));
    CHECK_EQ(s.bytes_live, before.bytes_live);
    CHECK_EQ(s.handles_live, before.handles_live);
    /* Freeing something torsh_malloc did not return is reported, not freed. */
    char *block = torsh_malloc(256);
    memset(block, 0, 256); /* what torsh_free will read as a header is initialized */
    torsh_clear_error();
    torsh_free(block + 128);
    CHECK_LAST_ERROR(TORSH_ERR_INVALID_ARGUMENT);
    torsh_free(block);
}

static void test_memory_limit(void) {
    torsh_memory_stats_t s;
    CHECK_OK(torsh_memory_stats(&s));
    int64_t failed = s.allocations_failed;
    torsh_set_memory_limit((size_t)s.bytes_live + 4096);
    CHECK_EQ(torsh_get_memory_limit(), s.bytes_live + 4096);
    void *a = torsh_malloc(3000);
    CHECK(a != NULL);
    CHECK(torsh_malloc(3000) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_OUT_OF_MEMORY);
    CHECK(strstr(torsh_last_error_message(), "limit") != NULL);
    int64_t shape[] = {1024};
    CHECK(torsh_tensor_zeros(shape, 1, TORSH_F32) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_OUT_OF_MEMORY);
    CHECK_OK(torsh_memory_stats(&s));
    CHECK_EQ(s.limit_bytes, (int64_t)torsh_get_memory_limit());
    CHECK_EQ(s.allocations_failed, failed + 2);
    torsh_free(a);
    torsh_tensor_t *t = torsh_tensor_zeros((int64_t[]){512}, 1, TORSH_F32);
    CHECK(t != NULL);
    torsh_tensor_release(t);
    torsh_set_memory_limit(0);
    CHECK_EQ(torsh_get_memory_limit(), 0);
}

static void test_failure_injection(void) {
    CHECK_EQ(torsh_debug_fail_allocation_after(-1), -1);
    CHECK_EQ(torsh_debug_fail_allocation_after(0), -1);
    CHECK(torsh_malloc(8) == NULL); /* the very next one fails, once */
    CHECK(strstr(torsh_last_error_message(), "injected") != NULL);
    void *ok = torsh_malloc(8);
    CHECK(ok != NULL);
    torsh_free(ok);
    CHECK_EQ(torsh_debug_fail_allocation_after(2), -1);
    void *a = torsh_malloc(8), *b = torsh_malloc(8), *c = torsh_malloc(8);
    CHECK(a != NULL && b != NULL && c == NULL);
    torsh_free(a);
    torsh_free(b);
    CHECK_EQ(torsh_debug_fail_allocation_after(5), -1);
    CHECK_EQ(torsh_debug_fail_allocation_after(-7), 5); /* disarm; 5 were still to go */
    CHECK_EQ(torsh_debug_fail_allocation_after(-1), -1);
}

static void test_error_injection(void) {
    for (int code = TORSH_ERR_NULL_ARGUMENT; code <= TORSH_ERR_VERSION_MISMATCH; code++) {
        CHECK_EQ(torsh_debug_raise((torsh_status_t)code), code);
        CHECK_EQ(torsh_last_error(), code);
        CHECK(strstr(torsh_last_error_message(), torsh_status_string((torsh_status_t)code)));
    }
    CHECK_EQ(torsh_debug_raise(TORSH_OK), TORSH_ERR_INVALID_ARGUMENT);
    CHECK_EQ(torsh_debug_raise((torsh_status_t)99), TORSH_ERR_INVALID_ARGUMENT);
    torsh_clear_error();
}

/* ------------------------------------------------------------ pools */

static void test_pools(void) {
    torsh_memory_stats_t before, s;
    CHECK_OK(torsh_memory_stats(&before));
    torsh_memory_pool_t *pool = torsh_memory_pool_new(1000);
    CHECK(pool != NULL);
    CHECK_EQ(torsh_memory_pool_capacity(pool), 1000);
    CHECK_EQ(torsh_memory_pool_used(pool), 0);
    torsh_tensor_t *a = torsh_tensor_from_pool(pool, (int64_t[]){3}, 1, TORSH_F32); /* 12 bytes */
    torsh_tensor_t *b = torsh_tensor_from_pool(pool, (int64_t[]){2, 2}, 2, TORSH_F64);
    CHECK(a != NULL && b != NULL);
    CHECK_EQ((uintptr_t)torsh_tensor_data_ptr(a) % 64, 0);
    CHECK_EQ((uintptr_t)torsh_tensor_data_ptr(b) % 64, 0);
    CHECK_EQ((char *)torsh_tensor_data_ptr(b) - (char *)torsh_tensor_data_ptr(a), 64);
    CHECK_EQ(torsh_memory_pool_used(pool), 64 + 32);
    /* Pool memory is usable, and views of pool tensors share it. */
    double *bd = torsh_tensor_data_ptr(b);
    for (int i = 0; i < 4; i++) bd[i] = i + 0.5;
    torsh_tensor_t *bv = torsh_tensor_view(b, (int64_t[]){2}, (int64_t[]){2}, 1, 1);
    CHECK(((double *)torsh_tensor_data_ptr(bv))[0] == 1.5);
    /* The heap copy of a pool view is not the pool's. */
    torsh_tensor_t *heap = torsh_tensor_contiguous(bv);
    CHECK(((double *)torsh_tensor_data_ptr(heap))[1] == 3.5);
    /* Full: no silent growth. */
    CHECK(torsh_tensor_from_pool(pool, (int64_t[]){1000}, 1, TORSH_U8) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_OUT_OF_MEMORY);
    CHECK(strstr(torsh_last_error_message(), "full") != NULL);
    CHECK_EQ(torsh_memory_pool_used(pool), 96);
    torsh_tensor_t *rest = torsh_tensor_from_pool(pool, (int64_t[]){1000 - 128}, 1, TORSH_U8);
    CHECK(rest != NULL);
    CHECK_EQ(torsh_memory_pool_used(pool), 1000);
    torsh_tensor_t *none = torsh_tensor_from_pool(pool, (int64_t[]){0}, 1, TORSH_U8);
    CHECK(none == NULL); /* aligning to 1024 overshoots the 1000-byte arena */
    /* Releasing a pool tensor early is allowed; its bytes come back only at reset. */
    CHECK_OK(torsh_tensor_release(a));
    CHECK_EQ(torsh_memory_pool_used(pool), 1000);
    CHECK_OK(torsh_memory_pool_reset(pool));
    CHECK_EQ(torsh_memory_pool_used(pool), 0);
    CHECK_EQ(torsh_tensor_numel(b), -1); /* dropped by the reset */
    CHECK_EQ(torsh_tensor_numel(bv), -1);
    CHECK(((double *)torsh_tensor_data_ptr(heap))[0] == 1.5); /* heap copy survives */
    torsh_tensor_release(heap);
    /* After a reset the arena is reused from the start. */
    torsh_tensor_t *c = torsh_tensor_from_pool(pool, (int64_t[]){10}, 1, TORSH_I32);
    CHECK_EQ(torsh_tensor_refcount(c), 1);
    CHECK_OK(torsh_tensor_retain(c));
    CHECK_OK(torsh_memory_pool_free(pool)); /* frees c whatever its refcount */
    CHECK_OK(torsh_memory_pool_free(NULL));
    CHECK_OK(torsh_memory_stats(&s));
    CHECK_EQ(s.bytes_live, before.bytes_live);
    CHECK_EQ(s.allocations_live, before.allocations_live);
    CHECK_EQ(s.handles_live, before.handles_live);
    /* Bad sizes. */
    CHECK(torsh_memory_pool_new(0) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_INVALID_ARGUMENT);
    CHECK(torsh_memory_pool_new((size_t)1 << 62) == NULL);
    CHECK_LAST_ERROR(TORSH_ERR_OUT_OF_MEMORY);
}

int main(void) {
    RUN(test_versions);
    RUN(test_status_strings);
    RUN(test_dtype_sizes);
    RUN(test_last_error);
    RUN(test_error_objects);
    RUN(test_with_error_twins);
    RUN(test_from_array);
    RUN(test_empty_and_zeros);
    RUN(test_shape_validation);
    RUN(test_from_blob);
    RUN(test_views);
    RUN(test_reshape);
    RUN(test_refcounts);
    RUN(test_malloc_and_stats);
    RUN(test_memory_limit);
    RUN(test_failure_injection);
    RUN(test_error_injection);
    RUN(test_pools);
    th_check_nothing_live("end of test_api");
    torsh_cleanup();
    return th_finish();
}
