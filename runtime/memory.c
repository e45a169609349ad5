/*
 * memory.c: the counted allocator.
 *
 * Every block carries a header right in front of it: its size, so frees can be counted,
 * a magic value that catches foreign pointers, and the address malloc returned. Blocks
 * are 64-byte aligned by over-allocating from malloc and rounding up, which costs up to
 * 87 bytes per block but is several times faster than posix_memalign for the small
 * objects the runtime allocates most (tensor structs). The counters are atomics
 * so allocation never takes a lock. The memory limit is enforced by reserving bytes with
 * a compare-and-swap before calling the system allocator, so concurrent allocations
 * cannot overshoot it together.
 *
 * Large blocks (4 MiB and up, numpy's threshold) ask for transparent huge pages: a fresh
 * 64 MiB kernel output otherwise takes 16,384 page faults (about 30 ms on this project's
 * VM, three times the kernel that fills it); with huge pages it takes about 500.
 */
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define BLOCK_MAGIC UINT64_C(0x746f727368626c6b) /* "torshblk" */
#define FREED_MAGIC UINT64_C(0x66726565642d2d2d) /* "freed---" */

typedef struct block_header {
    void *base; /* what malloc returned */
    size_t size;
    uint64_t magic;
} block_header_t;

/* The most malloc's (16-byte aligned) result is moved to fit the header and align. */
#define BLOCK_OVERHEAD (sizeof(block_header_t) + TORSH_ALIGNMENT - 1)

static inline block_header_t *header_of(void *block) { return (block_header_t *)block - 1; }

static _Atomic int64_t bytes_live;
static _Atomic int64_t bytes_peak;
static _Atomic int64_t allocations_total;
static _Atomic int64_t allocations_live;
static _Atomic int64_t allocations_failed;
static _Atomic int64_t limit_bytes;        /* 0: no limit */
static _Atomic int64_t fail_countdown = -1; /* -1: failure injection disarmed */

static _Thread_local const char *failure_reason = "";

const char *rt_alloc_failure_reason(void) { return failure_reason; }

/* Consumes one step of the injection countdown; true when this allocation must fail.
 * The CAS loop makes the countdown exact under concurrent allocations. */
static bool injected_failure(void) {
    int64_t c = atomic_load(&fail_countdown);
    while (c >= 0) {
        int64_t next = c == 0 ? -1 : c - 1;
        if (atomic_compare_exchange_weak(&fail_countdown, &c, next)) return c == 0;
    }
    return false;
}

static bool reserve_bytes(int64_t size) {
    int64_t cur = atomic_load(&bytes_live);
    int64_t limit;
    do {
        limit = atomic_load(&limit_bytes);
        if (limit > 0 && cur > limit - size) return false;
    } while (!atomic_compare_exchange_weak(&bytes_live, &cur, cur + size));
    int64_t now = cur + size;
    int64_t peak = atomic_load(&bytes_peak);
    while (now > peak && !atomic_compare_exchange_weak(&bytes_peak, &peak, now)) {
    }
    return true;
}

static void *refuse(const char *reason) {
    failure_reason = reason;
    atomic_fetch_add(&allocations_failed, 1);
    return NULL;
}

#define HUGE_PAGE ((uintptr_t)2 << 20)
#define HUGE_PAGE_MIN_BYTES ((size_t)4 << 20)

/* Advice only: where THP is off or the call fails, the block is still good. */
static void advise_huge_pages(void *block, size_t size) {
#ifdef MADV_HUGEPAGE
    if (size < HUGE_PAGE_MIN_BYTES) return;
    uintptr_t lo = ((uintptr_t)block + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t hi = ((uintptr_t)block + size) & ~(HUGE_PAGE - 1);
    if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)block;
    (void)size;
#endif
}

void *rt_alloc(size_t size) {
    /* Sizes are counted in int64_t; anything near that is unsatisfiable anyway. */
    if (size > (size_t)(INT64_MAX / 2)) return refuse(" (size too large)");
    if (injected_failure()) return refuse(" (injected failure)");
    if (!reserve_bytes((int64_t)size)) return refuse(" (memory limit reached)");
    char *base = malloc(BLOCK_OVERHEAD + size);
    if (base == NULL) {
        atomic_fetch_sub(&bytes_live, (int64_t)size);
        return refuse(" (system allocator failed)");
    }
    uintptr_t first = (uintptr_t)base + sizeof(block_header_t);
    char *block = base + ((first + TORSH_ALIGNMENT - 1) / TORSH_ALIGNMENT * TORSH_ALIGNMENT -
                          (uintptr_t)base);
    block_header_t *h = header_of(block);
    h->base = base;
    h->size = size;
    h->magic = BLOCK_MAGIC;
    atomic_fetch_add(&allocations_total, 1);
    atomic_fetch_add(&allocations_live, 1);
    advise_huge_pages(block, size);
    return block;
}

void *rt_alloc_zeroed(size_t size) {
    void *p = rt_alloc(size);
    if (p != NULL) memset(p, 0, size);
    return p;
}

/* false for a pointer torsh did not allocate (or freed already, if its header has not
 * been reused since). */
static bool release_block(void *ptr) {
    block_header_t *h = header_of(ptr);
    if (h->magic != BLOCK_MAGIC) return false;
    h->magic = FREED_MAGIC;
    atomic_fetch_sub(&bytes_live, (int64_t)h->size);
    atomic_fetch_sub(&allocations_live, 1);
    free(h->base);
    return true;
}

void rt_dealloc(void *ptr) {
    if (ptr != NULL) release_block(ptr);
}

void *torsh_malloc(size_t size) {
    void *p = rt_alloc(size);
    if (p == NULL)
        RT_FAIL(TORSH_ERR_OUT_OF_MEMORY, "cannot allocate %zu bytes%s", size,
                rt_alloc_failure_reason());
    return p;
}

void *torsh_malloc_with_error(size_t size, torsh_error_t **err) {
    void *p = torsh_malloc(size);
    if (p == NULL) rt_capture_error(err);
    return p;
}

void torsh_free(void *ptr) {
    if (ptr != NULL && !release_block(ptr))
        RT_FAIL(TORSH_ERR_INVALID_ARGUMENT,
                "%p was not allocated by torsh_malloc (or was freed already)", ptr);
}

torsh_status_t torsh_memory_stats(torsh_memory_stats_t *out) {
    RT_REQUIRE(out);
    out->bytes_live = atomic_load(&bytes_live);
    out->bytes_peak = atomic_load(&bytes_peak);
    out->allocations_total = atomic_load(&allocations_total);
    out->allocations_live = atomic_load(&allocations_live);
    out->allocations_failed = atomic_load(&allocations_failed);
    out->handles_live = rt_handles_live();
    out->limit_bytes = atomic_load(&limit_bytes);
    return TORSH_OK;
}

void torsh_memory_reset_peak(void) { atomic_store(&bytes_peak, atomic_load(&bytes_live)); }

void torsh_set_memory_limit(size_t bytes) {
    atomic_store(&limit_bytes, bytes > (size_t)INT64_MAX ? INT64_MAX : (int64_t)bytes);
}

size_t torsh_get_memory_limit(void) { return (size_t)atomic_load(&limit_bytes); }

int64_t torsh_debug_fail_allocation_after(int64_t k) {
    return atomic_exchange(&fail_countdown, k < 0 ? -1 : k);
}
