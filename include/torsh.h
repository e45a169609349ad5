/*
 * torsh.h: the C ABI of libtorsh, the torsh runtime.
 *
 * Conventions (docs/runtime.md explains them at length):
 *
 * - Objects (tensors, memory pools, plans, errors) are opaque handles. A handle is a
 *   token validated on every call, not an address: a released handle, a tensor whose
 *   pool was reset or freed, or garbage is reported as TORSH_ERR_INVALID_HANDLE and
 *   never dereferenced.
 * - Functions that can fail return a torsh_status_t, or a sentinel (NULL, -1) together
 *   with the calling thread's last error (torsh_last_error(), torsh_last_error_message()).
 *   Every failure records the thread's last error, whatever the function returns; a
 *   success leaves it untouched (like errno).
 * - A pointer-returning function f that can fail has a twin f_with_error(..., err) which
 *   also stores a new torsh_error_t in *err on failure (the caller frees it with
 *   torsh_error_free; *err should be NULL before the call and is left alone on success).
 *   err itself may be NULL: the twin then behaves exactly like f.
 * - Every function returning a pointer says who owns it: "new reference: release it",
 *   or "borrowed: valid until ...".
 * - Every pointer argument is checked (TORSH_ERR_NULL_ARGUMENT), except where a
 *   function documents what NULL means (a NULL strides array means contiguous, a NULL
 *   shape is fine for ndim == 0). Releasing or freeing NULL is a no-op returning TORSH_OK.
 * - Shapes and strides are int64_t, strides and offsets count elements (not bytes),
 *   ndim is an int in [0, TORSH_MAX_NDIM].
 * - All functions are thread-safe, except that one object must not be released or
 *   freed by one thread while another thread still uses it.
 */
#ifndef TORSH_H
#define TORSH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define TORSH_API __attribute__((visibility("default")))
#else
#define TORSH_API
#endif

/* ---------------------------------------------------------------- versions */

#define TORSH_VERSION_MAJOR 0
#define TORSH_VERSION_MINOR 1
#define TORSH_VERSION_PATCH 0
#define TORSH_VERSION_NUMBER \
    (TORSH_VERSION_MAJOR * 10000 + TORSH_VERSION_MINOR * 100 + TORSH_VERSION_PATCH)

/* The version number the library was built with (compare with TORSH_VERSION_NUMBER of
 * the header a program was compiled against). */
TORSH_API int torsh_version_number(void);
/* "MAJOR.MINOR.PATCH". Borrowed: a static string. */
TORSH_API const char *torsh_version_string(void);

/* ---------------------------------------------------------------- statuses */

typedef enum torsh_status {
    TORSH_OK = 0,                   /* success */
    TORSH_ERR_NULL_ARGUMENT = 1,    /* a required pointer argument was NULL */
    TORSH_ERR_INVALID_HANDLE = 2,   /* a handle was released, freed with its pool, or never valid */
    TORSH_ERR_SHAPE_MISMATCH = 3,   /* shapes are incompatible (e.g. reshape to another numel) */
    TORSH_ERR_DTYPE = 4,            /* an unknown or unsupported dtype */
    TORSH_ERR_OUT_OF_MEMORY = 5,    /* allocation failed, memory limit reached, or pool full */
    TORSH_ERR_INDEX = 6,            /* an index, offset or dimension is out of range */
    TORSH_ERR_NOT_IMPLEMENTED = 7,  /* a feature torsh does not implement */
    TORSH_ERR_INVALID_ARGUMENT = 8, /* any other invalid argument value */
    TORSH_ERR_IR_PARSE = 9,         /* IR text could not be parsed (compiler layer) */
    TORSH_ERR_IR_VERIFY = 10,       /* an IR module breaks an invariant (compiler layer) */
    TORSH_ERR_COMPILE = 11,         /* lowering or JIT compilation failed (compiler layer) */
    TORSH_ERR_INTERNAL = 12,        /* a bug in torsh itself */
    TORSH_ERR_VERSION_MISMATCH = 13 /* a library and its caller disagree on the version */
} torsh_status_t;

/* A short description of a status code ("out of memory"). Borrowed: a static string;
 * unknown codes give "unknown status". */
