/*
 * tensor.c: tensor handles, their storage, creation, accessors and reference counts.
 *
 * A tensor is a (shape, strides, offset, dtype) window onto a storage; views share the
 * storage and keep it alive through the storage's own reference count, so releasing the
 * tensor a view was made from does not free the view's memory. The tensor's reference
 * count belongs to its handle (torsh_tensor_retain hands out the same handle again).
 */
#include "internal.h"

#include <string.h>

static const size_t dtype_sizes[TORSH_DTYPE_COUNT] = {
    [TORSH_F32] = 4, [TORSH_F64] = 8, [TORSH_I32] = 4, [TORSH_I64] = 8, [TORSH_BOOL] = 1,
    [TORSH_F16] = 2, [TORSH_BF16] = 2, [TORSH_I8] = 1,  [TORSH_U8] = 1,
};

static bool dtype_valid(torsh_dtype_t dtype) {
    return (int)dtype >= 0 && (int)dtype < TORSH_DTYPE_COUNT;
}

size_t torsh_dtype_size(torsh_dtype_t dtype) {
    if (!dtype_valid(dtype)) {
        RT_FAIL(TORSH_ERR_DTYPE, "unknown dtype %d", (int)dtype);
        return 0;
    }
    return dtype_sizes[dtype];
}

torsh_status_t rt_check_shape(const char *fn, const int64_t *shape, int ndim,
                              torsh_dtype_t dtype, int64_t *numel) {
    if (!dtype_valid(dtype)) return rt_fail_at(fn, TORSH_ERR_DTYPE, "unknown dtype %d", (int)dtype);
    if (ndim < 0 || ndim > TORSH_MAX_NDIM)
        return rt_fail_at(fn, TORSH_ERR_INVALID_ARGUMENT, "ndim %d is outside [0, %d]", ndim,
                          TORSH_MAX_NDIM);
    if (ndim > 0 && shape == NULL) return rt_fail_at(fn, TORSH_ERR_NULL_ARGUMENT, "shape is NULL");
    int64_t n = 1, nbytes;
    for (int k = 0; k < ndim; k++) {
        if (shape[k] < 0)
            return rt_fail_at(fn, TORSH_ERR_INVALID_ARGUMENT, "shape[%d] = %lld is negative", k,
                              (long long)shape[k]);
        if (__builtin_mul_overflow(n, shape[k], &n))
            return rt_fail_at(fn, TORSH_ERR_INVALID_ARGUMENT, "the shape has too many elements");
    }
    /* Half of INT64_MAX keeps offset arithmetic (offset + extent) from overflowing. */
    if (__builtin_mul_overflow(n, (int64_t)dtype_sizes[dtype], &nbytes) || nbytes > INT64_MAX / 2)
        return rt_fail_at(fn, TORSH_ERR_INVALID_ARGUMENT, "the shape has too many bytes");
    *numel = n;
    return TORSH_OK;
}

/* ------------------------------------------------------------ storage */

rt_storage_t *rt_storage_new(void *data, int64_t nbytes) {
    rt_storage_t *s = rt_alloc(sizeof *s);
    if (s == NULL) return NULL;
    atomic_init(&s->refcount, 0);
    s->data = data;
    s->nbytes = nbytes;
    s->owns_data = false;
    s->deleter = NULL;
    s->deleter_ctx = NULL;
    s->pool = NULL;
    return s;
}

static void storage_release(rt_storage_t *s) {
    if (atomic_fetch_sub_explicit(&s->refcount, 1, memory_order_acq_rel) != 1) return;
    if (s->deleter != NULL) s->deleter(s->data, s->deleter_ctx);
    if (s->owns_data) rt_dealloc(s->data);
    rt_dealloc(s);
}

/* ------------------------------------------------------------ tensor objects */

static void contiguous_strides(const int64_t *shape, int ndim, int64_t *strides) {
    int64_t step = 1;
    for (int k = ndim - 1; k >= 0; k--) {
        strides[k] = step;
        step *= shape[k] > 0 ? shape[k] : 1;
    }
}

