/*
 * autograd.c: reverse-mode differentiation for the tensor API.
 *
 * Every recorded op result owns a node: the op's backward kind and references to its
 * inputs (nodes never reference outputs, so the graph has no cycles and goes with the
 * last result that needs it). torsh_backward orders the nodes reachable from the loss,
 * then runs each node's rule: the elementwise parts are the generated backward kernels
 * (traced from torsh.autograd.vjp, see torsh/_aot.py), the shape parts (unbroadcast,
 * expand, transposes) mirror the same Python rules with the ops of ops.c.
 */
#include "internal.h"

#include <string.h>

struct rt_node {
    _Atomic int64_t refcount; /* results whose grad_fn this is, plus backward's own holds */
    rt_bwd_t kind;
    int n_in;
    rt_tensor_t *in[2];
    int64_t iarg[2];
    bool released;      /* saved tensors freed by a backward without retain_graph */
    rt_tensor_t *grad;  /* during backward: the gradient of the node's result */
    uint64_t mark;      /* the backward pass that last visited it */
    rt_node_t *next_free;
};

static _Thread_local int no_grad_depth;
static _Thread_local rt_node_t *free_list;
static _Thread_local bool freeing;
static _Atomic uint64_t pass_counter;

bool rt_grad_enabled(void) { return no_grad_depth == 0; }
void rt_no_grad_push(void) { no_grad_depth++; }
void rt_no_grad_pop(void) { no_grad_depth--; }

void torsh_no_grad_begin(void) { no_grad_depth++; }

torsh_status_t torsh_no_grad_end(void) {
    if (no_grad_depth == 0)
        return RT_FAIL(TORSH_ERR_INVALID_ARGUMENT,
                       "no no_grad section is open on this thread (torsh_no_grad_begin)");
    no_grad_depth--;
    return TORSH_OK;
}

/* ------------------------------------------------------------ nodes */

static void node_ref(rt_node_t *n) { atomic_fetch_add_explicit(&n->refcount, 1, memory_order_relaxed); }

/* Frees nodes iteratively: releasing a node's inputs can free their nodes in turn, and a
 * long chain of ops must not recurse that deep. */
static void node_unref(rt_node_t *n) {
    if (n == NULL || atomic_fetch_sub_explicit(&n->refcount, 1, memory_order_acq_rel) != 1)
        return;
    n->next_free = free_list;
    free_list = n;
    if (freeing) return;
    freeing = true;
    while (free_list != NULL) {
        rt_node_t *f = free_list;
        free_list = f->next_free;
        for (int i = 0; i < f->n_in; i++) rt_tensor_unref(f->in[i]);
        rt_tensor_unref(f->grad);
        rt_dealloc(f);
    }
    freeing = false;
}

torsh_status_t rt_record(const char *fn, rt_tensor_t *out, rt_bwd_t kind,
                         rt_tensor_t *const *ins, int n_in, int64_t iarg0, int64_t iarg1) {
    if (!rt_grad_enabled()) return TORSH_OK;
    bool needed = false;
    for (int i = 0; i < n_in; i++) needed |= ins[i]->requires_grad;
    if (!needed) return TORSH_OK;
    rt_node_t *n = rt_alloc_zeroed(sizeof *n);
    if (n == NULL)
        return rt_fail_at(fn, TORSH_ERR_OUT_OF_MEMORY, "cannot record the op for autograd%s",
                          rt_alloc_failure_reason());
    atomic_init(&n->refcount, 1);
    n->kind = kind;
    n->n_in = n_in;
    n->iarg[0] = iarg0;
    n->iarg[1] = iarg1;
    for (int i = 0; i < n_in; i++) rt_tensor_ref(n->in[i] = ins[i]);
    out->grad_fn = n;
    out->requires_grad = true;
    return TORSH_OK;
}

void rt_autograd_release(rt_tensor_t *t) {
    rt_tensor_unref(t->grad);
    t->grad = NULL;
    node_unref(t->grad_fn);
    t->grad_fn = NULL;
}

/* ------------------------------------------------------------ backward rules */

