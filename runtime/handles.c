/*
 * handles.c: the handle table that makes stale handles harmless.
 *
 * A handle is not the address of its object but a token
 *
 *     bits 63..32 generation | bits 31..4 slot index + 1 | bits 3..0 kind
 *
 * naming a slot of this table. The slot stores the object pointer and a tag
 * (generation << 32 | kind, kind 0 while the slot is free). Releasing an object bumps
 * its slot's generation, so the old token no longer matches even after the slot and the
 * object's memory are reused: validation compares numbers and never reads freed memory,
 * which an address-plus-magic-field scheme cannot promise (malloc hands the same address
 * back at once).
 *
 * The table is a fixed array of lazily allocated chunks that never move, so lookups take
 * no lock (an acquire load of the chunk pointer and of the tag). Registering and
 * unregistering take table_mu to maintain the free list; fork() takes it too, so a child
 * never inherits it locked by a thread that does not exist there.
 */
#include "internal.h"

#include <stdlib.h>

#define KIND_BITS 4
#define INDEX_BITS 28
#define CHUNK_SLOTS 4096
#define MAX_CHUNKS ((1u << INDEX_BITS) / CHUNK_SLOTS)

typedef struct slot {
    _Atomic uint64_t tag;
    _Atomic(void *) object;
    uint32_t next_free; /* index + 1 of the next free slot, 0 ends the list */
} slot_t;

static _Atomic(slot_t *) chunks[MAX_CHUNKS];
static pthread_mutex_t table_mu = PTHREAD_MUTEX_INITIALIZER;
static uint32_t free_head;     /* index + 1, 0 when empty */
static uint32_t next_unused;   /* slots [0, next_unused) have been handed out before */
static uint32_t max_generation; /* highest generation in any slot */
/* Generation of slots in freshly allocated chunks: after torsh_cleanup frees the table,
 * new slots start above every generation handed out before, so handles from before the
 * cleanup stay invalid. */
static uint32_t first_generation = 1;
static _Atomic int64_t live_count;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void lock_table(void) { pthread_mutex_lock(&table_mu); }
static void unlock_table(void) { pthread_mutex_unlock(&table_mu); }
static void register_atfork(void) { pthread_atfork(lock_table, unlock_table, unlock_table); }

static inline uint64_t make_tag(uint32_t generation, rt_kind_t kind) {
    return ((uint64_t)generation << 32) | (uint64_t)kind;
}

static inline slot_t *slot_at(uint32_t index) {
    slot_t *chunk = atomic_load_explicit(&chunks[index / CHUNK_SLOTS], memory_order_acquire);
    return chunk ? &chunk[index % CHUNK_SLOTS] : NULL;
}

/* A slot index to use, with table_mu held; UINT32_MAX when the table is full or a chunk
 * cannot be allocated. */
static uint32_t take_slot(void) {
    if (free_head != 0) {
        uint32_t index = free_head - 1;
        free_head = slot_at(index)->next_free;
        return index;
    }
    if (next_unused >= (1u << INDEX_BITS) - 1) return UINT32_MAX;
    uint32_t index = next_unused;
    if (index % CHUNK_SLOTS == 0) {
        /* Not the counted allocator: the table outlives every object and is not part of
         * what torsh_memory_stats reports. */
        slot_t *chunk = calloc(CHUNK_SLOTS, sizeof *chunk);
        if (chunk == NULL) return UINT32_MAX;
        for (uint32_t i = 0; i < CHUNK_SLOTS; i++)
            atomic_init(&chunk[i].tag, make_tag(first_generation, 0));
        if (first_generation > max_generation) max_generation = first_generation;
        atomic_store_explicit(&chunks[index / CHUNK_SLOTS], chunk, memory_order_release);
    }
    next_unused++;
    return index;
}

uint64_t rt_handle_register(rt_kind_t kind, void *obj) {
    pthread_once(&atfork_once, register_atfork);
    pthread_mutex_lock(&table_mu);
    uint32_t index = take_slot();
    if (index == UINT32_MAX) {
        pthread_mutex_unlock(&table_mu);
        return 0;
    }
    slot_t *s = slot_at(index);
    uint32_t generation = (uint32_t)(atomic_load_explicit(&s->tag, memory_order_relaxed) >> 32);
    atomic_store_explicit(&s->object, obj, memory_order_relaxed);
    /* Release: a thread that sees the tag also sees the object pointer. */
    atomic_store_explicit(&s->tag, make_tag(generation, kind), memory_order_release);
    atomic_fetch_add(&live_count, 1);
    pthread_mutex_unlock(&table_mu);
    return ((uint64_t)generation << 32) | ((uint64_t)(index + 1) << KIND_BITS) | (uint64_t)kind;
}

/* The slot of a well-formed handle, or NULL. */
static slot_t *decode(uint64_t handle, rt_kind_t kind) {
    if ((handle & ((1u << KIND_BITS) - 1)) != (uint64_t)kind) return NULL;
    uint32_t index1 = (uint32_t)(handle >> KIND_BITS) & ((1u << INDEX_BITS) - 1);
    if (index1 == 0) return NULL;
    return slot_at(index1 - 1);
}

void *rt_handle_lookup(uint64_t handle, rt_kind_t kind) {
    slot_t *s = decode(handle, kind);
    if (s == NULL) return NULL;
    uint64_t expected = (handle & ~(uint64_t)UINT32_MAX) | (uint64_t)kind;
    if (atomic_load_explicit(&s->tag, memory_order_acquire) != expected) return NULL;
    return atomic_load_explicit(&s->object, memory_order_relaxed);
}

void rt_handle_unregister(uint64_t handle) {
    pthread_mutex_lock(&table_mu);
    uint32_t index1 = (uint32_t)(handle >> KIND_BITS) & ((1u << INDEX_BITS) - 1);
    slot_t *s = decode(handle, (rt_kind_t)(handle & ((1u << KIND_BITS) - 1)));
    uint64_t tag = s ? atomic_load_explicit(&s->tag, memory_order_relaxed) : 0;
    if (s != NULL && (tag & UINT32_MAX) != 0 && (tag >> 32) == (handle >> 32)) {
        uint32_t generation = (uint32_t)(tag >> 32) + 1;
        if (generation == 0) generation = 1; /* wrapped: 2^32 reuses of one slot */
        if (generation > max_generation) max_generation = generation;
        atomic_store_explicit(&s->object, NULL, memory_order_relaxed);
        atomic_store_explicit(&s->tag, make_tag(generation, 0), memory_order_release);
        s->next_free = free_head;
        free_head = index1;
        atomic_fetch_sub(&live_count, 1);
    }
    pthread_mutex_unlock(&table_mu);
}

int64_t rt_handles_live(void) { return atomic_load(&live_count); }

void rt_handles_shutdown(void) {
    pthread_mutex_lock(&table_mu);
    if (atomic_load(&live_count) == 0) {
        for (uint32_t c = 0; c < MAX_CHUNKS; c++) {
            slot_t *chunk = atomic_exchange(&chunks[c], NULL);
            if (chunk == NULL) break; /* chunks are allocated in order */
            free(chunk);
        }
        free_head = 0;
        next_unused = 0;
        first_generation = max_generation + 1;
        if (first_generation == 0) first_generation = 1;
    }
    pthread_mutex_unlock(&table_mu);
}
