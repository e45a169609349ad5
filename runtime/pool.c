/*
 * pool.c: memory pools (arenas).
 *
 * A pool is one counted allocation carved by a bump pointer into 64-byte aligned slices.
 * It never grows: a request that does not fit fails with TORSH_ERR_OUT_OF_MEMORY, so a
 * caller that sized a pool for a workload learns at once when the workload outgrows it.
 * The pool keeps a list of every tensor (and view) whose storage lies in its arena, so
 * that reset and free can end those handles instead of leaving them pointing at memory
 * that is about to be handed out again.
 */
#include "internal.h"

static torsh_status_t get_pool(const char *fn, const torsh_memory_pool_t *h, rt_pool_t **out) {
    if (h == NULL) return rt_fail_at(fn, TORSH_ERR_NULL_ARGUMENT, "pool is NULL");
    *out = rt_handle_lookup(rt_bits(h), RT_KIND_POOL);
    if (*out == NULL)
        return rt_fail_at(fn, TORSH_ERR_INVALID_HANDLE,
                          "not a live memory pool (freed already, or never a pool)");
    return TORSH_OK;
}

static void link_locked(rt_pool_t *pool, rt_tensor_t *t) {
    t->pool_prev = NULL;
    t->pool_next = pool->tensors;
    if (pool->tensors != NULL) pool->tensors->pool_prev = t;
    pool->tensors = t;
}

void rt_pool_link(rt_pool_t *pool, rt_tensor_t *t) {
    pthread_mutex_lock(&pool->mu);
    link_locked(pool, t);
    pthread_mutex_unlock(&pool->mu);
}

void rt_pool_unlink(rt_pool_t *pool, rt_tensor_t *t) {
    pthread_mutex_lock(&pool->mu);
    if (t->pool_prev != NULL)
        t->pool_prev->pool_next = t->pool_next;
    else
        pool->tensors = t->pool_next;
    if (t->pool_next != NULL) t->pool_next->pool_prev = t->pool_prev;
    pthread_mutex_unlock(&pool->mu);
}

/* Ends every tensor of the pool, with pool->mu held. */
static void drop_tensors_locked(rt_pool_t *pool) {
    rt_tensor_t *t = pool->tensors;
    while (t != NULL) {
        rt_tensor_t *next = t->pool_next;
        rt_tensor_destroy_unlinked(t);
        t = next;
    }
    pool->tensors = NULL;
    pool->used = 0;
}

torsh_memory_pool_t *torsh_memory_pool_new(size_t bytes) {
    if (bytes == 0) {
        RT_FAIL(TORSH_ERR_INVALID_ARGUMENT, "a pool needs a capacity above 0 bytes");
        return NULL;
    }
    rt_pool_t *pool = rt_alloc(sizeof *pool);
    char *arena = pool != NULL ? rt_alloc(bytes) : NULL;
    if (arena == NULL) {
        rt_dealloc(pool);
        RT_FAIL(TORSH_ERR_OUT_OF_MEMORY, "cannot allocate a pool of %zu bytes%s", bytes,
                rt_alloc_failure_reason());
        return NULL;
    }
    pool->arena = arena;
    pool->capacity = bytes;
    pool->used = 0;
    pool->tensors = NULL;
    if (pthread_mutex_init(&pool->mu, NULL) != 0) {
        rt_dealloc(arena);
        rt_dealloc(pool);
        RT_FAIL(TORSH_ERR_INTERNAL, "pthread_mutex_init failed");
        return NULL;
    }
    pool->handle = rt_handle_register(RT_KIND_POOL, pool);
    if (pool->handle == 0) {
        pthread_mutex_destroy(&pool->mu);
        rt_dealloc(arena);
        rt_dealloc(pool);
        RT_FAIL(TORSH_ERR_OUT_OF_MEMORY, "the handle table cannot grow");
        return NULL;
    }
    return rt_token(pool->handle);
}

torsh_memory_pool_t *torsh_memory_pool_new_with_error(size_t bytes, torsh_error_t **err) {
    torsh_memory_pool_t *pool = torsh_memory_pool_new(bytes);
    if (pool == NULL) rt_capture_error(err);
    return pool;
}