/* g broadcast (expanded) to shape, as a new contiguous tensor. */
static torsh_status_t expand_to(const char *fn, rt_tensor_t *g, const int64_t *shape, int ndim,
                                rt_tensor_t **out) {
    torsh_status_t st = rt_tensor_empty(fn, shape, ndim, g->dtype, out);
    if (st != TORSH_OK) return st;
    rt_ew_op_t copy = g->dtype == TORSH_F64 ? RT_EW_CAST_TO_F64 : RT_EW_CAST_TO_F32;
    return rt_finish(rt_run_elementwise(fn, copy, g->dtype, out, 1, &g, 1), out);
}

torsh_status_t rt_sum_to_shape(const char *fn, rt_tensor_t *g, const int64_t *shape, int ndim,
                               rt_tensor_t **out) {
    int lead = g->ndim - ndim;
    rt_tensor_t *cur = g;
    rt_tensor_ref(cur);
    torsh_status_t st = TORSH_OK;
    for (int d = g->ndim - 1; d >= 0 && st == TORSH_OK; d--) {
        bool reduce = d < lead || (shape[d - lead] == 1 && rt_shape(g)[d] != 1);
        if (!reduce) continue;
        rt_tensor_t *next;
        st = rt_op_sum_dim(fn, cur, d, true, &next);
        if (st == TORSH_OK) {
            rt_tensor_unref(cur);
            cur = next;
        }
    }
    if (st == TORSH_OK) st = rt_op_reshape(fn, cur, shape, ndim, out);
    rt_tensor_unref(cur);
    return st;
}

/* The shape of x with dim kept as size 1 (the keepdim form of a reduction's result). */
static int keep_shape(const rt_tensor_t *x, int dim, int64_t *shape) {
    memcpy(shape, rt_shape(x), (size_t)x->ndim * sizeof(int64_t));
    if (x->ndim > 0) shape[dim] = 1;
    return x->ndim;
}

static torsh_status_t matmul_grads(const char *fn, rt_node_t *n, rt_tensor_t *g,
                                   rt_tensor_t **gi) {
    rt_tensor_t *a = n->in[0], *b = n->in[1], *t = NULL, *full = NULL;
    torsh_status_t st = TORSH_OK;
    if (a->requires_grad) { /* dA = dC @ B^T */
        st = rt_op_transpose(fn, b, -1, -2, &t);
        if (st == TORSH_OK) st = rt_matmul_nd(fn, g, t, &full);
        if (st == TORSH_OK) st = rt_sum_to_shape(fn, full, rt_shape(a), a->ndim, &gi[0]);
        rt_tensor_unref(t);
        rt_tensor_unref(full);
        t = full = NULL;
    }
    if (st == TORSH_OK && b->requires_grad) { /* dB = A^T @ dC */
        st = rt_op_transpose(fn, a, -1, -2, &t);
        if (st == TORSH_OK) st = rt_matmul_nd(fn, t, g, &full);
        if (st == TORSH_OK) st = rt_sum_to_shape(fn, full, rt_shape(b), b->ndim, &gi[1]);
        rt_tensor_unref(t);
        rt_tensor_unref(full);
    }
    return st;
}

static torsh_status_t max_grad(const char *fn, rt_node_t *n, rt_tensor_t *g, rt_tensor_t **gi) {
    /* torsh.autograd.vjp's rule: the gradient splits evenly between tied maxima. */
    rt_tensor_t *x = n->in[0], *m = NULL, *eq = NULL, *hit = NULL, *count = NULL, *gk = NULL;
    rt_tensor_t *num = NULL;
    int dim = (int)n->iarg[0];
    int64_t shape[TORSH_MAX_NDIM];
    int ndim = keep_shape(x, dim, shape);
    torsh_status_t st = rt_reduce(fn, RT_RED_MAX, x, dim, x->ndim > 0, &m);
    if (st == TORSH_OK) st = rt_op_binary(fn, RT_EW_EQ, x, m, &eq);
    if (st == TORSH_OK) st = rt_op_cast(fn, eq, g->dtype, &hit);
    if (st == TORSH_OK) st = rt_op_sum_dim(fn, hit, dim, true, &count);
    if (st == TORSH_OK) st = rt_op_reshape(fn, g, shape, ndim, &gk);
    if (st == TORSH_OK) st = rt_op_binary(fn, RT_EW_MUL, gk, hit, &num);
    if (st == TORSH_OK) st = rt_op_binary(fn, RT_EW_DIV, num, count, &gi[0]);
    rt_tensor_t *all[] = {m, eq, hit, count, gk, num};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) rt_tensor_unref(all[i]);
    return st;
}

