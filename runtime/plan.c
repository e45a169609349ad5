/*
 * plan.c: a compiled graph as a list of launches run by one call.
 *
 * Everything a run needs is prepared before it: each launch owns a copy of its slot
 * list and sizes plus the buffer array it passes to the kernel, and the scratch arena
 * and slot table are allocated by the first run and kept. A replay therefore allocates
 * nothing and costs one pointer copy per buffer plus the launches themselves.
 */
#include "internal.h"

#include <string.h>

typedef struct plan_launch {
    torsh_kernel_fn kernel;
    int64_t range, grain;
    int num_buffers, num_sizes;
    /* One block: sizes[num_sizes], buffers[num_buffers] (filled by each run), slots. */
    int64_t *sizes;
    void **buffers;
    int *slots;
} plan_launch_t;

typedef struct rt_plan {
    uint64_t handle;
    int num_slots; /* bound by each run */
    int num_scratch;
    int scratch_capacity;
    int64_t *scratch_offsets; /* byte offsets of the scratch slots in the arena */
    int64_t scratch_bytes;
    int num_launches;
    int launch_capacity;
    plan_launch_t *launches;
    bool frozen;         /* after the first run: arena and slot table exist */
    char *arena;         /* scratch_bytes, 64-byte aligned */
    void **slot_table;   /* num_slots + num_scratch pointers */
    _Atomic bool running;
} rt_plan_t;

static torsh_status_t get_plan(const char *fn, const torsh_plan_t *h, rt_plan_t **out) {
    if (h == NULL) return rt_fail_at(fn, TORSH_ERR_NULL_ARGUMENT, "plan is NULL");
    *out = rt_handle_lookup(rt_bits(h), RT_KIND_PLAN);
    if (*out == NULL)
        return rt_fail_at(fn, TORSH_ERR_INVALID_HANDLE,
                          "not a live plan (freed already, or never a plan)");
    return TORSH_OK;
}

/* Makes room for one more element in a growable array of the counted allocator. */
static bool reserve_one(void **array, int *capacity, int count, size_t elem) {
    if (count < *capacity) return true;
    int grown = *capacity > 0 ? *capacity * 2 : 4;
    void *bigger = rt_alloc((size_t)grown * elem);
    if (bigger == NULL) return false;
    if (count > 0) memcpy(bigger, *array, (size_t)count * elem);
    rt_dealloc(*array);
    *array = bigger;
    *capacity = grown;
    return true;
}

torsh_plan_t *torsh_plan_new(int num_slots) {
    if (num_slots < 0) {
        RT_FAIL(TORSH_ERR_INVALID_ARGUMENT, "num_slots %d is negative", num_slots);
        return NULL;
    }
    rt_plan_t *plan = rt_alloc_zeroed(sizeof *plan);
    if (plan == NULL) {
        RT_FAIL(TORSH_ERR_OUT_OF_MEMORY, "cannot allocate a plan%s", rt_alloc_failure_reason());
        return NULL;
    }
    plan->num_slots = num_slots;
    atomic_init(&plan->running, false);
    plan->handle = rt_handle_register(RT_KIND_PLAN, plan);
    if (plan->handle == 0) {
        rt_dealloc(plan);
        RT_FAIL(TORSH_ERR_OUT_OF_MEMORY, "the handle table cannot grow");
        return NULL;
    }
    return rt_token(plan->handle);
}

torsh_plan_t *torsh_plan_new_with_error(int num_slots, torsh_error_t **err) {
    torsh_plan_t *plan = torsh_plan_new(num_slots);
    if (plan == NULL) rt_capture_error(err);
    return plan;
}

static torsh_status_t check_mutable(const char *fn, rt_plan_t *plan) {
    if (plan->frozen)
        return rt_fail_at(fn, TORSH_ERR_INVALID_ARGUMENT, "the plan has run already: it is frozen");
    return TORSH_OK;
}