TORSH_API const char *torsh_status_string(torsh_status_t code);

/* ---------------------------------------------------------------- lifecycle */

/* Optional: every function initializes what it needs lazily. torsh_init (re)reads
 * TORSH_NUM_THREADS and reports a malformed value (TORSH_ERR_INVALID_ARGUMENT; the
 * default thread count is then 1). Idempotent. */
TORSH_API torsh_status_t torsh_init(void);
/* Joins the worker threads and, when no handle is live any more, frees the handle table.
 * Handles still live stay valid. The runtime can be used again afterwards. */
TORSH_API void torsh_cleanup(void);

/* ---------------------------------------------------------------- errors */

typedef struct torsh_error torsh_error_t;

/* The message of an error. Borrowed: valid until torsh_error_free(err).
 * NULL (and the thread's last error set) when err is NULL or not a live error. */
TORSH_API const char *torsh_error_message(const torsh_error_t *err);
/* The status code of an error; TORSH_ERR_NULL_ARGUMENT for NULL and
 * TORSH_ERR_INVALID_HANDLE for an error that is not live. */
TORSH_API torsh_status_t torsh_error_code(const torsh_error_t *err);
/* Frees an error. NULL is a no-op. */
TORSH_API torsh_status_t torsh_error_free(torsh_error_t *err);

/* The status of the calling thread's most recent failure (TORSH_OK if none since
 * torsh_clear_error). */
TORSH_API torsh_status_t torsh_last_error(void);
/* The message of the calling thread's most recent failure ("" if none).
 * Borrowed: valid until the next torsh call on this thread. */
TORSH_API const char *torsh_last_error_message(void);
/* Resets the calling thread's last error to TORSH_OK. */
TORSH_API void torsh_clear_error(void);

/* ---------------------------------------------------------------- memory */

/* Alignment in bytes of every block torsh allocates (storage, pool slices, scratch). */
#define TORSH_ALIGNMENT 64

/* A block of `size` bytes aligned to TORSH_ALIGNMENT, counted in the memory
 * statistics and subject to the memory limit. New: free it with torsh_free.
 * NULL on failure (TORSH_ERR_OUT_OF_MEMORY). */
TORSH_API void *torsh_malloc(size_t size);
TORSH_API void *torsh_malloc_with_error(size_t size, torsh_error_t **err);
/* Frees a block of torsh_malloc. NULL is a no-op. */
TORSH_API void torsh_free(void *ptr);

typedef struct torsh_memory_stats {
    int64_t bytes_live;        /* bytes currently allocated through the counted allocator */
    int64_t bytes_peak;        /* maximum of bytes_live since start or torsh_memory_reset_peak */
    int64_t allocations_total; /* successful allocations since start */
    int64_t allocations_live;  /* allocations not freed yet */
    int64_t allocations_failed;/* allocations refused (limit, injection, or the system) */
    int64_t handles_live;      /* live handles: tensors, pools, plans, errors */
    int64_t limit_bytes;       /* the memory limit, 0 for none */
} torsh_memory_stats_t;

/* Fills *out with a snapshot of the counters. Everything the runtime allocates for
 * objects (tensors, storage, pools, plans, errors) is counted; the handle table and the
 * worker threads are not. */
TORSH_API torsh_status_t torsh_memory_stats(torsh_memory_stats_t *out);
/* Sets bytes_peak to the current bytes_live. */
TORSH_API void torsh_memory_reset_peak(void);
/* Allocations that would make bytes_live exceed `bytes` fail with
 * TORSH_ERR_OUT_OF_MEMORY. 0 removes the limit. */
TORSH_API void torsh_set_memory_limit(size_t bytes);
TORSH_API size_t torsh_get_memory_limit(void);
/* Failure injection for tests: after `k` more successful counted allocations, the next
 * one fails once (k = 0: the very next one). A negative k disarms. Returns the previous
 * countdown, or -1 if it was not armed (so a test learns whether the failure fired). */
TORSH_API int64_t torsh_debug_fail_allocation_after(int64_t k);
/* Error injection for tests of error paths in bindings: records `code` as the calling
 * thread's last error (message "torsh_debug_raise: injected <status string>") and returns
 * it. A code outside TORSH_ERR_NULL_ARGUMENT..TORSH_ERR_VERSION_MISMATCH records and
 * returns TORSH_ERR_INVALID_ARGUMENT instead. */
