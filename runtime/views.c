/*
 * views.c: tensors that share another tensor's storage (view, reshape) and the strided
 * copy behind contiguous/reshape of non-contiguous tensors.
 */
#include "internal.h"

#include <string.h>

/* A view must stay inside its storage whatever its strides are, so that kernels and
 * data_ptr readers never run off the allocation: check the lowest and the highest
 * element index it can reach. */
static torsh_status_t check_extent(const char *fn, const rt_tensor_t *base, const int64_t *shape,
                                   const int64_t *strides, int ndim, int64_t start,
                                   int64_t numel) {
    int64_t item = (int64_t)torsh_dtype_size(base->dtype);
    int64_t capacity = base->storage->nbytes / item;
    int64_t lo = start, hi = start;
    for (int k = 0; numel > 0 && k < ndim; k++) {
        int64_t reach;
        if (__builtin_mul_overflow(shape[k] - 1, strides[k], &reach))
            return rt_fail_at(fn, TORSH_ERR_INDEX, "the strides reach outside the storage");
        int64_t *bound = reach < 0 ? &lo : &hi;
        if (__builtin_add_overflow(*bound, reach, bound))
            return rt_fail_at(fn, TORSH_ERR_INDEX, "the strides reach outside the storage");
    }
    /* An empty view may sit one past the end, like an empty slice. */
    bool inside = numel > 0 ? lo >= 0 && hi < capacity : start >= 0 && start <= capacity;
    if (!inside)
        return rt_fail_at(fn, TORSH_ERR_INDEX,
                          "the view reaches elements [%lld, %lld] of a storage of %lld elements",
                          (long long)lo, (long long)hi, (long long)capacity);
    return TORSH_OK;
}

/* Registers a view (same dtype and storage as base) and links it into base's pool. */
static torsh_status_t new_view(const char *fn, const rt_tensor_t *base, const int64_t *shape,
                               const int64_t *strides, int ndim, int64_t start,
                               rt_tensor_t **out) {
    torsh_status_t st =
        rt_tensor_new(fn, base->storage, shape, strides, ndim, base->dtype, start, out);
    if (st == TORSH_OK && base->storage->pool != NULL) rt_pool_link(base->storage->pool, *out);
    return st;
}

static torsh_status_t view(const char *fn, const torsh_tensor_t *h, const int64_t *shape,
                           const int64_t *strides, int ndim, int64_t offset, rt_tensor_t **out) {
    rt_tensor_t *base;
    torsh_status_t st = rt_get_tensor(fn, h, &base);
    int64_t numel, start;
    if (st == TORSH_OK) st = rt_check_shape(fn, shape, ndim, base->dtype, &numel);
    if (st != TORSH_OK) return st;
    int64_t contiguous[TORSH_MAX_NDIM];
    if (strides == NULL) {
        int64_t step = 1;
        for (int k = ndim - 1; k >= 0; k--) {
            contiguous[k] = step;
            step *= shape[k] > 0 ? shape[k] : 1;
        }
        strides = contiguous;
    }
    if (__builtin_add_overflow(base->offset, offset, &start))
        return rt_fail_at(fn, TORSH_ERR_INDEX, "offset %lld is out of range", (long long)offset);
    st = check_extent(fn, base, shape, strides, ndim, start, numel);
    return st == TORSH_OK ? new_view(fn, base, shape, strides, ndim, start, out) : st;
}

torsh_tensor_t *torsh_tensor_view(const torsh_tensor_t *t, const int64_t *shape,
                                  const int64_t *strides, int ndim, int64_t offset) {
    rt_tensor_t *v;
    return view(__func__, t, shape, strides, ndim, offset, &v) == TORSH_OK ? rt_token(v->handle)
                                                                          : NULL;
}

/* Resolves a -1 entry of a reshape target against numel. */
static torsh_status_t infer_shape(const char *fn, const int64_t *shape, int ndim, int64_t numel,
                                  int64_t *resolved) {
    int inferred = -1;
    int64_t known = 1;
    for (int k = 0; k < ndim; k++) {
        resolved[k] = shape[k];
        if (shape[k] == -1) {
            if (inferred >= 0)
                return rt_fail_at(fn, TORSH_ERR_INVALID_ARGUMENT, "more than one -1 in the shape");
            inferred = k;
        } else if (shape[k] >= 0 && __builtin_mul_overflow(known, shape[k], &known)) {
            return rt_fail_at(fn, TORSH_ERR_SHAPE_MISMATCH, "the shape has too many elements");
        }
    }
    if (inferred >= 0) {
        if (known == 0 || numel % known != 0)
            return rt_fail_at(fn, TORSH_ERR_SHAPE_MISMATCH,
                              "cannot infer the -1 entry for %lld elements", (long long)numel);
        resolved[inferred] = numel / known;
    }
    return TORSH_OK;
}

