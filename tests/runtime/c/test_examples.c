/*
 * test_examples.c: the C snippets of the torsh issue, compiled and run as written.
 * (torsh_add arrives with the ops; a contiguous() stands in for it here.)
 */
#include "harness.h"

#include <stdio.h>

static void test_memory_api_snippet(void) {
    int64_t shape[] = {16, 16};
    int ndim = 2;
    torsh_dtype_t dtype = TORSH_F32;
    {
        torsh_tensor_t *tensor = torsh_tensor_zeros(shape, ndim, dtype);
        /* --- the memory API, verbatim --- */
        torsh_tensor_retain(tensor);  // Increment ref count
        torsh_tensor_release(tensor); // Decrement ref count
        /* --- */
        CHECK_EQ(torsh_tensor_refcount(tensor), 1);
        torsh_tensor_release(tensor);
    }
    /* --- the memory API, verbatim --- */
    void* data = torsh_malloc(1024);
    torsh_free(data);
    torsh_memory_pool_t* pool = torsh_memory_pool_new(1 << 20);  // 1MB
    torsh_tensor_t* tensor = torsh_tensor_from_pool(pool, shape, ndim, dtype);
    /* --- */
    CHECK(tensor != NULL);
    CHECK_EQ(torsh_memory_pool_used(pool), 16 * 16 * 4);
    /* --- */
    torsh_memory_pool_free(pool);  // Frees all tensors in pool
    /* --- */
    CHECK_EQ(torsh_tensor_numel(tensor), -1);
    th_check_nothing_live("after the memory snippet");
}

static void test_c_api_example(void) {
    /* --- the C example, with contiguous() in place of torsh_add --- */
    torsh_init();
    float data[] = {1, 2, 3, 4};
    int64_t shape[] = {2, 2};
    torsh_tensor_t* tensor = torsh_tensor_from_array(data, shape, 2, TORSH_F32);
    torsh_tensor_t* result = torsh_tensor_contiguous(tensor);
    float* result_data = torsh_tensor_data_ptr(result);
    printf("result: %g %g %g %g\n", result_data[0], result_data[1], result_data[2],
           result_data[3]);
    CHECK(result_data[3] == 4);
    torsh_tensor_free(result);
    torsh_tensor_free(tensor);
    torsh_cleanup();
    /* --- */
    th_check_nothing_live("after the C example");
}

static void test_error_example(void) {
    /* --- the error handling --- */
    torsh_error_t* error = NULL;
    int64_t shape[] = {2, 2};
    torsh_tensor_t* tensor = torsh_tensor_from_array_with_error(NULL, shape, 2, TORSH_F32, &error);
    if (tensor == NULL) {
        printf("error: %s\n", torsh_error_message(error));
        CHECK_EQ(torsh_error_code(error), TORSH_ERR_NULL_ARGUMENT);
        torsh_error_free(error);
    }
    /* --- */
    CHECK(tensor == NULL);
    th_check_nothing_live("after the error example");
}

int main(void) {
    RUN(test_memory_api_snippet);
    RUN(test_c_api_example);
    RUN(test_error_example);
    torsh_cleanup();
    return th_finish();
}