TORSH_API torsh_status_t torsh_debug_raise(torsh_status_t code);

/* ---------------------------------------------------------------- tensors */

typedef enum torsh_dtype {
    TORSH_DTYPE_INVALID = -1, /* returned by torsh_tensor_dtype on error */
    TORSH_F32 = 0,
    TORSH_F64 = 1,
    TORSH_I32 = 2,
    TORSH_I64 = 3,
    TORSH_BOOL = 4, /* one byte, 0 or 1 */
    TORSH_F16 = 5,  /* IEEE half; storage only */
    TORSH_BF16 = 6, /* bfloat16; storage only */
    TORSH_I8 = 7,
    TORSH_U8 = 8,
    TORSH_DTYPE_COUNT = 9
} torsh_dtype_t;

#define TORSH_MAX_NDIM 32

typedef struct torsh_tensor torsh_tensor_t;
/* Called with (data, ctx) when the last tensor using a blob's storage goes away. */
typedef void (*torsh_deleter_fn)(void *data, void *ctx);

/* Bytes per element; 0 (and TORSH_ERR_DTYPE) for an unknown dtype. */
TORSH_API size_t torsh_dtype_size(torsh_dtype_t dtype);

/* A contiguous tensor holding a copy of numel(shape) elements read from `data`.
 * New reference: release it. NULL on failure. */
TORSH_API torsh_tensor_t *torsh_tensor_from_array(const void *data, const int64_t *shape,
                                                  int ndim, torsh_dtype_t dtype);
TORSH_API torsh_tensor_t *torsh_tensor_from_array_with_error(const void *data,
                                                             const int64_t *shape, int ndim,
                                                             torsh_dtype_t dtype,
                                                             torsh_error_t **err);
/* A tensor over caller memory, without copying. strides may be NULL (contiguous) and
 * must be >= 0; data must be aligned to the element size. deleter(data, deleter_ctx) runs
 * when the last tensor (or view) of this storage is released; deleter NULL means the
 * caller keeps ownership and keeps data alive. On failure the deleter is not called.
 * New reference: release it. */
TORSH_API torsh_tensor_t *torsh_tensor_from_blob(void *data, const int64_t *shape,
                                                 const int64_t *strides, int ndim,
                                                 torsh_dtype_t dtype, torsh_deleter_fn deleter,
                                                 void *deleter_ctx);
TORSH_API torsh_tensor_t *torsh_tensor_from_blob_with_error(void *data, const int64_t *shape,
                                                            const int64_t *strides, int ndim,
                                                            torsh_dtype_t dtype,
                                                            torsh_deleter_fn deleter,
                                                            void *deleter_ctx,
                                                            torsh_error_t **err);
/* Uninitialized / zero-filled contiguous tensors with 64-byte aligned storage.
 * shape may be NULL when ndim == 0. New reference: release it. */