/* The gradients of node n's inputs given the gradient g of its result (gi[i] NULL for
 * inputs that need none). */
static torsh_status_t node_grads(const char *fn, rt_node_t *n, rt_tensor_t *g,
                                 rt_tensor_t **gi) {
    rt_tensor_t *x = n->in[0];
    int64_t shape[TORSH_MAX_NDIM];
    switch (n->kind) {
    case RT_BWD_UNARY: {
        rt_tensor_t *ins[2] = {g, x};
        return rt_map(fn, (rt_ew_op_t)n->iarg[0], x->dtype, x->dtype, ins, 2, &gi[0]);
    }
    case RT_BWD_BINARY: {
        rt_tensor_t *ins[3] = {g, n->in[0], n->in[1]};
        for (int i = 0; i < 2; i++) {
            if (!n->in[i]->requires_grad) continue;
            rt_tensor_t *full;
            torsh_status_t st = rt_map(fn, (rt_ew_op_t)n->iarg[i], g->dtype, g->dtype, ins, 3,
                                       &full);
            if (st == TORSH_OK)
                st = rt_sum_to_shape(fn, full, rt_shape(n->in[i]), n->in[i]->ndim, &gi[i]);
            rt_tensor_unref(full);
            if (st != TORSH_OK) return st;
        }
        return TORSH_OK;
    }
    case RT_BWD_MATMUL: return matmul_grads(fn, n, g, gi);
    case RT_BWD_SUM: {
        rt_tensor_t *gk;
        int ndim = keep_shape(x, (int)n->iarg[0], shape);
        torsh_status_t st = rt_op_reshape(fn, g, shape, ndim, &gk);
        if (st != TORSH_OK) return st;
        st = expand_to(fn, gk, rt_shape(x), x->ndim, &gi[0]);
        rt_tensor_unref(gk);
        return st;
    }
    case RT_BWD_MAX: return max_grad(fn, n, g, gi);
    case RT_BWD_RESHAPE: return rt_op_reshape(fn, g, rt_shape(x), x->ndim, &gi[0]);
    case RT_BWD_TRANSPOSE:
        return rt_op_transpose(fn, g, (int)n->iarg[0], (int)n->iarg[1], &gi[0]);
    case RT_BWD_IDENTITY: rt_tensor_ref(gi[0] = g); return TORSH_OK;
    case RT_BWD_CAST: return rt_op_cast(fn, g, x->dtype, &gi[0]);
    }
    return rt_fail_at(fn, TORSH_ERR_INTERNAL, "unknown backward kind %d", (int)n->kind);
}

/* *slot += g (slot NULL: becomes g, made contiguous). */
static torsh_status_t accumulate(const char *fn, rt_tensor_t **slot, rt_tensor_t *g) {
    rt_tensor_t *sum;
    torsh_status_t st = *slot == NULL ? rt_op_contiguous(fn, g, &sum)
                                      : rt_op_binary(fn, RT_EW_ADD, *slot, g, &sum);
    if (st != TORSH_OK) return st;
    rt_tensor_unref(*slot);
    *slot = sum;
    return TORSH_OK;
}

/* ------------------------------------------------------------ backward */

typedef struct {
    rt_node_t **items;
    int64_t n, cap;
} rt_node_list_t;

