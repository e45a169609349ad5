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

#include <stdbool.h>
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

/* ================================================================ the tensor API
 *
 * Eager operations on tensors, autograd, modules and optimizers: what a C program (or a
 * binding) uses to compute and train without Python. Every kernel they run was generated
 * by torsh's compiler (torsh/codegen/aot.py) when libtorsh was built: shape-generic code
 * that reads sizes and strides from its arguments, linked into this library.
 *
 * Conventions of this part (besides those at the top of this file):
 * - Ops follow PyTorch: broadcasting of shapes, type promotion (bool < integers <
 *   floats; within a kind the wider type wins; f16 with bf16 gives f32), dims may be
 *   negative (counted from the end). Float math (div, pow, exp, ...) on integer or bool
 *   operands computes in f32, as torch does. f16/bf16 are storage types: cast them first
 *   (TORSH_ERR_DTYPE otherwise).
 * - Inputs may be any tensors, views (non-contiguous, stride 0) included; results are new
 *   contiguous tensors on the heap. New reference: release it.
 * - Autograd: an op whose inputs require grad records how to differentiate its result
 *   (unless a no_grad section is open on the calling thread); torsh_backward runs the
 *   backward kernels, generated from the same VJP rules as Python torsh's. The graph holds
 *   references to the tensors it needs, so inputs may be released early.
 * - Autograd state of a tensor is not synchronized: do not run ops on and backward
 *   through the same tensors from two threads at once.
 */

/* Seeds the generator of torsh_tensor_rand/randn and of module initialization (per
 * process; the default seed is 0, so programs are reproducible). */