TORSH_API torsh_tensor_t *torsh_tensor_empty(const int64_t *shape, int ndim, torsh_dtype_t dtype);
TORSH_API torsh_tensor_t *torsh_tensor_empty_with_error(const int64_t *shape, int ndim,
                                                        torsh_dtype_t dtype, torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_tensor_zeros(const int64_t *shape, int ndim, torsh_dtype_t dtype);
TORSH_API torsh_tensor_t *torsh_tensor_zeros_with_error(const int64_t *shape, int ndim,
                                                        torsh_dtype_t dtype, torsh_error_t **err);

/* A view sharing t's storage: element (i0, i1, ...) of the view is element
 * offset + sum(ik * strides[k]) counted from t's first element. strides may be NULL
 * (contiguous). Every reachable element must lie inside the storage (TORSH_ERR_INDEX).
 * A view of a pool tensor belongs to that pool. New reference: release it. */
TORSH_API torsh_tensor_t *torsh_tensor_view(const torsh_tensor_t *t, const int64_t *shape,
                                            const int64_t *strides, int ndim, int64_t offset);
TORSH_API torsh_tensor_t *torsh_tensor_view_with_error(const torsh_tensor_t *t,
                                                       const int64_t *shape,
                                                       const int64_t *strides, int ndim,
                                                       int64_t offset, torsh_error_t **err);
/* t with another shape of the same numel; one entry may be -1 (inferred). A view when t
 * is contiguous, else a contiguous copy (on the heap). New reference: release it. */
TORSH_API torsh_tensor_t *torsh_tensor_reshape(const torsh_tensor_t *t, const int64_t *shape,
                                               int ndim);
TORSH_API torsh_tensor_t *torsh_tensor_reshape_with_error(const torsh_tensor_t *t,
                                                          const int64_t *shape, int ndim,
                                                          torsh_error_t **err);
/* t itself (retained) when it is contiguous, else a contiguous copy on the heap.
 * New reference: release it. */
TORSH_API torsh_tensor_t *torsh_tensor_contiguous(const torsh_tensor_t *t);
TORSH_API torsh_tensor_t *torsh_tensor_contiguous_with_error(const torsh_tensor_t *t,
                                                             torsh_error_t **err);

/* The address of t's first element. Borrowed: valid while t (or another tensor sharing
 * its storage) is live and its pool is neither reset nor freed. NULL on error. */
TORSH_API void *torsh_tensor_data_ptr(const torsh_tensor_t *t);
/* ndim, or -1 on error. */
TORSH_API int torsh_tensor_ndim(const torsh_tensor_t *t);
/* ndim sizes / strides (in elements). Borrowed: valid until t is released. NULL on error
 * (a 0-d tensor returns a valid pointer to no elements). */
TORSH_API const int64_t *torsh_tensor_shape(const torsh_tensor_t *t);
TORSH_API const int64_t *torsh_tensor_strides(const torsh_tensor_t *t);
/* The dtype, or TORSH_DTYPE_INVALID on error. */
TORSH_API torsh_dtype_t torsh_tensor_dtype(const torsh_tensor_t *t);
/* Element count / numel * dtype size, or -1 on error. */
TORSH_API int64_t torsh_tensor_numel(const torsh_tensor_t *t);
TORSH_API int64_t torsh_tensor_nbytes(const torsh_tensor_t *t);
/* 1 if row-major contiguous, 0 if not, -1 on error. */
TORSH_API int torsh_tensor_is_contiguous(const torsh_tensor_t *t);

/* Reference counting (atomic). retain adds a reference to the same handle; release drops
 * one and frees the tensor with the last one (its storage goes with the last tensor or
 * view using it). free is release under the name the examples use. Releasing or freeing
 * NULL is a no-op; retaining NULL is TORSH_ERR_NULL_ARGUMENT. */
TORSH_API torsh_status_t torsh_tensor_retain(torsh_tensor_t *t);
TORSH_API torsh_status_t torsh_tensor_release(torsh_tensor_t *t);
TORSH_API torsh_status_t torsh_tensor_free(torsh_tensor_t *t);
/* The handle's reference count, or -1 on error. */
TORSH_API int64_t torsh_tensor_refcount(const torsh_tensor_t *t);

/* ---------------------------------------------------------------- memory pools */

/* An arena of `bytes` bytes (one counted allocation). Tensors allocated from it take
 * 64-byte aligned slices and never grow it: a full pool fails with
 * TORSH_ERR_OUT_OF_MEMORY. New: free it with torsh_memory_pool_free. */
typedef struct torsh_memory_pool torsh_memory_pool_t;
TORSH_API torsh_memory_pool_t *torsh_memory_pool_new(size_t bytes);
TORSH_API torsh_memory_pool_t *torsh_memory_pool_new_with_error(size_t bytes,
                                                                torsh_error_t **err);
/* A contiguous tensor whose storage is a slice of the pool (uninitialized).
 * New reference: release it, or let torsh_memory_pool_reset/free drop it. */
TORSH_API torsh_tensor_t *torsh_tensor_from_pool(torsh_memory_pool_t *pool, const int64_t *shape,
                                                 int ndim, torsh_dtype_t dtype);
TORSH_API torsh_tensor_t *torsh_tensor_from_pool_with_error(torsh_memory_pool_t *pool,
                                                            const int64_t *shape, int ndim,
                                                            torsh_dtype_t dtype,
                                                            torsh_error_t **err);
/* Frees every tensor and view of the pool (their handles become invalid) and makes the
 * whole arena available again. */
TORSH_API torsh_status_t torsh_memory_pool_reset(torsh_memory_pool_t *pool);
/* Bytes handed out since creation or the last reset (alignment included) / arena size;
 * -1 on error. */
TORSH_API int64_t torsh_memory_pool_used(const torsh_memory_pool_t *pool);
TORSH_API int64_t torsh_memory_pool_capacity(const torsh_memory_pool_t *pool);
/* Frees every tensor of the pool, then the pool. NULL is a no-op. */
TORSH_API torsh_status_t torsh_memory_pool_free(torsh_memory_pool_t *pool);

/* ---------------------------------------------------------------- threads and launch */

/* The kernel ABI: every compiled kernel has this signature. buffers are the data
 * pointers of its operands, sizes its int64 scalars (shapes, strides, ...), and
 * [start, end) the part of the outermost parallel dimension this call must compute. */
typedef void (*torsh_kernel_fn)(void *const *buffers, const int64_t *sizes, int64_t start,
                                int64_t end);

/* Worker threads used by launches, the calling thread included. n >= 1; n == 0 restores
 * the default: TORSH_NUM_THREADS, else the number of CPUs this process may use (read at
 * first use, by torsh_init, and by torsh_set_num_threads(0)). */
TORSH_API torsh_status_t torsh_set_num_threads(int n);
TORSH_API int torsh_get_num_threads(void);

/* Runs kernel over [0, range): split into up to num_threads contiguous chunks of at least
 * `grain` iterations (grain < 1 counts as 1), run by the workers and the calling thread,
 * returning when all are done. No split when range < 2 * grain or with one thread; a
 * launch from inside a kernel, or while another thread's launch holds the workers, runs
 * on the calling thread. range == 0 calls nothing. */
TORSH_API torsh_status_t torsh_launch(torsh_kernel_fn kernel, void *const *buffers,
                                      const int64_t *sizes, int64_t range, int64_t grain);

/* A plan: a list of launches run in order by one call. Its buffers are "slots": slots
 * 0 .. num_slots-1 are bound by each torsh_plan_run, the following ones are scratch
 * buffers (intermediates) owned by the plan, carved from one arena allocated at the first
 * run and reused by every later run. New: free it with torsh_plan_free. */
typedef struct torsh_plan torsh_plan_t;
TORSH_API torsh_plan_t *torsh_plan_new(int num_slots);
TORSH_API torsh_plan_t *torsh_plan_new_with_error(int num_slots, torsh_error_t **err);
/* Adds a scratch buffer of `nbytes` (64-byte aligned); stores its slot in *slot. */
TORSH_API torsh_status_t torsh_plan_add_scratch(torsh_plan_t *plan, int64_t nbytes, int *slot);
/* Appends a launch of kernel whose buffers are the slots buffer_slots[0..num_buffers)
 * and whose sizes are a copy of sizes[0..num_sizes). buffer_slots / sizes may be NULL
 * when their count is 0. Slots must exist already. */
TORSH_API torsh_status_t torsh_plan_add_launch(torsh_plan_t *plan, torsh_kernel_fn kernel,
                                               const int *buffer_slots, int num_buffers,
                                               const int64_t *sizes, int num_sizes,
                                               int64_t range, int64_t grain);
/* Runs every launch in order, slot i (< num_slots) bound to slot_ptrs[i]. slot_ptrs may
 * be NULL when num_slots == 0. Adding to a plan after its first run fails
 * (TORSH_ERR_INVALID_ARGUMENT); so does running one plan from two threads at once. */
TORSH_API torsh_status_t torsh_plan_run(torsh_plan_t *plan, void *const *slot_ptrs);
/* Number of launches / bytes of the scratch arena; -1 on error. */
TORSH_API int torsh_plan_num_launches(const torsh_plan_t *plan);
TORSH_API int64_t torsh_plan_scratch_bytes(const torsh_plan_t *plan);
/* Frees the plan and its scratch arena. NULL is a no-op. */
TORSH_API torsh_status_t torsh_plan_free(torsh_plan_t *plan);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TORSH_H */
