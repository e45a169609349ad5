/*
 * threads.c: the worker pool and torsh_launch.
 *
 * One launch owns the workers at a time (launch_mu). The launcher publishes the job,
 * bumps job_seq, and then computes parts itself like any worker: parts are claimed with
 * an atomic counter, so a slow or descheduled thread only delays the parts it took. The
 * launcher returns once every worker has left the job (pending == 0), which is what
 * makes it safe to overwrite the job fields on the next launch.
 *
 * Workers and the launcher spin briefly before sleeping on a condition variable:
 * back-to-back launches (a plan, a training step) then cost a cache-line handoff
 * instead of a futex wake-up, while idle workers still sleep.
 *
 * A worker woken from its sleep may be put on the launcher's CPU (the scheduler places a
 * wakee near its waker), where the two then take turns while another CPU idles: on a
 * 2-CPU VM a launch after a pause measured as slow as one thread, the worker computing
 * both parts while the launcher waited for the CPU. So a worker that finds itself on the
 * CPU the launcher published steps off it: its affinity without that CPU moves it at
 * once, and the full affinity is put back right away (it stays where it was moved, but
 * keeps no binding). Nothing changes where the process may run on one CPU only.
 *
 * Memory for the workers is not counted: it is infrastructure like the handle table.
 *
 * fork(): the child has only the forking thread, so an atfork handler makes it forget
 * the parent's workers (and any lock a launch held); its first parallel launch starts
 * its own. Without that a forked child (Python multiprocessing) would wait forever for
 * workers that do not exist.
 */
#include "internal.h"

#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_THREADS 1024
/* About 1 ms of pause instructions (25 ns each on znver4): a caller's own work between
 * two launches (Python building the next graph, allocating its output) often takes more
 * than the 0.1 ms of 4000, and a worker that went to sleep meanwhile may take a
 * millisecond to get a CPU back on a shared VM (softmax 4096x1024 after a pause, median
 * of 48: 2.3 -> 1.9 ms). OpenMP runtimes spin longer still before they sleep. */
#define SPIN_ITERATIONS 40000

typedef struct workers {
    pthread_mutex_t mu;
    pthread_cond_t wake; /* workers wait here for a new job_seq or stopping */
    pthread_cond_t done; /* the launcher waits here for pending == 0 */
    pthread_t *threads;
    int count; /* workers running (the launcher is not one of them) */
    bool stopping;
    _Atomic uint64_t job_seq;
    _Atomic int pending;   /* workers that have not finished the current job */
    _Atomic int next_part; /* the next part to claim */
    /* The current job: written by the launcher before job_seq is bumped. */
    torsh_kernel_fn kernel;
    void *const *buffers;
    const int64_t *sizes;
    int64_t range;
    int parts;
    _Atomic int launcher_cpu; /* the CPU the launcher published the job from, or -1 */
} workers_t;

static workers_t workers = {
    .mu = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .done = PTHREAD_COND_INITIALIZER,
};
static pthread_mutex_t launch_mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int requested_threads;          /* 0: the default */
static _Atomic int cached_default;             /* 0: not computed yet */
static _Thread_local bool inside_kernel = false; /* a worker, or a launcher running parts */
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* TORSH_NUM_THREADS if set, else the CPUs this process may run on (cgroup/taskset
 * aware, unlike the number of online CPUs). 0 if TORSH_NUM_THREADS is malformed. */
static int default_threads(void) {
    const char *env = getenv("TORSH_NUM_THREADS");
    if (env != NULL && *env != '\0') {
        char *end;
        long n = strtol(env, &end, 10);
        return (*end == '\0' && n >= 1 && n <= MAX_THREADS) ? (int)n : 0;
    }
    cpu_set_t set;
    long n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
    if (n < 1) n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (int)(n < MAX_THREADS ? n : MAX_THREADS) : 1;
}

torsh_status_t rt_threads_check_env(void) {
    int n = default_threads();
    atomic_store(&cached_default, n > 0 ? n : 1);
    if (n == 0)
        return RT_FAIL(TORSH_ERR_INVALID_ARGUMENT,
                       "TORSH_NUM_THREADS=%s is not an integer in [1, %d]",
                       getenv("TORSH_NUM_THREADS"), MAX_THREADS);
    return TORSH_OK;
}