torsh_status_t torsh_plan_add_scratch(torsh_plan_t *h, int64_t nbytes, int *slot) {
    rt_plan_t *plan;
    torsh_status_t st = get_plan(__func__, h, &plan);
    if (st != TORSH_OK) return st;
    RT_REQUIRE(slot);
    if ((st = check_mutable(__func__, plan)) != TORSH_OK) return st;
    int64_t start = (plan->scratch_bytes + TORSH_ALIGNMENT - 1) / TORSH_ALIGNMENT * TORSH_ALIGNMENT;
    if (nbytes < 0 || nbytes > INT64_MAX / 4 - start)
        return RT_FAIL(TORSH_ERR_INVALID_ARGUMENT, "cannot add %lld scratch bytes",
                       (long long)nbytes);
    if (plan->num_slots + plan->num_scratch == INT32_MAX)
        return RT_FAIL(TORSH_ERR_INVALID_ARGUMENT, "too many slots");
    if (!reserve_one((void **)&plan->scratch_offsets, &plan->scratch_capacity, plan->num_scratch,
                     sizeof(int64_t)))
        return RT_FAIL(TORSH_ERR_OUT_OF_MEMORY, "cannot grow the scratch list%s",
                       rt_alloc_failure_reason());
    plan->scratch_offsets[plan->num_scratch] = start;
    plan->scratch_bytes = start + nbytes;
    *slot = plan->num_slots + plan->num_scratch++;
    return TORSH_OK;
}

torsh_status_t torsh_plan_add_launch(torsh_plan_t *h, torsh_kernel_fn kernel,
                                     const int *buffer_slots, int num_buffers,
                                     const int64_t *sizes, int num_sizes, int64_t range,
                                     int64_t grain) {
    rt_plan_t *plan;
    torsh_status_t st = get_plan(__func__, h, &plan);
    if (st != TORSH_OK) return st;
    RT_REQUIRE(kernel);
    if (num_buffers > 0) RT_REQUIRE(buffer_slots);
    if (num_sizes > 0) RT_REQUIRE(sizes);
    if ((st = check_mutable(__func__, plan)) != TORSH_OK) return st;
    if (num_buffers < 0 || num_sizes < 0 || range < 0)
        return RT_FAIL(TORSH_ERR_INVALID_ARGUMENT,
                       "num_buffers %d, num_sizes %d and range %lld must not be negative",
                       num_buffers, num_sizes, (long long)range);
    int total_slots = plan->num_slots + plan->num_scratch;
    for (int i = 0; i < num_buffers; i++)
        if (buffer_slots[i] < 0 || buffer_slots[i] >= total_slots)
            return RT_FAIL(TORSH_ERR_INDEX, "buffer_slots[%d] = %d is not a slot (the plan has %d)",
                           i, buffer_slots[i], total_slots);
    if (!reserve_one((void **)&plan->launches, &plan->launch_capacity, plan->num_launches,
                     sizeof(plan_launch_t)))
        return RT_FAIL(TORSH_ERR_OUT_OF_MEMORY, "cannot grow the launch list%s",
                       rt_alloc_failure_reason());
    size_t sizes_bytes = (size_t)num_sizes * sizeof(int64_t);
    size_t buffers_bytes = (size_t)num_buffers * sizeof(void *);
    char *block = rt_alloc(sizes_bytes + buffers_bytes + (size_t)num_buffers * sizeof(int));
    if (block == NULL)
        return RT_FAIL(TORSH_ERR_OUT_OF_MEMORY, "cannot allocate a launch%s",
                       rt_alloc_failure_reason());
    plan_launch_t *launch = &plan->launches[plan->num_launches++];
    launch->kernel = kernel;
    launch->range = range;
    launch->grain = grain;
    launch->num_buffers = num_buffers;
    launch->num_sizes = num_sizes;
    launch->sizes = (int64_t *)block;
    launch->buffers = (void **)(block + sizes_bytes);
    launch->slots = (int *)(block + sizes_bytes + buffers_bytes);
    if (num_sizes > 0) memcpy(launch->sizes, sizes, sizes_bytes);
    if (num_buffers > 0) memcpy(launch->slots, buffer_slots, (size_t)num_buffers * sizeof(int));
    return TORSH_OK;
}