static torsh_status_t from_pool(const char *fn, torsh_memory_pool_t *h, const int64_t *shape,
                                int ndim, torsh_dtype_t dtype, rt_tensor_t **out) {
    rt_pool_t *pool;
    int64_t numel;
    torsh_status_t st = get_pool(fn, h, &pool);
    if (st == TORSH_OK) st = rt_check_shape(fn, shape, ndim, dtype, &numel);
    if (st != TORSH_OK) return st;
    size_t nbytes = (size_t)numel * torsh_dtype_size(dtype);

    /* Holding the lock across the object allocations makes reserve-or-roll-back trivial:
     * nothing else can bump `used` in between. */
    pthread_mutex_lock(&pool->mu);
    size_t start = (pool->used + TORSH_ALIGNMENT - 1) / TORSH_ALIGNMENT * TORSH_ALIGNMENT;
    if (start > pool->capacity || pool->capacity - start < nbytes) {
        size_t used = pool->used;
        pthread_mutex_unlock(&pool->mu);
        return rt_fail_at(fn, TORSH_ERR_OUT_OF_MEMORY,
                          "the pool is full: %zu of %zu bytes used, %zu more requested", used,
                          pool->capacity, nbytes);
    }
    rt_storage_t *storage = rt_storage_new(pool->arena + start, (int64_t)nbytes);
    if (storage == NULL) {
        pthread_mutex_unlock(&pool->mu);
        return rt_fail_at(fn, TORSH_ERR_OUT_OF_MEMORY, "cannot allocate a storage%s",
                          rt_alloc_failure_reason());
    }
    storage->pool = pool;
    st = rt_tensor_new(fn, storage, shape, NULL, ndim, dtype, 0, out);
    if (st != TORSH_OK) {
        rt_dealloc(storage);
    } else {
        link_locked(pool, *out);
        pool->used = start + nbytes;
    }
    pthread_mutex_unlock(&pool->mu);
    return st;
}

torsh_tensor_t *torsh_tensor_from_pool(torsh_memory_pool_t *pool, const int64_t *shape, int ndim,
                                       torsh_dtype_t dtype) {
    rt_tensor_t *t;
    return from_pool(__func__, pool, shape, ndim, dtype, &t) == TORSH_OK ? rt_token(t->handle)
                                                                         : NULL;
}

torsh_tensor_t *torsh_tensor_from_pool_with_error(torsh_memory_pool_t *pool, const int64_t *shape,
                                                  int ndim, torsh_dtype_t dtype,
                                                  torsh_error_t **err) {
    torsh_tensor_t *t = torsh_tensor_from_pool(pool, shape, ndim, dtype);
    if (t == NULL) rt_capture_error(err);
    return t;
}

torsh_status_t torsh_memory_pool_reset(torsh_memory_pool_t *h) {
    rt_pool_t *pool;
    torsh_status_t st = get_pool(__func__, h, &pool);
    if (st != TORSH_OK) return st;
    pthread_mutex_lock(&pool->mu);
    drop_tensors_locked(pool);
    pthread_mutex_unlock(&pool->mu);
    return TORSH_OK;
}

int64_t torsh_memory_pool_used(const torsh_memory_pool_t *h) {
    rt_pool_t *pool;
    if (get_pool(__func__, h, &pool) != TORSH_OK) return -1;
    pthread_mutex_lock(&pool->mu);
    size_t used = pool->used;
    pthread_mutex_unlock(&pool->mu);
    return (int64_t)used;
}

int64_t torsh_memory_pool_capacity(const torsh_memory_pool_t *h) {
    rt_pool_t *pool;
    return get_pool(__func__, h, &pool) == TORSH_OK ? (int64_t)pool->capacity : -1;
}

torsh_status_t torsh_memory_pool_free(torsh_memory_pool_t *h) {
    if (h == NULL) return TORSH_OK;
    rt_pool_t *pool;
    torsh_status_t st = get_pool(__func__, h, &pool);
    if (st != TORSH_OK) return st;
    rt_handle_unregister(pool->handle);
    pthread_mutex_lock(&pool->mu);
    drop_tensors_locked(pool);
    pthread_mutex_unlock(&pool->mu);
    pthread_mutex_destroy(&pool->mu);
    rt_dealloc(pool->arena);
    rt_dealloc(pool);
    return TORSH_OK;
}
