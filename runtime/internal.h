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

/* The body of a pointer-returning twin: f_with_error(..., err) { RT_WITH_ERROR(f(...)); } */
#define RT_WITH_ERROR(call)                         \
    do {                                            \
        void *result_ = (void *)(call);             \
        if (result_ == NULL) rt_capture_error(err); \
        return result_;                             \
    } while (0)
/* The body of a status-returning twin. */
#define RT_STATUS_WITH_ERROR(call)                    \
    do {                                              \
        torsh_status_t status_ = (call);              \
        if (status_ != TORSH_OK) rt_capture_error(err); \
        return status_;                               \
    } while (0)

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
    RT_KIND_ERROR = 4,
    RT_KIND_MODULE = 5,
    RT_KIND_PARAMS = 6,
    RT_KIND_OPTIMIZER = 7
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
    /* autograd (autograd.c): a leaf marked by set_requires_grad, or a recorded result */
    bool requires_grad;
    struct rt_tensor *grad;  /* accumulated gradient of a leaf (owned reference) */
    struct rt_node *grad_fn; /* how this result was computed (owned reference) */
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
/* Reference counting of live tensors inside the runtime (ops hold tensors this way). */
void rt_tensor_ref(rt_tensor_t *t);
void rt_tensor_unref(rt_tensor_t *t); /* NULL is a no-op */
/* A new contiguous heap tensor (uninitialized). */
torsh_status_t rt_tensor_empty(const char *fn, const int64_t *shape, int ndim,
                               torsh_dtype_t dtype, rt_tensor_t **out);
/* A view of base (same storage and dtype; offset in elements from storage start). */
torsh_status_t rt_tensor_view(const char *fn, const rt_tensor_t *base, const int64_t *shape,
                              const int64_t *strides, int ndim, int64_t offset,
                              rt_tensor_t **out);
/* reshape of base: a view when contiguous, else a row-major copy (one -1 allowed). */
torsh_status_t rt_tensor_reshape(const char *fn, const rt_tensor_t *base, const int64_t *shape,
                                 int ndim, rt_tensor_t **out);
static inline void *rt_data(const rt_tensor_t *t) {
    return (char *)t->storage->data + t->offset * (int64_t)torsh_dtype_size(t->dtype);
}
/* The tail of an op producing *out: on failure, drops what was made and NULLs it. */
static inline torsh_status_t rt_finish(torsh_status_t st, rt_tensor_t **out) {
    if (st != TORSH_OK && *out != NULL) {
        rt_tensor_unref(*out);
        *out = NULL;
    }
    return st;
}
static inline torsh_tensor_t *rt_handle_of(const rt_tensor_t *t) { return rt_token(t->handle); }
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

/* ------------------------------------------------------------ kernels.c */

#include "aot_kernels.h" /* generated by torsh/_aot.py into build/aot */

/* Runs elementwise kernel op (at dtype dt) over outs[0]'s shape: every out has that
 * shape; ins broadcast to it (the caller checked they can). */
torsh_status_t rt_run_elementwise(const char *fn, rt_ew_op_t op, torsh_dtype_t dt,
                                  rt_tensor_t *const *outs, int n_out, rt_tensor_t *const *ins,
                                  int n_in);
/* The broadcast shape of a and b (TORSH_ERR_SHAPE_MISMATCH naming both otherwise). */
torsh_status_t rt_broadcast_shape(const char *fn, const rt_tensor_t *a, const rt_tensor_t *b,
                                  int64_t *shape, int *ndim);
/* out (new, contiguous, dtype out_dt) = op over ins broadcast together. */
torsh_status_t rt_map(const char *fn, rt_ew_op_t op, torsh_dtype_t dt, torsh_dtype_t out_dt,
                      rt_tensor_t *const *ins, int n_in, rt_tensor_t **out);
/* Reduction of x over dim (op sum or max at x's dtype): a new contiguous tensor. */
torsh_status_t rt_reduce(const char *fn, rt_red_op_t op, rt_tensor_t *x, int dim, bool keepdim,
                         rt_tensor_t **out);