torsh_status_t rt_tensor_view(const char *fn, const rt_tensor_t *base, const int64_t *shape,
                              const int64_t *strides, int ndim, int64_t offset,
                              rt_tensor_t **out) {
    return new_view(fn, base, shape, strides, ndim, offset, out);
}

torsh_status_t rt_tensor_reshape(const char *fn, const rt_tensor_t *base, const int64_t *shape,
                                 int ndim, rt_tensor_t **out) {
    torsh_status_t st;
    if (ndim < 0 || ndim > TORSH_MAX_NDIM)
        return rt_fail_at(fn, TORSH_ERR_INVALID_ARGUMENT, "ndim %d is outside [0, %d]", ndim,
                          TORSH_MAX_NDIM);
    if (ndim > 0 && shape == NULL) return rt_fail_at(fn, TORSH_ERR_NULL_ARGUMENT, "shape is NULL");
    int64_t resolved[TORSH_MAX_NDIM], numel;
    st = infer_shape(fn, shape, ndim, base->numel, resolved);
    if (st == TORSH_OK) st = rt_check_shape(fn, resolved, ndim, base->dtype, &numel);
    if (st != TORSH_OK) return st;
    if (numel != base->numel)
        return rt_fail_at(fn, TORSH_ERR_SHAPE_MISMATCH,
                          "cannot reshape %lld elements into %lld", (long long)base->numel,
                          (long long)numel);
    if (rt_is_contiguous(base)) return new_view(fn, base, resolved, NULL, ndim, base->offset, out);
    return rt_tensor_copy_reshaped(fn, base, resolved, ndim, out);
}

torsh_tensor_t *torsh_tensor_reshape(const torsh_tensor_t *t, const int64_t *shape, int ndim) {
    rt_tensor_t *base, *r;
    if (rt_get_tensor(__func__, t, &base) != TORSH_OK) return NULL;
    return rt_tensor_reshape(__func__, base, shape, ndim, &r) == TORSH_OK ? rt_token(r->handle)
                                                                         : NULL;
}

torsh_tensor_t *torsh_tensor_contiguous(const torsh_tensor_t *h) {
    rt_tensor_t *t, *copy;
    if (rt_get_tensor(__func__, h, &t) != TORSH_OK) return NULL;
    if (rt_is_contiguous(t)) {
        atomic_fetch_add_explicit(&t->refcount, 1, memory_order_relaxed);
        return rt_token(t->handle);
    }
    if (rt_tensor_copy_reshaped(__func__, t, rt_shape(t), t->ndim, &copy) != TORSH_OK) return NULL;
    return rt_token(copy->handle);
}

void rt_tensor_copy_into(const rt_tensor_t *src, void *dst) {
    if (src->numel == 0) return;
    size_t item = torsh_dtype_size(src->dtype);
    const char *base = src->storage->data;
    char *out = dst;
    if (src->ndim == 0) {
        memcpy(out, base + src->offset * (int64_t)item, item);
        return;
    }
    /* An odometer over the outer dimensions; the innermost one is a memcpy when its
     * stride is 1. Offsets are summed as integers before touching a pointer, so negative
     * strides never form an out-of-object pointer. */
    const int64_t *shape = rt_shape(src), *strides = rt_strides(src);
    int last = src->ndim - 1;
    int64_t index[TORSH_MAX_NDIM] = {0};
    for (;;) {
        int64_t at = src->offset;
        for (int k = 0; k < last; k++) at += index[k] * strides[k];
        if (strides[last] == 1) {
            memcpy(out, base + at * (int64_t)item, (size_t)shape[last] * item);
            out += (size_t)shape[last] * item;
        } else {
            for (int64_t i = 0; i < shape[last]; i++, out += item)
                memcpy(out, base + (at + i * strides[last]) * (int64_t)item, item);
        }
        int k = last - 1;
        while (k >= 0 && ++index[k] == shape[k]) index[k--] = 0;
        if (k < 0) return;
    }
}

/* ------------------------------------------------------------ _with_error twins */

torsh_tensor_t *torsh_tensor_view_with_error(const torsh_tensor_t *t, const int64_t *shape,
                                             const int64_t *strides, int ndim, int64_t offset,
                                             torsh_error_t **err) {
    torsh_tensor_t *v = torsh_tensor_view(t, shape, strides, ndim, offset);
    if (v == NULL) rt_capture_error(err);
    return v;
}

torsh_tensor_t *torsh_tensor_reshape_with_error(const torsh_tensor_t *t, const int64_t *shape,
                                                int ndim, torsh_error_t **err) {
    torsh_tensor_t *r = torsh_tensor_reshape(t, shape, ndim);
    if (r == NULL) rt_capture_error(err);
    return r;
}

torsh_tensor_t *torsh_tensor_contiguous_with_error(const torsh_tensor_t *t, torsh_error_t **err) {
    torsh_tensor_t *c = torsh_tensor_contiguous(t);
    if (c == NULL) rt_capture_error(err);
    return c;
}