static torsh_status_t push(const char *fn, rt_node_list_t *l, rt_node_t *node) {
    if (l->n == l->cap) {
        int64_t cap = l->cap ? 2 * l->cap : 64;
        rt_node_t **items = rt_alloc((size_t)cap * sizeof *items);
        if (items == NULL)
            return rt_fail_at(fn, TORSH_ERR_OUT_OF_MEMORY, "cannot order the graph%s",
                              rt_alloc_failure_reason());
        if (l->n) memcpy(items, l->items, (size_t)l->n * sizeof *items);
        rt_dealloc(l->items);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = node;
    return TORSH_OK;
}

/* The nodes reachable from root, each after every node that uses its result (an
 * iterative depth-first post-order, reversed). Each listed node is held (node_ref). */
static torsh_status_t order_nodes(const char *fn, rt_node_t *root, rt_node_list_t *order) {
    uint64_t mark = atomic_fetch_add(&pass_counter, 1) + 1;
    rt_node_list_t stack = {0};
    rt_node_list_t post = {0};
    torsh_status_t st = push(fn, &stack, root);
    /* Each node is expanded once (its unvisited inputs pushed; the node stays, tagged in
     * the low bit of its pointer) and emitted when it is popped tagged, after all of
     * them. A node pushed twice is skipped the second time it comes up. */
    while (st == TORSH_OK && stack.n > 0) {
        rt_node_t *top = stack.items[stack.n - 1];
        uintptr_t tag = (uintptr_t)top & 1u;
        rt_node_t *node = (rt_node_t *)((uintptr_t)top & ~(uintptr_t)1u);
        if (tag) {
            stack.n--;
            st = push(fn, &post, node);
            if (st == TORSH_OK) node_ref(node);
            continue;
        }
        if (node->mark == mark) {
            stack.n--;
            continue;
        }
        node->mark = mark;
        if (node->released) {
            st = rt_fail_at(fn, TORSH_ERR_INVALID_ARGUMENT,
                            "trying to backward through the graph a second time: its saved "
                            "tensors were freed by the first torsh_backward; pass "
                            "retain_graph = true to it to backward again");
            break;
        }
        stack.items[stack.n - 1] = (rt_node_t *)((uintptr_t)node | 1u);
        for (int i = 0; i < node->n_in && st == TORSH_OK; i++) {
            rt_node_t *next = node->in[i]->grad_fn;
            if (next != NULL && next->mark != mark) st = push(fn, &stack, next);
        }
    }
    rt_dealloc(stack.items);
    order->n = 0;
    if (st == TORSH_OK) { /* reverse: users before the nodes they read */
        for (int64_t i = 0; i < post.n / 2; i++) {
            rt_node_t *t = post.items[i];
            post.items[i] = post.items[post.n - 1 - i];
            post.items[post.n - 1 - i] = t;
        }
        *order = post;
        return st;
    }
    for (int64_t i = 0; i < post.n; i++) node_unref(post.items[i]);
    rt_dealloc(post.items);
    return st;
}

static torsh_status_t run_backward(const char *fn, rt_tensor_t *loss, rt_node_list_t *order) {
    rt_tensor_t *seed;
    torsh_status_t st = rt_scalar(fn, 1.0, loss->dtype, &seed);
    if (st != TORSH_OK) return st;
    if (loss->grad_fn == NULL) { /* a leaf loss: its gradient is 1 */
        rt_tensor_t *shaped;
        st = rt_op_reshape(fn, seed, rt_shape(loss), loss->ndim, &shaped);
        rt_tensor_unref(seed);
        if (st != TORSH_OK) return st;
        st = accumulate(fn, &loss->grad, shaped);
        rt_tensor_unref(shaped);
        return st;
    }
    st = rt_op_reshape(fn, seed, rt_shape(loss), loss->ndim, &loss->grad_fn->grad);
    rt_tensor_unref(seed);
    for (int64_t k = 0; k < order->n && st == TORSH_OK; k++) {
        rt_node_t *node = order->items[k];
        rt_tensor_t *g = node->grad, *gi[2] = {NULL, NULL};
        node->grad = NULL;
        if (g == NULL) continue;
        st = node_grads(fn, node, g, gi);
        for (int i = 0; i < node->n_in && st == TORSH_OK; i++) {
            rt_tensor_t *x = node->in[i];
            if (gi[i] == NULL || !x->requires_grad) continue;
            st = accumulate(fn, x->grad_fn ? &x->grad_fn->grad : &x->grad, gi[i]);
        }
        rt_tensor_unref(gi[0]);
        rt_tensor_unref(gi[1]);
        rt_tensor_unref(g);
    }
    for (int64_t k = 0; k < order->n; k++) { /* after a failure: drop partial gradients */
        rt_tensor_unref(order->items[k]->grad);
        order->items[k]->grad = NULL;
    }
    return st;
}

torsh_status_t torsh_backward(torsh_tensor_t *loss, bool retain_graph) {
    rt_tensor_t *l;
    torsh_status_t st = rt_get_tensor(__func__, loss, &l);
    if (st != TORSH_OK) return st;
    if (l->numel != 1) {
        char s[256];
        return RT_FAIL(TORSH_ERR_INVALID_ARGUMENT,
                       "the loss has shape %s: backward needs a scalar (one element); reduce "
                       "it first (torsh_sum, torsh_mean)",
                       rt_shape_str(rt_shape(l), l->ndim, s, sizeof s));
    }
    if (!l->requires_grad)
        return RT_FAIL(TORSH_ERR_INVALID_ARGUMENT,
                       "the loss does not require grad: no input of the ops that computed it "
                       "requires grad (torsh_tensor_set_requires_grad), or they ran inside a "
                       "no_grad section");
    rt_node_list_t order = {0};
    if (l->grad_fn != NULL) st = order_nodes(__func__, l->grad_fn, &order);
    if (st != TORSH_OK) return st;
    rt_no_grad_push();
    st = run_backward(__func__, l, &order);
    rt_no_grad_pop();
    for (int64_t k = 0; k < order.n; k++) {
        rt_node_t *node = order.items[k];
        if (!retain_graph && st == TORSH_OK) { /* free what only backward needed */
            node->released = true;
            for (int i = 0; i < node->n_in; i++) {
                rt_tensor_unref(node->in[i]);
                node->in[i] = NULL;
            }
            node->n_in = 0;
        }
        node_unref(node);
    }
    rt_dealloc(order.items);
    return st;
}

/* ------------------------------------------------------------ tensor autograd state */

torsh_status_t torsh_tensor_set_requires_grad(torsh_tensor_t *t, bool requires_grad) {
    rt_tensor_t *x;
    torsh_status_t st = rt_get_tensor(__func__, t, &x);
    if (st != TORSH_OK) return st;
    if (x->grad_fn != NULL)
        return RT_FAIL(TORSH_ERR_INVALID_ARGUMENT,
                       "the tensor is the result of a recorded op (not a leaf): only leaves "
                       "can change requires_grad");
    torsh_dtype_t dt = x->dtype;
    if (requires_grad && dt != TORSH_F32 && dt != TORSH_F64)
        return RT_FAIL(TORSH_ERR_DTYPE, "only f32 and f64 tensors can require grad, not %s",
                       rt_dtype_name(dt));
    x->requires_grad = requires_grad;
    return TORSH_OK;
}

int torsh_tensor_requires_grad(const torsh_tensor_t *t) {
    rt_tensor_t *x;
    return rt_get_tensor(__func__, t, &x) == TORSH_OK ? x->requires_grad : -1;
}

static torsh_status_t grad_of(const char *fn, const torsh_tensor_t *t, torsh_tensor_t **out) {
    rt_tensor_t *x;
    *out = NULL;
    torsh_status_t st = rt_get_tensor(fn, t, &x);
    if (st == TORSH_OK && x->grad != NULL) {
        rt_tensor_ref(x->grad);
        *out = rt_handle_of(x->grad);
    }
    return st;
}

torsh_tensor_t *torsh_tensor_grad(const torsh_tensor_t *t) {
    torsh_tensor_t *g;
    grad_of(__func__, t, &g);
    return g;
}

torsh_tensor_t *torsh_tensor_grad_with_error(const torsh_tensor_t *t, torsh_error_t **err) {
    torsh_tensor_t *g;
    if (grad_of("torsh_tensor_grad", t, &g) != TORSH_OK) rt_capture_error(err);
    return g;
}

torsh_status_t torsh_tensor_zero_grad(torsh_tensor_t *t) {
    rt_tensor_t *x;
    torsh_status_t st = rt_get_tensor(__func__, t, &x);
    if (st == TORSH_OK) {
        rt_tensor_unref(x->grad);
        x->grad = NULL;
    }
    return st;
}