/* a @ b for operands of one float dtype with ndim >= 2 (batch dims broadcast). */
torsh_status_t rt_matmul_nd(const char *fn, rt_tensor_t *a, rt_tensor_t *b, rt_tensor_t **out);
/* 0, 1, ..., n-1 as int64. */
torsh_status_t rt_iota(const char *fn, int64_t n, rt_tensor_t **out);
/* The dtype name ("f32"). */
const char *rt_dtype_name(torsh_dtype_t dt);
/* "(2, 3)" into buf. */
const char *rt_shape_str(const int64_t *shape, int ndim, char *buf, size_t size);
/* A dim in [-ndim, ndim) made non-negative (TORSH_ERR_INDEX otherwise). */
torsh_status_t rt_wrap_dim(const char *fn, int dim, int ndim, int *out);

/* ------------------------------------------------------------ autograd.c */

typedef enum rt_bwd {
    RT_BWD_UNARY,     /* iargs[0]: the op's rt_ew_op_t backward kernel */
    RT_BWD_BINARY,    /* iargs[0], iargs[1]: backward kernels for input 0 and 1 */
    RT_BWD_MATMUL,
    RT_BWD_SUM,       /* iargs[0]: dim, iargs[1]: keepdim */
    RT_BWD_MAX,       /* iargs[0]: dim, iargs[1]: keepdim */
    RT_BWD_RESHAPE,
    RT_BWD_TRANSPOSE, /* iargs[0], iargs[1]: the dims */
    RT_BWD_IDENTITY,  /* contiguous */
    RT_BWD_CAST
} rt_bwd_t;

typedef struct rt_node rt_node_t;

/* Whether ops record now (no no_grad section open on this thread). */
bool rt_grad_enabled(void);
/* If grad is enabled and an input requires grad, makes `out` a recorded result of a new
 * node holding references to the inputs. Fails only without memory (then `out` is left
 * unrecorded and the caller releases it). */
torsh_status_t rt_record(const char *fn, rt_tensor_t *out, rt_bwd_t kind,
                         rt_tensor_t *const *ins, int n_in, int64_t iarg0, int64_t iarg1);
/* Drops a tensor's autograd state (its gradient and node): tensor destruction. */
void rt_autograd_release(rt_tensor_t *t);
/* A no_grad section for the runtime's own work (backward, optimizer steps). */
void rt_no_grad_push(void);
void rt_no_grad_pop(void);

/* ------------------------------------------------------------ ops.c (internal forms) */

torsh_status_t rt_op_binary(const char *fn, rt_ew_op_t op, rt_tensor_t *a, rt_tensor_t *b,
                            rt_tensor_t **out);
torsh_status_t rt_op_unary(const char *fn, rt_ew_op_t op, rt_tensor_t *x, rt_tensor_t **out);
torsh_status_t rt_op_matmul(const char *fn, rt_tensor_t *a, rt_tensor_t *b, rt_tensor_t **out);
torsh_status_t rt_op_cast(const char *fn, rt_tensor_t *x, torsh_dtype_t dt, rt_tensor_t **out);
torsh_status_t rt_op_reshape(const char *fn, rt_tensor_t *x, const int64_t *shape, int ndim,
                             rt_tensor_t **out);
torsh_status_t rt_op_transpose(const char *fn, rt_tensor_t *x, int d0, int d1,
                               rt_tensor_t **out);
torsh_status_t rt_op_contiguous(const char *fn, rt_tensor_t *x, rt_tensor_t **out);
torsh_status_t rt_op_sum_dim(const char *fn, rt_tensor_t *x, int dim, bool keepdim,
                             rt_tensor_t **out);
torsh_status_t rt_op_max_dim(const char *fn, rt_tensor_t *x, int dim, bool keepdim,
                             rt_tensor_t **out);
/* A 0-d tensor holding value. */
torsh_status_t rt_scalar(const char *fn, double value, torsh_dtype_t dt, rt_tensor_t **out);
/* Sums g down to shape (the adjoint of broadcasting). */
torsh_status_t rt_sum_to_shape(const char *fn, rt_tensor_t *g, const int64_t *shape, int ndim,
                               rt_tensor_t **out);

/* ------------------------------------------------------------ nn.c */

/* The next 64 random bits of the process's generator (seeded by torsh_manual_seed). */
uint64_t rt_random_u64(void);

#endif /* TORSH_INTERNAL_H */