/* The default is computed once (a getenv and a syscall are not free on every launch)
 * and again by torsh_init and torsh_set_num_threads(0). */
int torsh_get_num_threads(void) {
    int n = atomic_load(&requested_threads);
    if (n > 0) return n;
    n = atomic_load(&cached_default);
    if (n > 0) return n;
    n = default_threads();
    n = n > 0 ? n : 1;
    atomic_store(&cached_default, n);
    return n;
}

/* [start, end) of part p when range is cut into `parts` nearly equal contiguous parts. */
static void part_bounds(int64_t range, int parts, int p, int64_t *start, int64_t *end) {
    int64_t base = range / parts, extra = range % parts;
    *start = p * base + (p < extra ? p : extra);
    *end = *start + base + (p < extra ? 1 : 0);
}

static void run_parts(void) {
    int p;
    while ((p = atomic_fetch_add(&workers.next_part, 1)) < workers.parts) {
        int64_t start, end;
        part_bounds(workers.range, workers.parts, p, &start, &end);
        workers.kernel(workers.buffers, workers.sizes, start, end);
    }
}

/* Moves the calling worker off `cpu` when it runs there and may run elsewhere (see the
 * comment at the top). */
static void step_off_cpu(int cpu) {
#ifdef __linux__
    if (cpu < 0 || cpu >= CPU_SETSIZE || sched_getcpu() != cpu) return;
    cpu_set_t all, others;
    if (sched_getaffinity(0, sizeof all, &all) != 0 || !CPU_ISSET(cpu, &all)) return;
    others = all;
    CPU_CLR(cpu, &others);
    if (CPU_COUNT(&others) == 0) return;
    if (sched_setaffinity(0, sizeof others, &others) == 0)
        (void)sched_setaffinity(0, sizeof all, &all);
#else
    (void)cpu;
#endif
}

static void *worker_main(void *arg) {
    uint64_t seen = (uint64_t)(uintptr_t)arg;
    inside_kernel = true;
    for (;;) {
        uint64_t seq = seen;
        for (int i = 0; i < SPIN_ITERATIONS && seq == seen; i++) {
            cpu_relax();
            seq = atomic_load_explicit(&workers.job_seq, memory_order_acquire);
        }
        if (seq == seen) {
            pthread_mutex_lock(&workers.mu);
            while (!workers.stopping && (seq = atomic_load(&workers.job_seq)) == seen)
                pthread_cond_wait(&workers.wake, &workers.mu);
            bool stop = workers.stopping;
            pthread_mutex_unlock(&workers.mu);
            if (stop) return NULL;
        }
        seen = seq;
        step_off_cpu(atomic_load_explicit(&workers.launcher_cpu, memory_order_relaxed));
        run_parts();
        if (atomic_fetch_sub_explicit(&workers.pending, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&workers.mu);
            pthread_cond_signal(&workers.done);
            pthread_mutex_unlock(&workers.mu);
        }
    }
}

/* With launch_mu held. */
static void stop_workers(void) {
    if (workers.count > 0) {
        pthread_mutex_lock(&workers.mu);
        workers.stopping = true;
        pthread_cond_broadcast(&workers.wake);
        pthread_mutex_unlock(&workers.mu);
        for (int i = 0; i < workers.count; i++) pthread_join(workers.threads[i], NULL);
        workers.stopping = false;
    }
    free(workers.threads);
    workers.threads = NULL;
    workers.count = 0;
}

static void forget_workers_in_child(void) {
    free(workers.threads);
    workers.threads = NULL;
    workers.count = 0;
    workers.stopping = false;
    atomic_store(&workers.pending, 0);
    pthread_mutex_init(&workers.mu, NULL);
    pthread_cond_init(&workers.wake, NULL);
    pthread_cond_init(&workers.done, NULL);
    pthread_mutex_init(&launch_mu, NULL);
}

static void register_atfork(void) { pthread_atfork(NULL, NULL, forget_workers_in_child); }

/* With launch_mu held: makes `wanted` workers run. If the system refuses threads, the
 * launch proceeds with the ones it got (down to none: the caller computes alone). */