torsh_status_t rt_tensor_new(const char *fn, rt_storage_t *storage, const int64_t *shape,
                             const int64_t *strides, int ndim, torsh_dtype_t dtype,
                             int64_t offset, rt_tensor_t **out) {
    rt_tensor_t *t = rt_alloc(sizeof *t + 2 * (size_t)ndim * sizeof(int64_t));
    if (t == NULL)
        return rt_fail_at(fn, TORSH_ERR_OUT_OF_MEMORY, "cannot allocate a tensor%s",
                          rt_alloc_failure_reason());
    t->storage = storage;
    t->offset = offset;
    t->dtype = dtype;
    t->ndim = ndim;
    t->pool_prev = t->pool_next = NULL;
    t->requires_grad = false;
    t->grad = NULL;
    t->grad_fn = NULL;
    t->numel = 1;
    for (int k = 0; k < ndim; k++) {
        t->dims[k] = shape[k];
        t->numel *= shape[k];
    }
    if (strides != NULL)
        memcpy(t->dims + ndim, strides, (size_t)ndim * sizeof(int64_t));
    else
        contiguous_strides(shape, ndim, t->dims + ndim);
    atomic_init(&t->refcount, 1);
    t->handle = rt_handle_register(RT_KIND_TENSOR, t);
    if (t->handle == 0) {
        rt_dealloc(t);
        return rt_fail_at(fn, TORSH_ERR_OUT_OF_MEMORY, "the handle table cannot grow");
    }
    atomic_fetch_add_explicit(&storage->refcount, 1, memory_order_relaxed);
    *out = t;
    return TORSH_OK;
}

void rt_tensor_destroy_unlinked(rt_tensor_t *t) {
    rt_autograd_release(t);
    rt_handle_unregister(t->handle);
    storage_release(t->storage);
    rt_dealloc(t);
}

static void tensor_destroy(rt_tensor_t *t) {
    if (t->storage->pool != NULL) rt_pool_unlink(t->storage->pool, t);
    rt_tensor_destroy_unlinked(t);
}

void rt_tensor_ref(rt_tensor_t *t) {
    atomic_fetch_add_explicit(&t->refcount, 1, memory_order_relaxed);
}

void rt_tensor_unref(rt_tensor_t *t) {
    if (t != NULL && atomic_fetch_sub_explicit(&t->refcount, 1, memory_order_acq_rel) == 1)
        tensor_destroy(t);
}

/* Resolves a tensor argument of the public function fn. */
torsh_status_t rt_get_tensor(const char *fn, const torsh_tensor_t *h, rt_tensor_t **out) {
    if (h == NULL) return rt_fail_at(fn, TORSH_ERR_NULL_ARGUMENT, "tensor is NULL");
    *out = rt_handle_lookup(rt_bits(h), RT_KIND_TENSOR);
    if (*out == NULL)
        return rt_fail_at(fn, TORSH_ERR_INVALID_HANDLE,
                          "not a live tensor (released, dropped by a pool reset or free, or "
                          "never a tensor)");
    return TORSH_OK;
}

/* ------------------------------------------------------------ creation */

/* A tensor with fresh, owned, contiguous heap storage. */
static torsh_status_t new_heap_tensor(const char *fn, const int64_t *shape, int ndim,
                                      torsh_dtype_t dtype, rt_tensor_t **out) {
    int64_t numel;
    torsh_status_t st = rt_check_shape(fn, shape, ndim, dtype, &numel);
    if (st != TORSH_OK) return st;
    int64_t nbytes = numel * (int64_t)dtype_sizes[dtype];
    void *data = rt_alloc((size_t)nbytes);
    rt_storage_t *storage = data ? rt_storage_new(data, nbytes) : NULL;
    if (storage == NULL) {
        rt_dealloc(data);
        return rt_fail_at(fn, TORSH_ERR_OUT_OF_MEMORY, "cannot allocate %lld bytes of storage%s",
                          (long long)nbytes, rt_alloc_failure_reason());
    }
    storage->owns_data = true;
    st = rt_tensor_new(fn, storage, shape, NULL, ndim, dtype, 0, out);
    if (st != TORSH_OK) {
        rt_dealloc(data);
        rt_dealloc(storage);
    }
    return st;
}

/* Copies the elements of src, in row-major order, into a new tensor of the given shape
 * (same numel): torsh_tensor_contiguous and torsh_tensor_reshape of a strided tensor. */
torsh_status_t rt_tensor_copy_reshaped(const char *fn, const rt_tensor_t *src,
                                       const int64_t *shape, int ndim, rt_tensor_t **out) {
    torsh_status_t st = new_heap_tensor(fn, shape, ndim, src->dtype, out);
    if (st == TORSH_OK) rt_tensor_copy_into(src, (*out)->storage->data);
    return st;
}

torsh_status_t rt_tensor_empty(const char *fn, const int64_t *shape, int ndim,
                               torsh_dtype_t dtype, rt_tensor_t **out) {
    return new_heap_tensor(fn, shape, ndim, dtype, out);
}

