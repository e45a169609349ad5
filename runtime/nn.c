/*
 * nn.c: random tensors, modules (Sequential, Linear, activations), parameter lists and
 * optimizers (SGD, Adam) of the tensor API.
 *
 * Optimizer steps run one generated kernel per parameter: the update rules of
 * torsh.optim traced into fused elementwise kernels (torsh/_aot.py), with the
 * hyperparameters and the step count as 0-d inputs.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------ random numbers */

/* xoshiro256** seeded through splitmix64: fast, and the same stream on every machine. */
static pthread_mutex_t rng_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t rng_state[4];
static bool rng_seeded;

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void seed_locked(uint64_t seed) {
    for (int i = 0; i < 4; i++) rng_state[i] = splitmix64(&seed);
    rng_seeded = true;
}

void torsh_manual_seed(uint64_t seed) {
    pthread_mutex_lock(&rng_mu);
    seed_locked(seed);
    pthread_mutex_unlock(&rng_mu);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rt_random_u64(void) {
    pthread_mutex_lock(&rng_mu);
    if (!rng_seeded) seed_locked(0);
    uint64_t *s = rng_state;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t, s[3] = rotl(s[3], 45);
    pthread_mutex_unlock(&rng_mu);
    return result;
}

static double uniform01(void) { return (double)(rt_random_u64() >> 11) * 0x1.0p-53; }

static double normal01(void) { /* Box-Muller */
    double u = uniform01(), v = uniform01();
    return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

static torsh_status_t random_tensor(const char *fn, const int64_t *shape, int ndim,
                                    torsh_dtype_t dtype, double lo, double hi, bool normal,
                                    rt_tensor_t **out) {
    if (dtype != TORSH_F32 && dtype != TORSH_F64)
        return rt_fail_at(fn, TORSH_ERR_DTYPE, "random tensors are f32 or f64, not %s",
                          rt_dtype_name(dtype));
    torsh_status_t st = rt_tensor_empty(fn, shape, ndim, dtype, out);
    if (st != TORSH_OK) return st;
    void *data = rt_data(*out);
    for (int64_t i = 0; i < (*out)->numel; i++) {
        double v = normal ? normal01() : lo + (hi - lo) * uniform01();
        if (dtype == TORSH_F32) ((float *)data)[i] = (float)v;
        else ((double *)data)[i] = v;
    }
    return TORSH_OK;
}

torsh_tensor_t *torsh_tensor_rand(const int64_t *shape, int ndim, torsh_dtype_t dtype) {
    rt_tensor_t *t;
    return random_tensor(__func__, shape, ndim, dtype, 0, 1, false, &t) == TORSH_OK
               ? rt_handle_of(t) : NULL;
}

torsh_tensor_t *torsh_tensor_rand_with_error(const int64_t *shape, int ndim, torsh_dtype_t dtype,
                                             torsh_error_t **err) {
    RT_WITH_ERROR(torsh_tensor_rand(shape, ndim, dtype));
}

torsh_tensor_t *torsh_tensor_randn(const int64_t *shape, int ndim, torsh_dtype_t dtype) {
    rt_tensor_t *t;
    return random_tensor(__func__, shape, ndim, dtype, 0, 1, true, &t) == TORSH_OK
               ? rt_handle_of(t) : NULL;
}

torsh_tensor_t *torsh_tensor_randn_with_error(const int64_t *shape, int ndim,
                                              torsh_dtype_t dtype, torsh_error_t **err) {
    RT_WITH_ERROR(torsh_tensor_randn(shape, ndim, dtype));
}

/* ------------------------------------------------------------ parameter lists */

typedef struct rt_params {
    uint64_t handle;
    bool owned; /* taken over by an optimizer, which frees it (the handle stays readable) */
    int64_t n, cap;
    rt_tensor_t **items; /* owned references */
} rt_params_t;

static torsh_status_t params_new(const char *fn, rt_params_t **out) {
    rt_params_t *p = rt_alloc_zeroed(sizeof *p);
    if (p != NULL && (p->handle = rt_handle_register(RT_KIND_PARAMS, p)) == 0) {
        rt_dealloc(p);
        p = NULL;
    }
    if (p == NULL)
        return rt_fail_at(fn, TORSH_ERR_OUT_OF_MEMORY, "cannot allocate a parameter list%s",
                          rt_alloc_failure_reason());
    *out = p;
    return TORSH_OK;
}

static torsh_status_t params_add(const char *fn, rt_params_t *p, rt_tensor_t *t) {
    if (p->n == p->cap) {
        int64_t cap = p->cap ? 2 * p->cap : 8;
        rt_tensor_t **items = rt_alloc((size_t)cap * sizeof *items);
        if (items == NULL)
            return rt_fail_at(fn, TORSH_ERR_OUT_OF_MEMORY, "cannot grow a parameter list%s",
                              rt_alloc_failure_reason());
        if (p->n) memcpy(items, p->items, (size_t)p->n * sizeof *items);
        rt_dealloc(p->items);
        p->items = items;
        p->cap = cap;
    }
    rt_tensor_ref(p->items[p->n++] = t);
    return TORSH_OK;
}

static void params_destroy(rt_params_t *p) {
    if (p == NULL) return;
    rt_handle_unregister(p->handle);
    for (int64_t i = 0; i < p->n; i++) rt_tensor_unref(p->items[i]);
    rt_dealloc(p->items);
    rt_dealloc(p);
}

static torsh_status_t get_params(const char *fn, const torsh_params_t *h, rt_params_t **out) {
    if (h == NULL) return rt_fail_at(fn, TORSH_ERR_NULL_ARGUMENT, "params is NULL");
    *out = rt_handle_lookup(rt_bits(h), RT_KIND_PARAMS);
    if (*out == NULL)
        return rt_fail_at(fn, TORSH_ERR_INVALID_HANDLE,
                          "not a live parameter list (freed, taken over by an optimizer, or "
                          "never a list)");
    return TORSH_OK;
}

int64_t torsh_params_count(const torsh_params_t *params) {
    rt_params_t *p;
    return get_params(__func__, params, &p) == TORSH_OK ? p->n : -1;
}

torsh_tensor_t *torsh_params_get(const torsh_params_t *params, int64_t i) {
    rt_params_t *p;
    if (get_params(__func__, params, &p) != TORSH_OK) return NULL;
    if (i < 0 || i >= p->n) {
        RT_FAIL(TORSH_ERR_INDEX, "index %lld is outside the list of %lld parameters",
                (long long)i, (long long)p->n);
        return NULL;
    }
    return rt_handle_of(p->items[i]);
}

torsh_tensor_t *torsh_params_get_with_error(const torsh_params_t *params, int64_t i,
                                            torsh_error_t **err) {
    RT_WITH_ERROR(torsh_params_get(params, i));
}

torsh_status_t torsh_params_free(torsh_params_t *params) {
    if (params == NULL) return TORSH_OK;
    rt_params_t *p;
    torsh_status_t st = get_params(__func__, params, &p);
    if (st == TORSH_OK && p->owned)
        return RT_FAIL(TORSH_ERR_INVALID_ARGUMENT,
                       "the parameter list belongs to an optimizer: free the optimizer instead");
    if (st == TORSH_OK) params_destroy(p);
    return st;
}

/* ------------------------------------------------------------ modules */

typedef enum { MOD_SEQUENTIAL, MOD_LINEAR, MOD_RELU, MOD_SIGMOID, MOD_TANH } rt_module_kind_t;

typedef struct rt_module {
    uint64_t handle;
    rt_module_kind_t kind;
    bool owned;                  /* added to a sequential, which frees it */
    rt_tensor_t *weight, *bias;  /* Linear */
    int64_t in_features;
    struct rt_module **children; /* Sequential (owned) */
    int n, cap;
} rt_module_t;

static void module_destroy(rt_module_t *m) {
    if (m == NULL) return;
    rt_handle_unregister(m->handle);
    for (int i = 0; i < m->n; i++) module_destroy(m->children[i]);
    rt_dealloc(m->children);
    rt_tensor_unref(m->weight);
    rt_tensor_unref(m->bias);
    rt_dealloc(m);
}

static torsh_status_t module_new(const char *fn, rt_module_kind_t kind, rt_module_t **out) {
    rt_module_t *m = rt_alloc_zeroed(sizeof *m);
    if (m != NULL && (m->handle = rt_handle_register(RT_KIND_MODULE, m)) == 0) {
        rt_dealloc(m);
        m = NULL;
    }
    if (m == NULL)
        return rt_fail_at(fn, TORSH_ERR_OUT_OF_MEMORY, "cannot allocate a module%s",
                          rt_alloc_failure_reason());
    m->kind = kind;
    *out = m;
    return TORSH_OK;
}

static torsh_status_t get_module(const char *fn, const torsh_module_t *h, rt_module_t **out) {
    if (h == NULL) return rt_fail_at(fn, TORSH_ERR_NULL_ARGUMENT, "module is NULL");
    *out = rt_handle_lookup(rt_bits(h), RT_KIND_MODULE);
    if (*out == NULL)
        return rt_fail_at(fn, TORSH_ERR_INVALID_HANDLE,
                          "not a live module (freed, or never a module)");
    return TORSH_OK;
}

static torsh_module_t *new_module_handle(const char *fn, rt_module_kind_t kind) {
    rt_module_t *m;
    return module_new(fn, kind, &m) == TORSH_OK ? rt_token(m->handle) : NULL;
}

torsh_module_t *torsh_sequential_new(void) { return new_module_handle(__func__, MOD_SEQUENTIAL); }
torsh_module_t *torsh_relu_new(void) { return new_module_handle(__func__, MOD_RELU); }
torsh_module_t *torsh_sigmoid_new(void) { return new_module_handle(__func__, MOD_SIGMOID); }
torsh_module_t *torsh_tanh_new(void) { return new_module_handle(__func__, MOD_TANH); }

torsh_module_t *torsh_sequential_new_with_error(torsh_error_t **err) {
    RT_WITH_ERROR(torsh_sequential_new());
}
torsh_module_t *torsh_relu_new_with_error(torsh_error_t **err) { RT_WITH_ERROR(torsh_relu_new()); }
torsh_module_t *torsh_sigmoid_new_with_error(torsh_error_t **err) {
    RT_WITH_ERROR(torsh_sigmoid_new());
}
torsh_module_t *torsh_tanh_new_with_error(torsh_error_t **err) { RT_WITH_ERROR(torsh_tanh_new()); }

/* A leaf parameter uniform in [-bound, bound] (torch.nn.Linear's initialization). */
static torsh_status_t parameter(const char *fn, const int64_t *shape, int ndim, double bound,
                                rt_tensor_t **out) {
    torsh_status_t st = random_tensor(fn, shape, ndim, TORSH_F32, -bound, bound, false, out);
    if (st == TORSH_OK) (*out)->requires_grad = true;
    return st;
}

torsh_module_t *torsh_linear_new(int64_t in_features, int64_t out_features, bool bias) {
    if (in_features <= 0 || out_features <= 0) {
        RT_FAIL(TORSH_ERR_INVALID_ARGUMENT,
                "in_features (%lld) and out_features (%lld) must be positive",
                (long long)in_features, (long long)out_features);
        return NULL;
    }
    rt_module_t *m;
    if (module_new(__func__, MOD_LINEAR, &m) != TORSH_OK) return NULL;
    m->in_features = in_features;
    double bound = 1.0 / sqrt((double)in_features);
    int64_t wshape[2] = {out_features, in_features};
    torsh_status_t st = parameter(__func__, wshape, 2, bound, &m->weight);
    if (st == TORSH_OK && bias) st = parameter(__func__, &out_features, 1, bound, &m->bias);
    if (st != TORSH_OK) {
        module_destroy(m);
        return NULL;
    }
    return rt_token(m->handle);
}

torsh_module_t *torsh_linear_new_with_error(int64_t in_features, int64_t out_features, bool bias,
                                            torsh_error_t **err) {
    RT_WITH_ERROR(torsh_linear_new(in_features, out_features, bias));
}

static bool contains(const rt_module_t *m, const rt_module_t *x) {
    if (m == x) return true;
    for (int i = 0; i < m->n; i++)
        if (contains(m->children[i], x)) return true;
    return false;
}

torsh_status_t torsh_sequential_add(torsh_module_t *sequential, torsh_module_t *module) {
    rt_module_t *s = NULL, *m = NULL;
    torsh_status_t st = get_module(__func__, module, &m);
    if (st == TORSH_OK && m->owned)
        st = RT_FAIL(TORSH_ERR_INVALID_ARGUMENT, "the module already belongs to a sequential");
    if (st != TORSH_OK) return st; /* nothing to take over */
    /* Adding a module that contains the sequential would make a cycle: refused without
     * taking the module over (the caller still owns both). */
    st = get_module(__func__, sequential, &s);
    if (st == TORSH_OK && contains(m, s))
        return RT_FAIL(TORSH_ERR_INVALID_ARGUMENT,
                       "the module is or contains the sequential: that would be a cycle");
    if (st == TORSH_OK && s->kind != MOD_SEQUENTIAL)
        st = RT_FAIL(TORSH_ERR_INVALID_ARGUMENT, "the first argument is not a sequential");
    if (st == TORSH_OK && s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 4;
        rt_module_t **children = rt_alloc((size_t)cap * sizeof *children);
        if (children == NULL) {
            st = RT_FAIL(TORSH_ERR_OUT_OF_MEMORY, "cannot grow the sequential%s",
                         rt_alloc_failure_reason());
        } else {
            if (s->n) memcpy(children, s->children, (size_t)s->n * sizeof *children);
            rt_dealloc(s->children);
            s->children = children;
            s->cap = cap;
        }
    }
    if (st != TORSH_OK) { /* documented: the module is taken over even on failure */
        module_destroy(m);
        return st;
    }
    m->owned = true;
    s->children[s->n++] = m;
    return TORSH_OK;
}

static torsh_status_t forward(const char *fn, rt_module_t *m, rt_tensor_t *x, rt_tensor_t **out) {
    switch (m->kind) {
    case MOD_RELU: return rt_op_unary(fn, RT_EW_RELU, x, out);
    case MOD_SIGMOID: return rt_op_unary(fn, RT_EW_SIGMOID, x, out);
    case MOD_TANH: return rt_op_unary(fn, RT_EW_TANH, x, out);
    case MOD_LINEAR: {
        if (x->ndim == 0 || rt_shape(x)[x->ndim - 1] != m->in_features) {
            char s[256];
            return rt_fail_at(fn, TORSH_ERR_SHAPE_MISMATCH,
                              "Linear(in_features=%lld) got an input of shape %s: its last "
                              "dim must be %lld",
                              (long long)m->in_features,
                              rt_shape_str(rt_shape(x), x->ndim, s, sizeof s),
                              (long long)m->in_features);
        }
        rt_tensor_t *wt = NULL, *y = NULL;
        torsh_status_t st = rt_op_transpose(fn, m->weight, 0, 1, &wt);
        if (st == TORSH_OK) st = rt_op_matmul(fn, x, wt, m->bias ? &y : out);
        if (st == TORSH_OK && m->bias) st = rt_op_binary(fn, RT_EW_ADD, y, m->bias, out);
        rt_tensor_unref(wt);
        rt_tensor_unref(y);
        return st;
    }
    case MOD_SEQUENTIAL: {
        rt_tensor_ref(x);
        for (int i = 0; i < m->n; i++) {
            rt_tensor_t *y;
            torsh_status_t st = forward(fn, m->children[i], x, &y);
            rt_tensor_unref(x);
            if (st != TORSH_OK) return st;
            x = y;
        }
        *out = x;
        return TORSH_OK;
    }
    }
    return rt_fail_at(fn, TORSH_ERR_INTERNAL, "unknown module kind %d", (int)m->kind);
}

torsh_tensor_t *torsh_module_forward(torsh_module_t *module, const torsh_tensor_t *input) {
    rt_module_t *m;
    rt_tensor_t *x, *y;
    if (get_module(__func__, module, &m) != TORSH_OK) return NULL;
    if (rt_get_tensor(__func__, input, &x) != TORSH_OK) return NULL;
    return forward(__func__, m, x, &y) == TORSH_OK ? rt_handle_of(y) : NULL;
}

torsh_tensor_t *torsh_module_forward_with_error(torsh_module_t *module,
                                                const torsh_tensor_t *input, torsh_error_t **err) {
    RT_WITH_ERROR(torsh_module_forward(module, input));
}

static torsh_status_t collect(const char *fn, const rt_module_t *m, rt_params_t *p) {
    torsh_status_t st = TORSH_OK;
    if (m->weight) st = params_add(fn, p, m->weight);
    if (st == TORSH_OK && m->bias) st = params_add(fn, p, m->bias);
    for (int i = 0; i < m->n && st == TORSH_OK; i++) st = collect(fn, m->children[i], p);
    return st;
}

torsh_params_t *torsh_module_parameters(const torsh_module_t *module) {
    rt_module_t *m;
    rt_params_t *p = NULL;
    if (get_module(__func__, module, &m) != TORSH_OK) return NULL;
    if (params_new(__func__, &p) != TORSH_OK) return NULL;
    if (collect(__func__, m, p) != TORSH_OK) {
        params_destroy(p);
        return NULL;
    }
    return rt_token(p->handle);
}

torsh_params_t *torsh_module_parameters_with_error(const torsh_module_t *module,
                                                   torsh_error_t **err) {
    RT_WITH_ERROR(torsh_module_parameters(module));
}

torsh_status_t torsh_module_free(torsh_module_t *module) {
    if (module == NULL) return TORSH_OK;
    rt_module_t *m;
    torsh_status_t st = get_module(__func__, module, &m);
    if (st != TORSH_OK) return st;
    if (m->owned)
        return RT_FAIL(TORSH_ERR_INVALID_ARGUMENT,
                       "the module belongs to a sequential: free the sequential instead");
    module_destroy(m);
    return TORSH_OK;
}

/* ------------------------------------------------------------ optimizers */

typedef struct rt_optimizer {
    uint64_t handle;
    bool adam;
    rt_params_t *params;       /* owned */
    double lr, beta1, beta2, eps, momentum;
    int64_t steps;
    rt_tensor_t **state[2];    /* per parameter: Adam's m and v; SGD's momentum buffer */
} rt_optimizer_t;

static void optimizer_destroy(rt_optimizer_t *o) {
    rt_handle_unregister(o->handle);
    for (int k = 0; k < 2; k++) {
        for (int64_t i = 0; o->state[k] && i < o->params->n; i++) rt_tensor_unref(o->state[k][i]);
        rt_dealloc(o->state[k]);
    }
    params_destroy(o->params);
    rt_dealloc(o);
}

static torsh_optimizer_t *optimizer_new(const char *fn, torsh_params_t *params, bool adam,
                                        double lr, double beta1, double beta2, double eps,
                                        double momentum) {
    rt_params_t *p;
    if (get_params(fn, params, &p) != TORSH_OK) return NULL;
    if (p->owned) { /* not the caller's to hand over: nothing is taken over */
        rt_fail_at(fn, TORSH_ERR_INVALID_ARGUMENT,
                   "the parameter list already belongs to an optimizer");
        return NULL;
    }
    torsh_status_t st = TORSH_OK;
    if (!(lr >= 0)) st = rt_fail_at(fn, TORSH_ERR_INVALID_ARGUMENT, "invalid lr %g: must be >= 0", lr);
    else if (adam && !(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1))
        st = rt_fail_at(fn, TORSH_ERR_INVALID_ARGUMENT, "invalid betas (%g, %g): each must be in "
                        "[0, 1)", beta1, beta2);
    else if (adam && !(eps >= 0)) st = rt_fail_at(fn, TORSH_ERR_INVALID_ARGUMENT, "invalid eps %g", eps);
    else if (!adam && !(momentum >= 0))
        st = rt_fail_at(fn, TORSH_ERR_INVALID_ARGUMENT, "invalid momentum %g: must be >= 0",
                        momentum);
    for (int64_t i = 0; i < p->n && st == TORSH_OK; i++)
        if (p->items[i]->dtype != TORSH_F32 && p->items[i]->dtype != TORSH_F64)
            st = rt_fail_at(fn, TORSH_ERR_DTYPE, "parameter %lld is %s: optimizers update f32 "
                            "and f64 tensors", (long long)i, rt_dtype_name(p->items[i]->dtype));
    rt_optimizer_t *o = st == TORSH_OK ? rt_alloc_zeroed(sizeof *o) : NULL;
    if (st == TORSH_OK && o != NULL) {
        o->state[0] = rt_alloc_zeroed((size_t)(p->n ? p->n : 1) * sizeof(rt_tensor_t *));
        o->state[1] = rt_alloc_zeroed((size_t)(p->n ? p->n : 1) * sizeof(rt_tensor_t *));
        o->handle = o->state[0] && o->state[1] ? rt_handle_register(RT_KIND_OPTIMIZER, o) : 0;
    }
    if (st == TORSH_OK && (o == NULL || o->handle == 0)) {
        st = rt_fail_at(fn, TORSH_ERR_OUT_OF_MEMORY, "cannot allocate an optimizer%s",
                        rt_alloc_failure_reason());
        if (o != NULL) {
            rt_dealloc(o->state[0]);
            rt_dealloc(o->state[1]);
            rt_dealloc(o);
        }
    }
    if (st != TORSH_OK) { /* documented: the list is taken over even on failure */
        params_destroy(p);
        return NULL;
    }
    p->owned = true;
    o->adam = adam;
    o->params = p;
    o->lr = lr, o->beta1 = beta1, o->beta2 = beta2, o->eps = eps, o->momentum = momentum;
    return rt_token(o->handle);
}

torsh_optimizer_t *torsh_sgd_new(torsh_params_t *params, double lr, double momentum) {
    return optimizer_new(__func__, params, false, lr, 0, 0, 0, momentum);
}

torsh_optimizer_t *torsh_sgd_new_with_error(torsh_params_t *params, double lr, double momentum,
                                            torsh_error_t **err) {
    RT_WITH_ERROR(torsh_sgd_new(params, lr, momentum));
}

torsh_optimizer_t *torsh_adam_new(torsh_params_t *params, double lr, double beta1, double beta2,
                                  double eps) {
    return optimizer_new(__func__, params, true, lr, beta1, beta2, eps, 0);
}

torsh_optimizer_t *torsh_adam_new_with_error(torsh_params_t *params, double lr, double beta1,
                                             double beta2, double eps, torsh_error_t **err) {
    RT_WITH_ERROR(torsh_adam_new(params, lr, beta1, beta2, eps));
}

static torsh_status_t get_optimizer(const char *fn, const torsh_optimizer_t *h,
                                    rt_optimizer_t **out) {
    if (h == NULL) return rt_fail_at(fn, TORSH_ERR_NULL_ARGUMENT, "optimizer is NULL");
    *out = rt_handle_lookup(rt_bits(h), RT_KIND_OPTIMIZER);
    if (*out == NULL)
        return rt_fail_at(fn, TORSH_ERR_INVALID_HANDLE, "not a live optimizer (freed, or never "
                          "an optimizer)");
    return TORSH_OK;
}

torsh_status_t torsh_optimizer_zero_grad(torsh_optimizer_t *optimizer) {
    rt_optimizer_t *o;
    torsh_status_t st = get_optimizer(__func__, optimizer, &o);
    for (int64_t i = 0; st == TORSH_OK && i < o->params->n; i++) {
        rt_tensor_unref(o->params->items[i]->grad);
        o->params->items[i]->grad = NULL;
    }
    return st;
}

/* One parameter's update: the traced kernel, in place on p and its state. */
static torsh_status_t update(const char *fn, rt_optimizer_t *o, int64_t i) {
    rt_tensor_t *p = o->params->items[i], *g = p->grad;
    torsh_status_t st = TORSH_OK;
    for (int k = 0; k < (o->adam ? 2 : 1) && st == TORSH_OK; k++) {
        if (o->state[k][i] != NULL) continue;
        st = rt_tensor_empty(fn, rt_shape(p), p->ndim, p->dtype, &o->state[k][i]);
        if (st == TORSH_OK) st = torsh_fill(rt_handle_of(o->state[k][i]), 0.0);
    }
    double hyper[5] = {(double)(o->steps - 1), o->lr, o->beta1, o->beta2, o->eps};
    if (!o->adam) hyper[0] = o->lr, hyper[1] = o->momentum;
    int n_hyper = o->adam ? 5 : 2;
    rt_tensor_t *h[5] = {NULL};
    for (int k = 0; k < n_hyper && st == TORSH_OK; k++) st = rt_scalar(fn, hyper[k], p->dtype, &h[k]);
    if (st == TORSH_OK && o->adam) {
        rt_tensor_t *outs[3] = {p, o->state[0][i], o->state[1][i]};
        rt_tensor_t *ins[9] = {p, g, o->state[0][i], o->state[1][i], h[0], h[1], h[2], h[3], h[4]};
        st = rt_run_elementwise(fn, RT_EW_ADAM, p->dtype, outs, 3, ins, 9);
    } else if (st == TORSH_OK) {
        rt_tensor_t *outs[2] = {p, o->state[0][i]};
        rt_tensor_t *ins[5] = {p, g, o->state[0][i], h[0], h[1]};
        st = rt_run_elementwise(fn, RT_EW_SGD, p->dtype, outs, 2, ins, 5);
    }
    for (int k = 0; k < n_hyper; k++) rt_tensor_unref(h[k]);
    return st;
}

torsh_status_t torsh_optimizer_step(torsh_optimizer_t *optimizer) {
    rt_optimizer_t *o;
    torsh_status_t st = get_optimizer(__func__, optimizer, &o);
    if (st != TORSH_OK) return st;
    o->steps++;
    for (int64_t i = 0; i < o->params->n && st == TORSH_OK; i++) {
        rt_tensor_t *p = o->params->items[i];
        if (p->grad == NULL) continue;
        if (p->grad->ndim != p->ndim ||
            memcmp(rt_shape(p->grad), rt_shape(p), (size_t)p->ndim * sizeof(int64_t)) != 0 ||
            p->grad->dtype != p->dtype)
            return RT_FAIL(TORSH_ERR_SHAPE_MISMATCH, "parameter %lld's gradient does not match "
                           "its shape or dtype", (long long)i);
        st = update(__func__, o, i);
    }
    return st;
}

torsh_status_t torsh_optimizer_free(torsh_optimizer_t *optimizer) {
    if (optimizer == NULL) return TORSH_OK;
    rt_optimizer_t *o;
    torsh_status_t st = get_optimizer(__func__, optimizer, &o);
    if (st == TORSH_OK) optimizer_destroy(o);
    return st;
}
