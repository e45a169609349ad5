/*
 * internal.h: what the runtime's files share with each other and nobody else.
 * Every .c file of runtime/ includes it first (it sets the feature macros for pthread,
 * posix_memalign and sched_getaffinity).
 */
#ifndef TORSH_INTERNAL_H
#define TORSH_INTERNAL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "torsh.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Handles are 64-bit tokens stored in pointer-typed variables. */
_Static_assert(sizeof(void *) == 8, "torsh needs 64-bit pointers");

#define RT_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))

/* ------------------------------------------------------------ error.c */

/* Records `code` and a formatted message, prefixed with `fn`, as the calling thread's
 * last error and returns code, so failures read `return RT_FAIL(CODE, "...", ...)`. */
torsh_status_t rt_fail_at(const char *fn, torsh_status_t code, const char *fmt, ...)
    RT_PRINTF(3, 4);
#define RT_FAIL(...) rt_fail_at(__func__, __VA_ARGS__)

/* The argument check every public function starts with. */
#define RT_REQUIRE(ptr)                                                               \
    do {                                                                              \
        if ((ptr) == NULL) return RT_FAIL(TORSH_ERR_NULL_ARGUMENT, "%s is NULL", #ptr); \
    } while (0)

/* Turns the thread's last error into a new torsh_error_t in *err (err may be NULL).
 * Never fails: without memory it stores the static out-of-memory error. */
void rt_capture_error(torsh_error_t **err);

/* ------------------------------------------------------------ memory.c */

/* The counted, limited, 64-byte aligned allocator behind every runtime object.
 * rt_alloc returns NULL on failure without touching the last error; the reason (limit,
 * injected failure, system) is then in rt_alloc_failure_reason() for the message. */
void *rt_alloc(size_t size);
void *rt_alloc_zeroed(size_t size);
void rt_dealloc(void *ptr);
const char *rt_alloc_failure_reason(void);

/* ------------------------------------------------------------ handles.c */

typedef enum rt_kind {
    RT_KIND_TENSOR = 1,
    RT_KIND_POOL = 2,
    RT_KIND_PLAN = 3,
    RT_KIND_ERROR = 4
} rt_kind_t;

/* A new handle naming obj; 0 if the handle table cannot grow. */
uint64_t rt_handle_register(rt_kind_t kind, void *obj);
/* The object of a live handle of that kind; NULL for anything else. Never dereferences
 * memory the handle points at: the handle is decoded, not followed. */
void *rt_handle_lookup(uint64_t handle, rt_kind_t kind);
/* Ends a handle: later lookups of it fail, even if its slot is reused. */
void rt_handle_unregister(uint64_t handle);
int64_t rt_handles_live(void);
/* Frees the table if no handle is live (torsh_cleanup). */
void rt_handles_shutdown(void);

/* A handle that names a statically allocated object and is never registered: the error
 * returned when not even an error object can be allocated (index 0 is never used). */
#define RT_STATIC_OOM_ERROR_HANDLE (((uint64_t)1 << 32) | (uint64_t)RT_KIND_ERROR)

static inline uint64_t rt_bits(const void *handle) { return (uint64_t)(uintptr_t)handle; }
static inline void *rt_token(uint64_t handle) { return (void *)(uintptr_t)handle; }

/* ------------------------------------------------------------ tensor.c */

typedef struct rt_pool rt_pool_t;

/* The memory of one or more tensors (a tensor and its views share one storage). */
typedef struct rt_storage {
    _Atomic int64_t refcount; /* tensors using it */
    void *data;
    int64_t nbytes;
    bool owns_data;           /* data came from rt_alloc and goes with the storage */
    torsh_deleter_fn deleter; /* from_blob: called on data when the storage goes */
    void *deleter_ctx;
    rt_pool_t *pool;          /* data is a slice of this pool's arena */
} rt_storage_t;

typedef struct rt_tensor {
    uint64_t handle;
    _Atomic int64_t refcount;
    rt_storage_t *storage;
    int64_t offset; /* elements from storage->data to element 0 */
    int64_t numel;
    torsh_dtype_t dtype;
    int ndim;
    struct rt_tensor *pool_prev, *pool_next; /* the pool's list of its tensors */
    int64_t dims[];                          /* shape[ndim], then strides[ndim] */
} rt_tensor_t;

static inline const int64_t *rt_shape(const rt_tensor_t *t) { return t->dims; }
static inline const int64_t *rt_strides(const rt_tensor_t *t) { return t->dims + t->ndim; }

/* Validates dtype, ndim and shape and computes numel (checked against overflow of
 * numel * dtype size). */
torsh_status_t rt_check_shape(const char *fn, const int64_t *shape, int ndim,
                              torsh_dtype_t dtype, int64_t *numel);
/* A storage holding nothing yet (refcount 0: the first tensor adopts it). */
rt_storage_t *rt_storage_new(void *data, int64_t nbytes);
/* A registered tensor over storage (taking one storage reference); strides NULL means
 * contiguous. Does not link it into a pool. */
torsh_status_t rt_tensor_new(const char *fn, rt_storage_t *storage, const int64_t *shape,
                             const int64_t *strides, int ndim, torsh_dtype_t dtype,
                             int64_t offset, rt_tensor_t **out);
/* Ends a tensor whatever its refcount, without touching its pool's list. */
void rt_tensor_destroy_unlinked(rt_tensor_t *t);
bool rt_is_contiguous(const rt_tensor_t *t);
/* A new contiguous heap tensor of the given shape (same numel as src) holding src's
 * elements in row-major order. */
torsh_status_t rt_tensor_copy_reshaped(const char *fn, const rt_tensor_t *src,
                                       const int64_t *shape, int ndim, rt_tensor_t **out);
/* Copies src's elements in row-major order to dst (views.c). */
void rt_tensor_copy_into(const rt_tensor_t *src, void *dst);
/* get_tensor for the files beside tensor.c. */
torsh_status_t rt_get_tensor(const char *fn, const torsh_tensor_t *h, rt_tensor_t **out);

/* ------------------------------------------------------------ pool.c */

struct rt_pool {
    uint64_t handle;
    pthread_mutex_t mu; /* guards used and tensors */
    char *arena;
    size_t capacity;
    size_t used;
    rt_tensor_t *tensors; /* every live tensor whose storage is in the arena */
};

void rt_pool_link(rt_pool_t *pool, rt_tensor_t *t);
void rt_pool_unlink(rt_pool_t *pool, rt_tensor_t *t);

/* ------------------------------------------------------------ threads.c */

/* torsh_launch without the argument checks (the plan calls it). */
torsh_status_t rt_launch(torsh_kernel_fn kernel, void *const *buffers, const int64_t *sizes,
                         int64_t range, int64_t grain);
/* Reads TORSH_NUM_THREADS; fails on a value that is not a positive integer. */
torsh_status_t rt_threads_check_env(void);
/* Joins the workers (torsh_cleanup); they restart on the next parallel launch. */
void rt_threads_shutdown(void);

#endif /* TORSH_INTERNAL_H */