torsh_tensor_t *torsh_tensor_empty(const int64_t *shape, int ndim, torsh_dtype_t dtype) {
    rt_tensor_t *t;
    return new_heap_tensor(__func__, shape, ndim, dtype, &t) == TORSH_OK ? rt_token(t->handle)
                                                                         : NULL;
}

torsh_tensor_t *torsh_tensor_zeros(const int64_t *shape, int ndim, torsh_dtype_t dtype) {
    rt_tensor_t *t;
    if (new_heap_tensor(__func__, shape, ndim, dtype, &t) != TORSH_OK) return NULL;
    memset(t->storage->data, 0, (size_t)t->storage->nbytes);
    return rt_token(t->handle);
}

torsh_tensor_t *torsh_tensor_from_array(const void *data, const int64_t *shape, int ndim,
                                        torsh_dtype_t dtype) {
    if (data == NULL) {
        RT_FAIL(TORSH_ERR_NULL_ARGUMENT, "data is NULL");
        return NULL;
    }
    rt_tensor_t *t;
    if (new_heap_tensor(__func__, shape, ndim, dtype, &t) != TORSH_OK) return NULL;
    memcpy(t->storage->data, data, (size_t)t->storage->nbytes);
    return rt_token(t->handle);
}

static torsh_status_t from_blob(const char *fn, void *data, const int64_t *shape,
                                const int64_t *strides, int ndim, torsh_dtype_t dtype,
                                torsh_deleter_fn deleter, void *deleter_ctx, rt_tensor_t **out) {
    if (data == NULL) return rt_fail_at(fn, TORSH_ERR_NULL_ARGUMENT, "data is NULL");
    int64_t numel;
    torsh_status_t st = rt_check_shape(fn, shape, ndim, dtype, &numel);
    if (st != TORSH_OK) return st;
    size_t item = dtype_sizes[dtype];
    /* Kernels load elements with ordinary typed loads, which need this much alignment. */
    if ((uintptr_t)data % item != 0)
        return rt_fail_at(fn, TORSH_ERR_INVALID_ARGUMENT, "data %p is not aligned to %zu bytes",
                          data, item);
    /* The storage spans up to the farthest element the strides reach. */
    int64_t extent = numel > 0 ? 1 : 0;
    for (int k = 0; strides != NULL && numel > 0 && k < ndim; k++) {
        int64_t reach;
        if (strides[k] < 0)
            return rt_fail_at(fn, TORSH_ERR_INVALID_ARGUMENT, "strides[%d] = %lld is negative", k,
                              (long long)strides[k]);
        if (__builtin_mul_overflow(shape[k] - 1, strides[k], &reach) ||
            __builtin_add_overflow(extent, reach, &extent) || extent > INT64_MAX / 16)
            return rt_fail_at(fn, TORSH_ERR_INVALID_ARGUMENT, "the strides reach too far");
    }
    if (strides == NULL) extent = numel;
    rt_storage_t *storage = rt_storage_new(data, extent * (int64_t)item);
    if (storage == NULL)
        return rt_fail_at(fn, TORSH_ERR_OUT_OF_MEMORY, "cannot allocate a storage%s",
                          rt_alloc_failure_reason());
    st = rt_tensor_new(fn, storage, shape, strides, ndim, dtype, 0, out);
    if (st != TORSH_OK) {
        rt_dealloc(storage); /* the caller keeps data: the deleter must not run */
        return st;
    }
    storage->deleter = deleter;
    storage->deleter_ctx = deleter_ctx;
    return TORSH_OK;
}

torsh_tensor_t *torsh_tensor_from_blob(void *data, const int64_t *shape, const int64_t *strides,
                                       int ndim, torsh_dtype_t dtype, torsh_deleter_fn deleter,
                                       void *deleter_ctx) {
    rt_tensor_t *t;
    torsh_status_t st =
        from_blob(__func__, data, shape, strides, ndim, dtype, deleter, deleter_ctx, &t);
    return st == TORSH_OK ? rt_token(t->handle) : NULL;
}

/* ------------------------------------------------------------ _with_error twins */


torsh_tensor_t *torsh_tensor_empty_with_error(const int64_t *shape, int ndim,
                                              torsh_dtype_t dtype, torsh_error_t **err) {
    RT_WITH_ERROR(torsh_tensor_empty(shape, ndim, dtype));
}

torsh_tensor_t *torsh_tensor_zeros_with_error(const int64_t *shape, int ndim,
                                              torsh_dtype_t dtype, torsh_error_t **err) {
    RT_WITH_ERROR(torsh_tensor_zeros(shape, ndim, dtype));
}