TORSH_API void torsh_manual_seed(uint64_t seed);
/* Uniform [0, 1) / standard normal samples (f32 or f64). New reference: release it. */
TORSH_API torsh_tensor_t *torsh_tensor_rand(const int64_t *shape, int ndim, torsh_dtype_t dtype);
TORSH_API torsh_tensor_t *torsh_tensor_rand_with_error(const int64_t *shape, int ndim,
                                                       torsh_dtype_t dtype,
                                                       torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_tensor_randn(const int64_t *shape, int ndim, torsh_dtype_t dtype);
TORSH_API torsh_tensor_t *torsh_tensor_randn_with_error(const int64_t *shape, int ndim,
                                                        torsh_dtype_t dtype,
                                                        torsh_error_t **err);

/* ---------------------------------------------------------------- elementwise ops */

/* a (op) b with broadcasting and promotion: add, sub, mul, div (true division: integers
 * give f32), pow. New reference: release it. NULL on failure (shape mismatch: the
 * message names both shapes). */
TORSH_API torsh_tensor_t *torsh_add(const torsh_tensor_t *a, const torsh_tensor_t *b);
TORSH_API torsh_tensor_t *torsh_add_with_error(const torsh_tensor_t *a, const torsh_tensor_t *b,
                                               torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_sub(const torsh_tensor_t *a, const torsh_tensor_t *b);
TORSH_API torsh_tensor_t *torsh_sub_with_error(const torsh_tensor_t *a, const torsh_tensor_t *b,
                                               torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_mul(const torsh_tensor_t *a, const torsh_tensor_t *b);
TORSH_API torsh_tensor_t *torsh_mul_with_error(const torsh_tensor_t *a, const torsh_tensor_t *b,
                                               torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_div(const torsh_tensor_t *a, const torsh_tensor_t *b);
TORSH_API torsh_tensor_t *torsh_div_with_error(const torsh_tensor_t *a, const torsh_tensor_t *b,
                                               torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_pow(const torsh_tensor_t *a, const torsh_tensor_t *b);
TORSH_API torsh_tensor_t *torsh_pow_with_error(const torsh_tensor_t *a, const torsh_tensor_t *b,
                                               torsh_error_t **err);

/* Elementwise functions of one tensor: neg and relu keep integer dtypes; the others
 * compute in floating point. gelu is the exact (erf) form. New reference: release it. */
TORSH_API torsh_tensor_t *torsh_neg(const torsh_tensor_t *t);
TORSH_API torsh_tensor_t *torsh_neg_with_error(const torsh_tensor_t *t, torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_exp(const torsh_tensor_t *t);
TORSH_API torsh_tensor_t *torsh_exp_with_error(const torsh_tensor_t *t, torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_log(const torsh_tensor_t *t);
TORSH_API torsh_tensor_t *torsh_log_with_error(const torsh_tensor_t *t, torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_sqrt(const torsh_tensor_t *t);
TORSH_API torsh_tensor_t *torsh_sqrt_with_error(const torsh_tensor_t *t, torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_tanh(const torsh_tensor_t *t);
TORSH_API torsh_tensor_t *torsh_tanh_with_error(const torsh_tensor_t *t, torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_sigmoid(const torsh_tensor_t *t);
TORSH_API torsh_tensor_t *torsh_sigmoid_with_error(const torsh_tensor_t *t, torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_relu(const torsh_tensor_t *t);
TORSH_API torsh_tensor_t *torsh_relu_with_error(const torsh_tensor_t *t, torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_gelu(const torsh_tensor_t *t);
TORSH_API torsh_tensor_t *torsh_gelu_with_error(const torsh_tensor_t *t, torsh_error_t **err);

/* ---------------------------------------------------------------- matmul */

/* torch.matmul: 1-d operands are promoted to matrices and the added dim removed
 * afterwards; batch dims broadcast. Both operands must have one float dtype (f32 or f64)
 * after promotion. A size mismatch is TORSH_ERR_SHAPE_MISMATCH naming both shapes.
 * New reference: release it. */
TORSH_API torsh_tensor_t *torsh_matmul(const torsh_tensor_t *a, const torsh_tensor_t *b);
TORSH_API torsh_tensor_t *torsh_matmul_with_error(const torsh_tensor_t *a,
                                                  const torsh_tensor_t *b, torsh_error_t **err);

/* ---------------------------------------------------------------- reductions */

/* Over the whole tensor: a 0-d result. sum keeps integer dtypes as i64 (bool too), mean
 * needs a float dtype, max keeps the dtype and fails on an empty tensor.
 * New reference: release it. */
TORSH_API torsh_tensor_t *torsh_sum(const torsh_tensor_t *t);
TORSH_API torsh_tensor_t *torsh_sum_with_error(const torsh_tensor_t *t, torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_mean(const torsh_tensor_t *t);
TORSH_API torsh_tensor_t *torsh_mean_with_error(const torsh_tensor_t *t, torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_max(const torsh_tensor_t *t);
TORSH_API torsh_tensor_t *torsh_max_with_error(const torsh_tensor_t *t, torsh_error_t **err);
/* Along one dim (negative counts from the end); keepdim keeps it with size 1. max_dim
 * returns the values only (torch.max(t, dim).values). New reference: release it. */
TORSH_API torsh_tensor_t *torsh_sum_dim(const torsh_tensor_t *t, int dim, bool keepdim);
TORSH_API torsh_tensor_t *torsh_sum_dim_with_error(const torsh_tensor_t *t, int dim,
                                                   bool keepdim, torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_mean_dim(const torsh_tensor_t *t, int dim, bool keepdim);
TORSH_API torsh_tensor_t *torsh_mean_dim_with_error(const torsh_tensor_t *t, int dim,
                                                    bool keepdim, torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_max_dim(const torsh_tensor_t *t, int dim, bool keepdim);
TORSH_API torsh_tensor_t *torsh_max_dim_with_error(const torsh_tensor_t *t, int dim,
                                                   bool keepdim, torsh_error_t **err);
/* softmax / log_softmax along dim (float dtypes). New reference: release it. */
TORSH_API torsh_tensor_t *torsh_softmax(const torsh_tensor_t *t, int dim);
TORSH_API torsh_tensor_t *torsh_softmax_with_error(const torsh_tensor_t *t, int dim,
                                                   torsh_error_t **err);
TORSH_API torsh_tensor_t *torsh_log_softmax(const torsh_tensor_t *t, int dim);
TORSH_API torsh_tensor_t *torsh_log_softmax_with_error(const torsh_tensor_t *t, int dim,
                                                       torsh_error_t **err);

/* ---------------------------------------------------------------- shapes and copies */

/* torch.reshape (one entry may be -1): a view when t is contiguous, else a copy; records
 * autograd (torsh_tensor_reshape is the runtime's form, which does not).
 * New reference: release it. */
TORSH_API torsh_tensor_t *torsh_reshape(const torsh_tensor_t *t, const int64_t *shape, int ndim);
TORSH_API torsh_tensor_t *torsh_reshape_with_error(const torsh_tensor_t *t,
                                                   const int64_t *shape, int ndim,
                                                   torsh_error_t **err);
/* A view with dims dim0 and dim1 swapped. New reference: release it. */
TORSH_API torsh_tensor_t *torsh_transpose(const torsh_tensor_t *t, int dim0, int dim1);
TORSH_API torsh_tensor_t *torsh_transpose_with_error(const torsh_tensor_t *t, int dim0,
                                                     int dim1, torsh_error_t **err);
/* t (a new reference to the same handle) when contiguous, else a contiguous copy made by
 * a generated kernel; records autograd. New reference: release it. */
TORSH_API torsh_tensor_t *torsh_contiguous(const torsh_tensor_t *t);
TORSH_API torsh_tensor_t *torsh_contiguous_with_error(const torsh_tensor_t *t,
                                                      torsh_error_t **err);
/* t converted to dtype (torch's .to(dtype) rules: float -> int truncates, NaN/out of
 * range -> 0; nonzero -> true). New reference: release it. */
TORSH_API torsh_tensor_t *torsh_cast(const torsh_tensor_t *t, torsh_dtype_t dtype);
TORSH_API torsh_tensor_t *torsh_cast_with_error(const torsh_tensor_t *t, torsh_dtype_t dtype,
                                                torsh_error_t **err);
/* In place, not recorded by autograd (like torch's under no_grad): every element of t
 * set to value (converted to t's dtype) / to src broadcast to t's shape and converted to
 * its dtype. dst may be a view; src may overlap dst only if it is dst itself. */
TORSH_API torsh_status_t torsh_fill(torsh_tensor_t *t, double value);
TORSH_API torsh_status_t torsh_fill_with_error(torsh_tensor_t *t, double value,
                                               torsh_error_t **err);
TORSH_API torsh_status_t torsh_copy(torsh_tensor_t *dst, const torsh_tensor_t *src);
TORSH_API torsh_status_t torsh_copy_with_error(torsh_tensor_t *dst, const torsh_tensor_t *src,
                                               torsh_error_t **err);

/* ---------------------------------------------------------------- losses */

/* mean((input - target)^2) over all elements (shapes must match exactly, as torch warns
 * otherwise). New reference: release it. */
TORSH_API torsh_tensor_t *torsh_mse_loss(const torsh_tensor_t *input, const torsh_tensor_t *target);
TORSH_API torsh_tensor_t *torsh_mse_loss_with_error(const torsh_tensor_t *input,
                                                    const torsh_tensor_t *target,
                                                    torsh_error_t **err);
/* Mean cross-entropy of logits (N, C) (float) against class indices target (N) (i64 or
 * i32, each in [0, C): TORSH_ERR_INDEX otherwise); a 1-d logits (C) with a 0-d target is
 * one sample. New reference: release it. */
TORSH_API torsh_tensor_t *torsh_cross_entropy(const torsh_tensor_t *logits,
                                              const torsh_tensor_t *target);
TORSH_API torsh_tensor_t *torsh_cross_entropy_with_error(const torsh_tensor_t *logits,
                                                         const torsh_tensor_t *target,
                                                         torsh_error_t **err);

/* ---------------------------------------------------------------- autograd */

/* Marks t as a leaf whose gradient backward accumulates (float dtypes only; a non-leaf
 * (a result of a recorded op) cannot change: TORSH_ERR_INVALID_ARGUMENT). */
TORSH_API torsh_status_t torsh_tensor_set_requires_grad(torsh_tensor_t *t, bool requires_grad);
/* 1 if t requires grad (a marked leaf or a recorded result), 0 if not, -1 on error. */
TORSH_API int torsh_tensor_requires_grad(const torsh_tensor_t *t);
/* The gradient accumulated in t by backward. New reference: release it. NULL with the
 * last error left at TORSH_OK (check torsh_last_error) when t has no gradient (yet). */
TORSH_API torsh_tensor_t *torsh_tensor_grad(const torsh_tensor_t *t);
TORSH_API torsh_tensor_t *torsh_tensor_grad_with_error(const torsh_tensor_t *t,
                                                       torsh_error_t **err);
/* Drops t's gradient (torch's grad = None). */
TORSH_API torsh_status_t torsh_tensor_zero_grad(torsh_tensor_t *t);
/* Back-propagates from a scalar (one element) loss: every leaf it depends on that
 * requires grad gets d loss / d leaf added to its gradient. Without retain_graph the
 * graph's saved tensors are freed, and a second backward through it fails
 * (TORSH_ERR_INVALID_ARGUMENT: pass retain_graph = true the first time). */
TORSH_API torsh_status_t torsh_backward(torsh_tensor_t *loss, bool retain_graph);
/* A section of the calling thread in which ops record nothing (they nest). end without a
 * begin is TORSH_ERR_INVALID_ARGUMENT. */
TORSH_API void torsh_no_grad_begin(void);
TORSH_API torsh_status_t torsh_no_grad_end(void);

/* ---------------------------------------------------------------- modules */

/* Modules and parameter lists are handles, validated like tensors.
 * Ownership: torsh_sequential_add takes over the module it is given (even when it fails,
 * so `torsh_sequential_add(model, torsh_linear_new(784, 128, true))` leaks nothing),
 * except when the module is not a live module, already belongs to a sequential, or is or
 * contains the sequential itself (a cycle): then it fails and the caller keeps it;
 * freeing the sequential frees its modules. A parameter list holds new references to the
 * parameters (their gradients live on them); torsh_sgd_new/torsh_adam_new take over the
 * list they are given (even when they fail), so it can be passed straight from
 * torsh_module_parameters. A list an optimizer owns stays readable (torsh_params_count,
 * torsh_params_get) while the optimizer lives; freeing it, or giving it to a second
 * optimizer, fails with TORSH_ERR_INVALID_ARGUMENT and takes nothing over. */
typedef struct torsh_module torsh_module_t;
typedef struct torsh_params torsh_params_t;

/* New: free it with torsh_module_free (or hand it to torsh_sequential_add). */
TORSH_API torsh_module_t *torsh_sequential_new(void);
TORSH_API torsh_module_t *torsh_sequential_new_with_error(torsh_error_t **err);
TORSH_API torsh_status_t torsh_sequential_add(torsh_module_t *sequential, torsh_module_t *module);
/* y = x W^T + b with torch.nn.Linear's initialization: W (out, in) and b (out) uniform in
 * +-1/sqrt(in), both f32 leaves requiring grad. New: free it with torsh_module_free. */
TORSH_API torsh_module_t *torsh_linear_new(int64_t in_features, int64_t out_features, bool bias);
TORSH_API torsh_module_t *torsh_linear_new_with_error(int64_t in_features, int64_t out_features,
                                                      bool bias, torsh_error_t **err);
/* Activations without parameters. New: free it with torsh_module_free. */
TORSH_API torsh_module_t *torsh_relu_new(void);
TORSH_API torsh_module_t *torsh_relu_new_with_error(torsh_error_t **err);
TORSH_API torsh_module_t *torsh_sigmoid_new(void);
TORSH_API torsh_module_t *torsh_sigmoid_new_with_error(torsh_error_t **err);
TORSH_API torsh_module_t *torsh_tanh_new(void);
TORSH_API torsh_module_t *torsh_tanh_new_with_error(torsh_error_t **err);
/* The module applied to input (recorded by autograd). New reference: release it. */
TORSH_API torsh_tensor_t *torsh_module_forward(torsh_module_t *module, const torsh_tensor_t *input);
TORSH_API torsh_tensor_t *torsh_module_forward_with_error(torsh_module_t *module,
                                                          const torsh_tensor_t *input,
                                                          torsh_error_t **err);
/* The module's parameters in registration order (Linear: weight, then bias).
 * New: free it with torsh_params_free, or hand it to an optimizer. */
TORSH_API torsh_params_t *torsh_module_parameters(const torsh_module_t *module);
TORSH_API torsh_params_t *torsh_module_parameters_with_error(const torsh_module_t *module,
                                                             torsh_error_t **err);
/* Frees a module (a sequential with its modules). The parameter tensors live on while a
 * parameter list or optimizer references them. NULL is a no-op. */
TORSH_API torsh_status_t torsh_module_free(torsh_module_t *module);

/* Number of parameters in the list, -1 on error. */
TORSH_API int64_t torsh_params_count(const torsh_params_t *params);
/* Parameter i (the same handle the module uses, so its data and gradient are the
 * module's). Borrowed: valid while the list is live. */
TORSH_API torsh_tensor_t *torsh_params_get(const torsh_params_t *params, int64_t i);
TORSH_API torsh_tensor_t *torsh_params_get_with_error(const torsh_params_t *params, int64_t i,
                                                      torsh_error_t **err);
TORSH_API torsh_status_t torsh_params_free(torsh_params_t *params);

/* ---------------------------------------------------------------- optimizers */

typedef struct torsh_optimizer torsh_optimizer_t;
/* torch.optim.SGD(params, lr, momentum) / torch.optim.Adam(params, lr, (beta1, beta2),
 * eps). Each step runs one fused update kernel per parameter, generated from the update
 * rule of Python's torsh.optim. Takes over params (see "Ownership" above).
 * New: free it with torsh_optimizer_free. */
TORSH_API torsh_optimizer_t *torsh_sgd_new(torsh_params_t *params, double lr, double momentum);
TORSH_API torsh_optimizer_t *torsh_sgd_new_with_error(torsh_params_t *params, double lr,
                                                      double momentum, torsh_error_t **err);
TORSH_API torsh_optimizer_t *torsh_adam_new(torsh_params_t *params, double lr, double beta1,
                                            double beta2, double eps);
TORSH_API torsh_optimizer_t *torsh_adam_new_with_error(torsh_params_t *params, double lr,
                                                       double beta1, double beta2, double eps,
                                                       torsh_error_t **err);
/* Drops every parameter's gradient (torch's zero_grad(set_to_none=True)). */
TORSH_API torsh_status_t torsh_optimizer_zero_grad(torsh_optimizer_t *optimizer);
/* Updates every parameter that has a gradient. */
TORSH_API torsh_status_t torsh_optimizer_step(torsh_optimizer_t *optimizer);
TORSH_API torsh_status_t torsh_optimizer_free(torsh_optimizer_t *optimizer);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TORSH_H */