/* The first run allocates the arena and the slot table once; later runs reuse them. */
static torsh_status_t freeze(const char *fn, rt_plan_t *plan) {
    int total = plan->num_slots + plan->num_scratch;
    void **table = rt_alloc((size_t)total * sizeof(void *));
    char *arena = table != NULL && plan->num_scratch > 0 ? rt_alloc((size_t)plan->scratch_bytes)
                                                         : NULL;
    if (table == NULL || (plan->num_scratch > 0 && arena == NULL)) {
        rt_dealloc(table);
        return rt_fail_at(fn, TORSH_ERR_OUT_OF_MEMORY, "cannot allocate %lld scratch bytes%s",
                          (long long)plan->scratch_bytes, rt_alloc_failure_reason());
    }
    for (int i = 0; i < plan->num_scratch; i++)
        table[plan->num_slots + i] = arena + plan->scratch_offsets[i];
    plan->slot_table = table;
    plan->arena = arena;
    plan->frozen = true;
    return TORSH_OK;
}

torsh_status_t torsh_plan_run(torsh_plan_t *h, void *const *slot_ptrs) {
    rt_plan_t *plan;
    torsh_status_t st = get_plan(__func__, h, &plan);
    if (st != TORSH_OK) return st;
    if (plan->num_slots > 0) RT_REQUIRE(slot_ptrs);
    for (int i = 0; i < plan->num_slots; i++)
        if (slot_ptrs[i] == NULL)
            return RT_FAIL(TORSH_ERR_NULL_ARGUMENT, "slot_ptrs[%d] is NULL", i);
    bool idle = false;
    if (!atomic_compare_exchange_strong(&plan->running, &idle, true))
        return RT_FAIL(TORSH_ERR_INVALID_ARGUMENT,
                       "the plan is running on another thread (it has one scratch arena)");
    if (!plan->frozen && (st = freeze(__func__, plan)) != TORSH_OK) {
        atomic_store(&plan->running, false);
        return st;
    }
    if (plan->num_slots > 0)
        memcpy(plan->slot_table, slot_ptrs, (size_t)plan->num_slots * sizeof(void *));
    for (int l = 0; l < plan->num_launches && st == TORSH_OK; l++) {
        plan_launch_t *launch = &plan->launches[l];
        for (int b = 0; b < launch->num_buffers; b++)
            launch->buffers[b] = plan->slot_table[launch->slots[b]];
        st = rt_launch(launch->kernel, launch->buffers, launch->sizes, launch->range,
                       launch->grain);
    }
    atomic_store(&plan->running, false);
    return st;
}

int torsh_plan_num_launches(const torsh_plan_t *h) {
    rt_plan_t *plan;
    return get_plan(__func__, h, &plan) == TORSH_OK ? plan->num_launches : -1;
}

int64_t torsh_plan_scratch_bytes(const torsh_plan_t *h) {
    rt_plan_t *plan;
    return get_plan(__func__, h, &plan) == TORSH_OK ? plan->scratch_bytes : -1;
}

torsh_status_t torsh_plan_free(torsh_plan_t *h) {
    if (h == NULL) return TORSH_OK;
    rt_plan_t *plan;
    torsh_status_t st = get_plan(__func__, h, &plan);
    if (st != TORSH_OK) return st;
    rt_handle_unregister(plan->handle);
    /* Each launch block starts at its sizes array. */
    for (int l = 0; l < plan->num_launches; l++) rt_dealloc(plan->launches[l].sizes);
    rt_dealloc(plan->launches);
    rt_dealloc(plan->scratch_offsets);
    rt_dealloc(plan->slot_table);
    rt_dealloc(plan->arena);
    rt_dealloc(plan);
    return TORSH_OK;
}