torsh_tensor_t *torsh_tensor_from_array_with_error(const void *data, const int64_t *shape,
                                                   int ndim, torsh_dtype_t dtype,
                                                   torsh_error_t **err) {
    RT_WITH_ERROR(torsh_tensor_from_array(data, shape, ndim, dtype));
}

torsh_tensor_t *torsh_tensor_from_blob_with_error(void *data, const int64_t *shape,
                                                  const int64_t *strides, int ndim,
                                                  torsh_dtype_t dtype, torsh_deleter_fn deleter,
                                                  void *deleter_ctx, torsh_error_t **err) {
    RT_WITH_ERROR(torsh_tensor_from_blob(data, shape, strides, ndim, dtype, deleter, deleter_ctx));
}

/* ------------------------------------------------------------ accessors */

void *torsh_tensor_data_ptr(const torsh_tensor_t *h) {
    rt_tensor_t *t;
    if (rt_get_tensor(__func__, h, &t) != TORSH_OK) return NULL;
    return (char *)t->storage->data + t->offset * (int64_t)dtype_sizes[t->dtype];
}

int torsh_tensor_ndim(const torsh_tensor_t *h) {
    rt_tensor_t *t;
    return rt_get_tensor(__func__, h, &t) == TORSH_OK ? t->ndim : -1;
}

const int64_t *torsh_tensor_shape(const torsh_tensor_t *h) {
    rt_tensor_t *t;
    return rt_get_tensor(__func__, h, &t) == TORSH_OK ? rt_shape(t) : NULL;
}

const int64_t *torsh_tensor_strides(const torsh_tensor_t *h) {
    rt_tensor_t *t;
    return rt_get_tensor(__func__, h, &t) == TORSH_OK ? rt_strides(t) : NULL;
}

torsh_dtype_t torsh_tensor_dtype(const torsh_tensor_t *h) {
    rt_tensor_t *t;
    return rt_get_tensor(__func__, h, &t) == TORSH_OK ? t->dtype : TORSH_DTYPE_INVALID;
}

int64_t torsh_tensor_numel(const torsh_tensor_t *h) {
    rt_tensor_t *t;
    return rt_get_tensor(__func__, h, &t) == TORSH_OK ? t->numel : -1;
}

int64_t torsh_tensor_nbytes(const torsh_tensor_t *h) {
    rt_tensor_t *t;
    return rt_get_tensor(__func__, h, &t) == TORSH_OK ? t->numel * (int64_t)dtype_sizes[t->dtype]
                                                   : -1;
}

bool rt_is_contiguous(const rt_tensor_t *t) {
    if (t->numel == 0) return true;
    int64_t expected = 1;
    for (int k = t->ndim - 1; k >= 0; k--) {
        if (rt_shape(t)[k] != 1 && rt_strides(t)[k] != expected) return false;
        expected *= rt_shape(t)[k];
    }
    return true;
}

int torsh_tensor_is_contiguous(const torsh_tensor_t *h) {
    rt_tensor_t *t;
    return rt_get_tensor(__func__, h, &t) == TORSH_OK ? rt_is_contiguous(t) : -1;
}

/* ------------------------------------------------------------ reference counts */

torsh_status_t torsh_tensor_retain(torsh_tensor_t *h) {
    rt_tensor_t *t;
    torsh_status_t st = rt_get_tensor(__func__, h, &t);
    if (st == TORSH_OK) atomic_fetch_add_explicit(&t->refcount, 1, memory_order_relaxed);
    return st;
}

torsh_status_t torsh_tensor_release(torsh_tensor_t *h) {
    if (h == NULL) return TORSH_OK;
    rt_tensor_t *t;
    torsh_status_t st = rt_get_tensor(__func__, h, &t);
    if (st != TORSH_OK) return st;
    /* acq_rel: the thread that frees sees every write made through other references. */
    rt_tensor_unref(t);
    return TORSH_OK;
}

torsh_status_t torsh_tensor_free(torsh_tensor_t *h) {
    if (h == NULL) return TORSH_OK;
    torsh_status_t st = torsh_tensor_release(h);
    if (st != TORSH_OK) RT_FAIL(st, "not a live tensor (released or freed already?)");
    return st;
}

int64_t torsh_tensor_refcount(const torsh_tensor_t *h) {
    rt_tensor_t *t;
    return rt_get_tensor(__func__, h, &t) == TORSH_OK ? atomic_load(&t->refcount) : -1;
}