static void ensure_workers(int wanted) {
    if (workers.count == wanted) return;
    pthread_once(&atfork_once, register_atfork);
    stop_workers();
    workers.threads = malloc((size_t)wanted * sizeof *workers.threads);
    if (workers.threads == NULL) return;
    uint64_t seq = atomic_load(&workers.job_seq);
    while (workers.count < wanted &&
           pthread_create(&workers.threads[workers.count], NULL, worker_main,
                          (void *)(uintptr_t)seq) == 0)
        workers.count++;
}

static void run_serial(torsh_kernel_fn kernel, void *const *buffers, const int64_t *sizes,
                       int64_t range) {
    bool was_inside = inside_kernel;
    inside_kernel = true;
    kernel(buffers, sizes, 0, range);
    inside_kernel = was_inside;
}

torsh_status_t rt_launch(torsh_kernel_fn kernel, void *const *buffers, const int64_t *sizes,
                         int64_t range, int64_t grain) {
    if (range <= 0) return TORSH_OK; /* callers reject negative ranges */
    if (grain < 1) grain = 1;
    int threads = torsh_get_num_threads();
    int64_t max_parts = range / grain;
    /* Small ranges, one thread, nested launches and launches while another thread holds
     * the workers all run inline: correct, and never waiting on a busy pool. */
    if (threads <= 1 || max_parts < 2 || inside_kernel || pthread_mutex_trylock(&launch_mu) != 0) {
        run_serial(kernel, buffers, sizes, range);
        return TORSH_OK;
    }
    ensure_workers(threads - 1);
    int parts = (int)(max_parts < workers.count + 1 ? max_parts : workers.count + 1);
    if (parts < 2) {
        pthread_mutex_unlock(&launch_mu);
        run_serial(kernel, buffers, sizes, range);
        return TORSH_OK;
    }
    workers.kernel = kernel;
    workers.buffers = buffers;
    workers.sizes = sizes;
    workers.range = range;
    workers.parts = parts;
#ifdef __linux__
    atomic_store_explicit(&workers.launcher_cpu, sched_getcpu(), memory_order_relaxed);
#else
    atomic_store_explicit(&workers.launcher_cpu, -1, memory_order_relaxed);
#endif
    atomic_store(&workers.next_part, 0);
    atomic_store(&workers.pending, workers.count);
    pthread_mutex_lock(&workers.mu);
    atomic_fetch_add_explicit(&workers.job_seq, 1, memory_order_release);
    pthread_cond_broadcast(&workers.wake);
    pthread_mutex_unlock(&workers.mu);

    inside_kernel = true;
    run_parts();
    inside_kernel = false;

    for (int i = 0; i < SPIN_ITERATIONS && atomic_load(&workers.pending) > 0; i++) cpu_relax();
    if (atomic_load(&workers.pending) > 0) {
        pthread_mutex_lock(&workers.mu);
        while (atomic_load(&workers.pending) > 0) pthread_cond_wait(&workers.done, &workers.mu);
        pthread_mutex_unlock(&workers.mu);
    }
    pthread_mutex_unlock(&launch_mu);
    return TORSH_OK;
}

torsh_status_t torsh_launch(torsh_kernel_fn kernel, void *const *buffers, const int64_t *sizes,
                            int64_t range, int64_t grain) {
    RT_REQUIRE(kernel);
    RT_REQUIRE(buffers);
    RT_REQUIRE(sizes);
    if (range < 0)
        return RT_FAIL(TORSH_ERR_INVALID_ARGUMENT, "range %lld is negative", (long long)range);
    return rt_launch(kernel, buffers, sizes, range, grain);
}

torsh_status_t torsh_set_num_threads(int n) {
    if (n < 0 || n > MAX_THREADS)
        return RT_FAIL(TORSH_ERR_INVALID_ARGUMENT, "%d threads is outside [0, %d]", n, MAX_THREADS);
    if (inside_kernel)
        return RT_FAIL(TORSH_ERR_INVALID_ARGUMENT, "cannot change the thread count from a kernel");
    /* Waits for a running launch; the workers restart with the new count on demand. */
    pthread_mutex_lock(&launch_mu);
    stop_workers();
    atomic_store(&requested_threads, n);
    if (n == 0) atomic_store(&cached_default, 0);
    pthread_mutex_unlock(&launch_mu);
    return TORSH_OK;
}

void rt_threads_shutdown(void) {
    if (inside_kernel) return;
    pthread_mutex_lock(&launch_mu);
    stop_workers();
    pthread_mutex_unlock(&launch_mu);
}
