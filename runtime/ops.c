/*
 * ops.c: the eager ops of the tensor API. Each op checks its arguments, promotes dtypes
 * as PyTorch does, runs a generated kernel (kernels.c) and records itself for autograd
 * (autograd.c). Composite ops (mean, softmax, the losses) are built from the primitive
 * ones, so their gradients come from the primitives' rules.
 */
#include "internal.h"

#include <string.h>

/* ------------------------------------------------------------ dtypes */

static int kind_of(torsh_dtype_t dt) { /* bool < integers < floats */
    switch (dt) {
    case TORSH_BOOL: return 0;
    case TORSH_I8: case TORSH_U8: case TORSH_I32: case TORSH_I64: return 1;
    default: return 2;
    }
}

static bool is_float(torsh_dtype_t dt) { return kind_of(dt) == 2; }

static int width_of(torsh_dtype_t dt) {
    return dt == TORSH_F16 || dt == TORSH_BF16 ? 2 : (int)torsh_dtype_size(dt);
}

static torsh_dtype_t promote_pair(torsh_dtype_t a, torsh_dtype_t b) {
    if (a == b) return a;
    if (kind_of(a) != kind_of(b)) return kind_of(a) > kind_of(b) ? a : b;
    if (width_of(a) != width_of(b)) return width_of(a) > width_of(b) ? a : b;
    return kind_of(a) == 2 ? TORSH_F32 : TORSH_I32; /* f16+bf16 -> f32; i8+u8 -> i32 */
}

/* torch.result_type for two tensors: a 0-d tensor decides only when it is of a higher
 * kind than the dimensioned one. */
static torsh_dtype_t promote(const rt_tensor_t *a, const rt_tensor_t *b) {
    bool za = a->ndim == 0, zb = b->ndim == 0;
    if (za != zb) {
        const rt_tensor_t *dim = za ? b : a, *scalar = za ? a : b;
        if (kind_of(scalar->dtype) <= kind_of(dim->dtype)) return dim->dtype;
        return kind_of(scalar->dtype) == 2 ? (dim->dtype == TORSH_F64 ? TORSH_F64 : TORSH_F32)
                                           : scalar->dtype;
    }
    return promote_pair(a->dtype, b->dtype);
}

static const int cast_op[TORSH_DTYPE_COUNT] = {
    [TORSH_F32] = RT_EW_CAST_TO_F32, [TORSH_F64] = RT_EW_CAST_TO_F64,
    [TORSH_I32] = RT_EW_CAST_TO_I32, [TORSH_I64] = RT_EW_CAST_TO_I64,
    [TORSH_BOOL] = RT_EW_CAST_TO_I1, [TORSH_F16] = RT_EW_CAST_TO_F16,
    [TORSH_BF16] = RT_EW_CAST_TO_BF16, [TORSH_I8] = RT_EW_CAST_TO_I8,
    [TORSH_U8] = -1,
};

/* ------------------------------------------------------------ primitive ops */

torsh_status_t rt_op_cast(const char *fn, rt_tensor_t *x, torsh_dtype_t dt, rt_tensor_t **out) {
    if ((int)dt < 0 || (int)dt >= TORSH_DTYPE_COUNT)
        return rt_fail_at(fn, TORSH_ERR_DTYPE, "unknown dtype %d", (int)dt);
    if (x->dtype == dt) {
        rt_tensor_ref(x);
        *out = x;
        return TORSH_OK;
    }
    if (cast_op[dt] < 0)
        return rt_fail_at(fn, TORSH_ERR_DTYPE, "cannot cast %s to %s: u8 is a storage type",
                          rt_dtype_name(x->dtype), rt_dtype_name(dt));
    torsh_status_t st = rt_map(fn, (rt_ew_op_t)cast_op[dt], x->dtype, dt, &x, 1, out);
    if (st == TORSH_OK && is_float(x->dtype) && is_float(dt))
        st = rt_record(fn, *out, RT_BWD_CAST, &x, 1, 0, 0);
    return st;
}

static rt_ew_op_t backward_of(rt_ew_op_t op, int input) {
    switch (op) {
    case RT_EW_ADD: return input ? RT_EW_ADD_BWD1 : RT_EW_ADD_BWD0;
    case RT_EW_SUB: return input ? RT_EW_SUB_BWD1 : RT_EW_SUB_BWD0;
    case RT_EW_MUL: return input ? RT_EW_MUL_BWD1 : RT_EW_MUL_BWD0;
    case RT_EW_DIV: return input ? RT_EW_DIV_BWD1 : RT_EW_DIV_BWD0;
    case RT_EW_POW: return input ? RT_EW_POW_BWD1 : RT_EW_POW_BWD0;
    case RT_EW_NEG: return RT_EW_NEG_BWD;
    case RT_EW_RELU: return RT_EW_RELU_BWD;
    case RT_EW_EXP: return RT_EW_EXP_BWD;
    case RT_EW_LOG: return RT_EW_LOG_BWD;
    case RT_EW_SQRT: return RT_EW_SQRT_BWD;
    case RT_EW_TANH: return RT_EW_TANH_BWD;
    case RT_EW_SIGMOID: return RT_EW_SIGMOID_BWD;
    case RT_EW_GELU: return RT_EW_GELU_BWD;
    default: return RT_EW_COUNT; /* not differentiable */
    }
}

torsh_status_t rt_op_binary(const char *fn, rt_ew_op_t op, rt_tensor_t *a, rt_tensor_t *b,
                            rt_tensor_t **out) {
    *out = NULL;
    int64_t shape[TORSH_MAX_NDIM];
    int ndim;
    torsh_status_t st = rt_broadcast_shape(fn, a, b, shape, &ndim);
    if (st != TORSH_OK) return st;
    torsh_dtype_t dt = promote(a, b);
    if ((op == RT_EW_DIV || op == RT_EW_POW) && !is_float(dt)) dt = TORSH_F32;
    if (dt == TORSH_BOOL && op != RT_EW_EQ)
        return rt_fail_at(fn, TORSH_ERR_DTYPE, "arithmetic on bool tensors: cast them first");
    rt_tensor_t *ca = NULL, *cb = NULL;
    st = rt_op_cast(fn, a, dt, &ca);
    if (st == TORSH_OK) st = rt_op_cast(fn, b, dt, &cb);
    if (st == TORSH_OK) {
        rt_tensor_t *ins[2] = {ca, cb};
        st = rt_map(fn, op, dt, op == RT_EW_EQ ? TORSH_BOOL : dt, ins, 2, out);
        if (st == TORSH_OK && is_float(dt) && backward_of(op, 0) != RT_EW_COUNT)
            st = rt_record(fn, *out, RT_BWD_BINARY, ins, 2, backward_of(op, 0),
                           backward_of(op, 1));
    }
    rt_tensor_unref(ca);
    rt_tensor_unref(cb);
    return rt_finish(st, out);
}

torsh_status_t rt_op_unary(const char *fn, rt_ew_op_t op, rt_tensor_t *x, rt_tensor_t **out) {
    *out = NULL;
    bool keeps_ints = op == RT_EW_NEG || op == RT_EW_RELU;
    torsh_dtype_t dt = x->dtype;
    if (dt == TORSH_BOOL && keeps_ints)
        return rt_fail_at(fn, TORSH_ERR_DTYPE, "%s of a bool tensor: cast it first",
                          op == RT_EW_NEG ? "negation" : "relu");
    if (!keeps_ints && !is_float(dt)) dt = TORSH_F32;
    rt_tensor_t *cx = NULL;
    torsh_status_t st = rt_op_cast(fn, x, dt, &cx);
    if (st == TORSH_OK) st = rt_map(fn, op, dt, dt, &cx, 1, out);
    if (st == TORSH_OK && is_float(dt))
        st = rt_record(fn, *out, RT_BWD_UNARY, &cx, 1, backward_of(op, 0), 0);
    rt_tensor_unref(cx);
    return rt_finish(st, out);
}

torsh_status_t rt_op_contiguous(const char *fn, rt_tensor_t *x, rt_tensor_t **out) {
    if (rt_is_contiguous(x)) {
        rt_tensor_ref(x);
        *out = x;
        return TORSH_OK;
    }
    if (cast_op[x->dtype] < 0)
        return rt_fail_at(fn, TORSH_ERR_DTYPE, "no copy kernel for dtype %s",
                          rt_dtype_name(x->dtype));
    torsh_status_t st = rt_map(fn, (rt_ew_op_t)cast_op[x->dtype], x->dtype, x->dtype, &x, 1, out);
    if (st == TORSH_OK) st = rt_record(fn, *out, RT_BWD_IDENTITY, &x, 1, 0, 0);
    return rt_finish(st, out);
}

torsh_status_t rt_op_reshape(const char *fn, rt_tensor_t *x, const int64_t *shape, int ndim,
                             rt_tensor_t **out) {
    *out = NULL;
    rt_tensor_t *c = NULL;
    torsh_status_t st = rt_op_contiguous(fn, x, &c);
    if (st == TORSH_OK) st = rt_tensor_reshape(fn, c, shape, ndim, out);
    if (st == TORSH_OK) st = rt_record(fn, *out, RT_BWD_RESHAPE, &c, 1, 0, 0);
    rt_tensor_unref(c);
    return rt_finish(st, out);
}

torsh_status_t rt_op_transpose(const char *fn, rt_tensor_t *x, int d0, int d1,
                               rt_tensor_t **out) {
    *out = NULL;
    int a, b;
    torsh_status_t st = rt_wrap_dim(fn, d0, x->ndim, &a);
    if (st == TORSH_OK) st = rt_wrap_dim(fn, d1, x->ndim, &b);
    if (st != TORSH_OK) return st;
    int64_t shape[TORSH_MAX_NDIM], strides[TORSH_MAX_NDIM];
    memcpy(shape, rt_shape(x), (size_t)x->ndim * sizeof(int64_t));
    memcpy(strides, rt_strides(x), (size_t)x->ndim * sizeof(int64_t));
    if (x->ndim > 0) {
        int64_t s = shape[a], t = strides[a];
        shape[a] = shape[b], strides[a] = strides[b];
        shape[b] = s, strides[b] = t;
    }
    st = rt_tensor_view(fn, x, shape, strides, x->ndim, x->offset, out);
    if (st == TORSH_OK) st = rt_record(fn, *out, RT_BWD_TRANSPOSE, &x, 1, a, b);
    return rt_finish(st, out);
}

torsh_status_t rt_op_sum_dim(const char *fn, rt_tensor_t *x, int dim, bool keepdim,
                             rt_tensor_t **out) {
    *out = NULL;
    int d;
    torsh_status_t st = rt_wrap_dim(fn, dim, x->ndim, &d);
    if (st != TORSH_OK) return st;
    rt_tensor_t *cx = NULL; /* integer sums accumulate in i64, as torch */
    st = rt_op_cast(fn, x, is_float(x->dtype) ? x->dtype : TORSH_I64, &cx);
    if (st == TORSH_OK) st = rt_reduce(fn, RT_RED_SUM, cx, d, keepdim && cx->ndim > 0, out);
    if (st == TORSH_OK) st = rt_record(fn, *out, RT_BWD_SUM, &cx, 1, d, keepdim);
    rt_tensor_unref(cx);
    return rt_finish(st, out);
}

torsh_status_t rt_op_max_dim(const char *fn, rt_tensor_t *x, int dim, bool keepdim,
                             rt_tensor_t **out) {
    *out = NULL;
    int d;
    torsh_status_t st = rt_wrap_dim(fn, dim, x->ndim, &d);
    if (st == TORSH_OK) st = rt_reduce(fn, RT_RED_MAX, x, d, keepdim && x->ndim > 0, out);
    if (st == TORSH_OK) st = rt_record(fn, *out, RT_BWD_MAX, &x, 1, d, keepdim);
    return rt_finish(st, out);
}

torsh_status_t rt_scalar(const char *fn, double value, torsh_dtype_t dt, rt_tensor_t **out) {
    rt_tensor_t *wide;
    torsh_status_t st = rt_tensor_empty(fn, NULL, 0, TORSH_F64, &wide);
    if (st != TORSH_OK) return st;
    memcpy(rt_data(wide), &value, sizeof value);
    st = rt_op_cast(fn, wide, dt, out);
    rt_tensor_unref(wide);
    return st;
}

/* Un-recorded view helpers for the ops below. */
static torsh_status_t flat(const char *fn, rt_tensor_t *x, rt_tensor_t **out) {
    int64_t all = -1;
    return rt_op_reshape(fn, x, &all, 1, out);
}

/* ------------------------------------------------------------ matmul */

torsh_status_t rt_op_matmul(const char *fn, rt_tensor_t *a, rt_tensor_t *b, rt_tensor_t **out) {
    *out = NULL;
    if (a->ndim == 0 || b->ndim == 0)
        return rt_fail_at(fn, TORSH_ERR_SHAPE_MISMATCH,
                          "both arguments to matmul need at least 1 dimension, got %d-d and "
                          "%d-d", a->ndim, b->ndim);
    int64_t ka = rt_shape(a)[a->ndim - 1], kb = rt_shape(b)[b->ndim == 1 ? 0 : b->ndim - 2];
    if (ka != kb) { /* reported with the shapes as given (before 1-d promotion) */
        char sa[256], sb[256];
        return rt_fail_at(fn, TORSH_ERR_SHAPE_MISMATCH,
                          "shapes %s and %s cannot be multiplied (%lld columns vs %lld rows)",
                          rt_shape_str(rt_shape(a), a->ndim, sa, sizeof sa),
                          rt_shape_str(rt_shape(b), b->ndim, sb, sizeof sb), (long long)ka,
                          (long long)kb);
    }
    torsh_dtype_t dt = promote_pair(a->dtype, b->dtype);
    if (dt != TORSH_F32 && dt != TORSH_F64)
        return rt_fail_at(fn, TORSH_ERR_DTYPE, "matmul needs f32 or f64 operands, got %s and %s",
                          rt_dtype_name(a->dtype), rt_dtype_name(b->dtype));
    rt_tensor_t *ca = NULL, *cb = NULL, *a2 = NULL, *b2 = NULL, *prod = NULL;
    torsh_status_t st = rt_op_cast(fn, a, dt, &ca);
    if (st == TORSH_OK) st = rt_op_cast(fn, b, dt, &cb);
    /* 1-d operands: (k) -> (1, k) on the left, (k) -> (k, 1) on the right */
    if (st == TORSH_OK) {
        int64_t row[2] = {1, rt_shape(ca)[0]}, col[2] = {rt_shape(cb)[0], 1};
        if (ca->ndim == 1) st = rt_op_reshape(fn, ca, row, 2, &a2);
        else rt_tensor_ref(a2 = ca);
        if (st == TORSH_OK && cb->ndim == 1) st = rt_op_reshape(fn, cb, col, 2, &b2);
        else if (st == TORSH_OK) rt_tensor_ref(b2 = cb);
    }
    if (st == TORSH_OK) st = rt_matmul_nd(fn, a2, b2, &prod);
    if (st == TORSH_OK) {
        rt_tensor_t *ins[2] = {a2, b2};
        st = rt_record(fn, prod, RT_BWD_MATMUL, ins, 2, 0, 0);
    }
    if (st == TORSH_OK && (a->ndim == 1 || b->ndim == 1)) {
        int64_t shape[TORSH_MAX_NDIM];
        int n = 0;
        for (int k = 0; k < prod->ndim; k++) {
            bool added = (a->ndim == 1 && k == prod->ndim - 2) ||
                         (b->ndim == 1 && k == prod->ndim - 1);
            if (!added) shape[n++] = rt_shape(prod)[k];
        }
        st = rt_op_reshape(fn, prod, shape, n, out);
    } else if (st == TORSH_OK) {
        rt_tensor_ref(*out = prod);
    }
    rt_tensor_unref(ca);
    rt_tensor_unref(cb);
    rt_tensor_unref(a2);
    rt_tensor_unref(b2);
    rt_tensor_unref(prod);
    return rt_finish(st, out);
}

/* ------------------------------------------------------------ composites */

static torsh_status_t divide_by(const char *fn, rt_tensor_t *x, double n, rt_tensor_t **out) {
    rt_tensor_t *s;
    torsh_status_t st = rt_scalar(fn, n, x->dtype, &s);
    if (st != TORSH_OK) return st;
    st = rt_op_binary(fn, RT_EW_DIV, x, s, out);
    rt_tensor_unref(s);
    return st;
}

static torsh_status_t need_float(const char *fn, const rt_tensor_t *x, const char *what) {
    if (is_float(x->dtype) && x->dtype != TORSH_F16 && x->dtype != TORSH_BF16) return TORSH_OK;
    return rt_fail_at(fn, TORSH_ERR_DTYPE, "%s needs an f32 or f64 tensor, got %s", what,
                      rt_dtype_name(x->dtype));
}

static torsh_status_t mean_dim(const char *fn, rt_tensor_t *x, int dim, bool keepdim,
                               rt_tensor_t **out) {
    *out = NULL;
    int d;
    torsh_status_t st = need_float(fn, x, "mean");
    if (st == TORSH_OK) st = rt_wrap_dim(fn, dim, x->ndim, &d);
    if (st != TORSH_OK) return st;
    rt_tensor_t *s;
    st = rt_op_sum_dim(fn, x, d, keepdim, &s);
    if (st != TORSH_OK) return st;
    st = divide_by(fn, s, x->ndim ? (double)rt_shape(x)[d] : 1.0, out);
    rt_tensor_unref(s);
    return st;
}

/* Over all elements: the op along dim 0 of the flattened tensor. */
static torsh_status_t whole(const char *fn, rt_tensor_t *x, int which, rt_tensor_t **out) {
    *out = NULL;
    rt_tensor_t *f;
    torsh_status_t st = flat(fn, x, &f);
    if (st != TORSH_OK) return st;
    if (which == 0) st = rt_op_sum_dim(fn, f, 0, false, out);
    else if (which == 1) st = mean_dim(fn, f, 0, false, out);
    else st = rt_op_max_dim(fn, f, 0, false, out);
    rt_tensor_unref(f);
    return st;
}

static torsh_status_t softmax(const char *fn, rt_tensor_t *x, int dim, bool log_,
                              rt_tensor_t **out) {
    *out = NULL;
    int d;
    torsh_status_t st = need_float(fn, x, log_ ? "log_softmax" : "softmax");
    if (st == TORSH_OK) st = rt_wrap_dim(fn, dim, x->ndim, &d);
    if (st != TORSH_OK) return st;
    rt_tensor_t *m = NULL, *z = NULL, *e = NULL, *s = NULL, *ls = NULL;
    /* The max only keeps exp in range: its gradient cancels, so it is not recorded. */
    rt_no_grad_push();
    st = x->numel ? rt_reduce(fn, RT_RED_MAX, x, d, x->ndim > 0, &m) : rt_scalar(fn, 0, x->dtype, &m);
    rt_no_grad_pop();
    if (st == TORSH_OK) st = rt_op_binary(fn, RT_EW_SUB, x, m, &z);
    if (st == TORSH_OK) st = rt_op_unary(fn, RT_EW_EXP, z, &e);
    if (st == TORSH_OK) st = rt_op_sum_dim(fn, e, d, true, &s);
    if (st == TORSH_OK && log_) st = rt_op_unary(fn, RT_EW_LOG, s, &ls);
    if (st == TORSH_OK)
        st = log_ ? rt_op_binary(fn, RT_EW_SUB, z, ls, out) : rt_op_binary(fn, RT_EW_DIV, e, s, out);
    rt_tensor_unref(m);
    rt_tensor_unref(z);
    rt_tensor_unref(e);
    rt_tensor_unref(s);
    rt_tensor_unref(ls);
    return st;
}

static torsh_status_t mse_loss(const char *fn, rt_tensor_t *x, rt_tensor_t *y, rt_tensor_t **out) {
    *out = NULL;
    bool same = x->ndim == y->ndim &&
                memcmp(rt_shape(x), rt_shape(y), (size_t)x->ndim * sizeof(int64_t)) == 0;
    if (!same) {
        char a[256], b[256];
        return rt_fail_at(fn, TORSH_ERR_SHAPE_MISMATCH,
                          "input %s and target %s must have the same shape",
                          rt_shape_str(rt_shape(x), x->ndim, a, sizeof a),
                          rt_shape_str(rt_shape(y), y->ndim, b, sizeof b));
    }
    rt_tensor_t *d = NULL, *sq = NULL;
    torsh_status_t st = rt_op_binary(fn, RT_EW_SUB, x, y, &d);
    if (st == TORSH_OK) st = rt_op_binary(fn, RT_EW_MUL, d, d, &sq);
    if (st == TORSH_OK) st = need_float(fn, sq, "mse_loss");
    if (st == TORSH_OK) st = whole(fn, sq, 1, out);
    rt_tensor_unref(d);
    rt_tensor_unref(sq);
    return st;
}

/* Checks every class index of target (i64, contiguous) against [0, classes). */
static torsh_status_t check_classes(const char *fn, const rt_tensor_t *t, int64_t classes) {
    const int64_t *v = rt_data(t);
    for (int64_t i = 0; i < t->numel; i++)
        if (v[i] < 0 || v[i] >= classes)
            return rt_fail_at(fn, TORSH_ERR_INDEX,
                              "target[%lld] = %lld is not a class index in [0, %lld)",
                              (long long)i, (long long)v[i], (long long)classes);
    return TORSH_OK;
}

static torsh_status_t cross_entropy(const char *fn, rt_tensor_t *logits, rt_tensor_t *target,
                                    rt_tensor_t **out) {
    *out = NULL;
    torsh_status_t st = need_float(fn, logits, "cross_entropy");
    if (st != TORSH_OK) return st;
    if (target->dtype != TORSH_I64 && target->dtype != TORSH_I32)
        return rt_fail_at(fn, TORSH_ERR_DTYPE,
                          "target must hold class indices (i64 or i32), got %s; for class "
                          "probabilities compute the loss from torsh_log_softmax",
                          rt_dtype_name(target->dtype));
    bool one = logits->ndim == 1;
    int64_t n = one ? 1 : (logits->ndim == 2 ? rt_shape(logits)[0] : -1);
    if (n < 0 || target->ndim != (one ? 0 : 1) || (!one && rt_shape(target)[0] != n)) {
        char a[256], b[256];
        return rt_fail_at(fn, TORSH_ERR_SHAPE_MISMATCH,
                          "logits %s and target %s do not match: expected logits (N, C) with "
                          "target (N), or logits (C) with a 0-d target",
                          rt_shape_str(rt_shape(logits), logits->ndim, a, sizeof a),
                          rt_shape_str(rt_shape(target), target->ndim, b, sizeof b));
    }
    int64_t c = rt_shape(logits)[logits->ndim - 1];
    int64_t col[2] = {n, 1};
    rt_tensor_t *t64 = NULL, *tcol = NULL, *classes = NULL, *hit = NULL, *hot = NULL;
    rt_tensor_t *ls = NULL, *picked = NULL, *total = NULL, *mean = NULL;
    rt_no_grad_push(); /* the one-hot matrix is a constant */
    st = rt_op_cast(fn, target, TORSH_I64, &t64);
    if (st == TORSH_OK) st = rt_op_contiguous(fn, t64, &tcol);
    if (st == TORSH_OK) st = check_classes(fn, tcol, c);
    rt_tensor_unref(tcol);
    tcol = NULL;
    if (st == TORSH_OK) st = rt_op_reshape(fn, t64, col, 2, &tcol);
    if (st == TORSH_OK) st = rt_iota(fn, c, &classes);
    if (st == TORSH_OK) st = rt_op_binary(fn, RT_EW_EQ, tcol, classes, &hit);
    if (st == TORSH_OK) st = rt_op_cast(fn, hit, logits->dtype, &hot);
    rt_no_grad_pop();
    if (st == TORSH_OK) st = softmax(fn, logits, -1, true, &ls);
    if (st == TORSH_OK) st = rt_op_binary(fn, RT_EW_MUL, ls, hot, &picked);
    if (st == TORSH_OK) st = whole(fn, picked, 0, &total);
    if (st == TORSH_OK) st = divide_by(fn, total, (double)n, &mean);
    if (st == TORSH_OK) st = rt_op_unary(fn, RT_EW_NEG, mean, out);
    rt_tensor_t *all[] = {t64, tcol, classes, hit, hot, ls, picked, total, mean};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) rt_tensor_unref(all[i]);
    return st;
}

/* ------------------------------------------------------------ the public API */

#define RT_GET(h, x) \
    if (rt_get_tensor(__func__, (h), &(x)) != TORSH_OK) return NULL
#define RT_RESULT(call) return (call) == TORSH_OK ? rt_handle_of(out) : NULL

#define RT_UNARY_API(name, op)                                                           \
    torsh_tensor_t *torsh_##name(const torsh_tensor_t *t) {                              \
        rt_tensor_t *x, *out;                                                            \
        RT_GET(t, x);                                                                    \
        RT_RESULT(rt_op_unary(__func__, op, x, &out));                                   \
    }                                                                                    \
    torsh_tensor_t *torsh_##name##_with_error(const torsh_tensor_t *t, torsh_error_t **err) { \
        RT_WITH_ERROR(torsh_##name(t));                                                  \
    }

#define RT_BINARY_API(name, call)                                                        \
    torsh_tensor_t *torsh_##name(const torsh_tensor_t *a, const torsh_tensor_t *b) {     \
        rt_tensor_t *x, *y, *out;                                                        \
        RT_GET(a, x);                                                                    \
        RT_GET(b, y);                                                                    \
        RT_RESULT(call);                                                                 \
    }                                                                                    \
    torsh_tensor_t *torsh_##name##_with_error(const torsh_tensor_t *a,                   \
                                              const torsh_tensor_t *b, torsh_error_t **err) { \
        RT_WITH_ERROR(torsh_##name(a, b));                                               \
    }

RT_BINARY_API(add, rt_op_binary(__func__, RT_EW_ADD, x, y, &out))
RT_BINARY_API(sub, rt_op_binary(__func__, RT_EW_SUB, x, y, &out))
RT_BINARY_API(mul, rt_op_binary(__func__, RT_EW_MUL, x, y, &out))
RT_BINARY_API(div, rt_op_binary(__func__, RT_EW_DIV, x, y, &out))
RT_BINARY_API(pow, rt_op_binary(__func__, RT_EW_POW, x, y, &out))
RT_BINARY_API(matmul, rt_op_matmul(__func__, x, y, &out))
RT_BINARY_API(mse_loss, mse_loss(__func__, x, y, &out))
RT_BINARY_API(cross_entropy, cross_entropy(__func__, x, y, &out))

RT_UNARY_API(neg, RT_EW_NEG)
RT_UNARY_API(exp, RT_EW_EXP)
RT_UNARY_API(log, RT_EW_LOG)
RT_UNARY_API(sqrt, RT_EW_SQRT)
RT_UNARY_API(tanh, RT_EW_TANH)
RT_UNARY_API(sigmoid, RT_EW_SIGMOID)
RT_UNARY_API(relu, RT_EW_RELU)
RT_UNARY_API(gelu, RT_EW_GELU)

#define RT_WHOLE_API(name, which)                                                        \
    torsh_tensor_t *torsh_##name(const torsh_tensor_t *t) {                              \
        rt_tensor_t *x, *out;                                                            \
        RT_GET(t, x);                                                                    \
        RT_RESULT(whole(__func__, x, which, &out));                                      \
    }                                                                                    \
    torsh_tensor_t *torsh_##name##_with_error(const torsh_tensor_t *t, torsh_error_t **err) { \
        RT_WITH_ERROR(torsh_##name(t));                                                  \
    }

RT_WHOLE_API(sum, 0)
RT_WHOLE_API(mean, 1)
RT_WHOLE_API(max, 2)

#define RT_DIM_API(name, call)                                                           \
    torsh_tensor_t *torsh_##name(const torsh_tensor_t *t, int dim, bool keepdim) {       \
        rt_tensor_t *x, *out;                                                            \
        RT_GET(t, x);                                                                    \
        RT_RESULT(call);                                                                 \
    }                                                                                    \
    torsh_tensor_t *torsh_##name##_with_error(const torsh_tensor_t *t, int dim, bool keepdim, \
                                              torsh_error_t **err) {                     \
        RT_WITH_ERROR(torsh_##name(t, dim, keepdim));                                    \
    }

RT_DIM_API(sum_dim, rt_op_sum_dim(__func__, x, dim, keepdim, &out))
RT_DIM_API(mean_dim, mean_dim(__func__, x, dim, keepdim, &out))
RT_DIM_API(max_dim, rt_op_max_dim(__func__, x, dim, keepdim, &out))

torsh_tensor_t *torsh_softmax(const torsh_tensor_t *t, int dim) {
    rt_tensor_t *x, *out;
    RT_GET(t, x);
    RT_RESULT(softmax(__func__, x, dim, false, &out));
}

torsh_tensor_t *torsh_softmax_with_error(const torsh_tensor_t *t, int dim, torsh_error_t **err) {
    RT_WITH_ERROR(torsh_softmax(t, dim));
}

torsh_tensor_t *torsh_log_softmax(const torsh_tensor_t *t, int dim) {
    rt_tensor_t *x, *out;
    RT_GET(t, x);
    RT_RESULT(softmax(__func__, x, dim, true, &out));
}

torsh_tensor_t *torsh_log_softmax_with_error(const torsh_tensor_t *t, int dim,
                                             torsh_error_t **err) {
    RT_WITH_ERROR(torsh_log_softmax(t, dim));
}

torsh_tensor_t *torsh_reshape(const torsh_tensor_t *t, const int64_t *shape, int ndim) {
    rt_tensor_t *x, *out;
    RT_GET(t, x);
    if (ndim > 0 && shape == NULL) {
        RT_FAIL(TORSH_ERR_NULL_ARGUMENT, "shape is NULL");
        return NULL;
    }
    RT_RESULT(rt_op_reshape(__func__, x, shape, ndim, &out));
}

torsh_tensor_t *torsh_reshape_with_error(const torsh_tensor_t *t, const int64_t *shape, int ndim,
                                         torsh_error_t **err) {
    RT_WITH_ERROR(torsh_reshape(t, shape, ndim));
}

torsh_tensor_t *torsh_transpose(const torsh_tensor_t *t, int dim0, int dim1) {
    rt_tensor_t *x, *out;
    RT_GET(t, x);
    RT_RESULT(rt_op_transpose(__func__, x, dim0, dim1, &out));
}

torsh_tensor_t *torsh_transpose_with_error(const torsh_tensor_t *t, int dim0, int dim1,
                                           torsh_error_t **err) {
    RT_WITH_ERROR(torsh_transpose(t, dim0, dim1));
}

torsh_tensor_t *torsh_contiguous(const torsh_tensor_t *t) {
    rt_tensor_t *x, *out;
    RT_GET(t, x);
    RT_RESULT(rt_op_contiguous(__func__, x, &out));
}

torsh_tensor_t *torsh_contiguous_with_error(const torsh_tensor_t *t, torsh_error_t **err) {
    RT_WITH_ERROR(torsh_contiguous(t));
}

torsh_tensor_t *torsh_cast(const torsh_tensor_t *t, torsh_dtype_t dtype) {
    rt_tensor_t *x, *out;
    RT_GET(t, x);
    RT_RESULT(rt_op_cast(__func__, x, dtype, &out));
}

torsh_tensor_t *torsh_cast_with_error(const torsh_tensor_t *t, torsh_dtype_t dtype,
                                      torsh_error_t **err) {
    RT_WITH_ERROR(torsh_cast(t, dtype));
}

/* dst = src broadcast to dst's shape, converted to dst's dtype. */
static torsh_status_t assign(const char *fn, rt_tensor_t *dst, rt_tensor_t *src) {
    if (dst->requires_grad && rt_grad_enabled())
        return rt_fail_at(fn, TORSH_ERR_INVALID_ARGUMENT,
                          "a tensor that requires grad cannot be written in place outside a "
                          "no_grad section (torsh_no_grad_begin)");
    int64_t shape[TORSH_MAX_NDIM];
    int ndim;
    torsh_status_t st = rt_broadcast_shape(fn, dst, src, shape, &ndim);
    if (st == TORSH_OK && (ndim != dst->ndim ||
                           memcmp(shape, rt_shape(dst), (size_t)ndim * sizeof(int64_t)) != 0)) {
        char a[256], b[256];
        return rt_fail_at(fn, TORSH_ERR_SHAPE_MISMATCH, "cannot copy %s into %s",
                          rt_shape_str(rt_shape(src), src->ndim, a, sizeof a),
                          rt_shape_str(rt_shape(dst), dst->ndim, b, sizeof b));
    }
    if (st == TORSH_OK && cast_op[dst->dtype] < 0)
        return rt_fail_at(fn, TORSH_ERR_DTYPE, "cannot write u8 tensors: u8 is a storage type");
    if (st == TORSH_OK)
        st = rt_run_elementwise(fn, (rt_ew_op_t)cast_op[dst->dtype], src->dtype, &dst, 1, &src, 1);
    return st;
}

torsh_status_t torsh_fill(torsh_tensor_t *t, double value) {
    rt_tensor_t *x, *v;
    torsh_status_t st = rt_get_tensor(__func__, t, &x);
    if (st == TORSH_OK) st = rt_scalar(__func__, value, TORSH_F64, &v);
    if (st != TORSH_OK) return st;
    st = assign(__func__, x, v);
    rt_tensor_unref(v);
    return st;
}

torsh_status_t torsh_fill_with_error(torsh_tensor_t *t, double value, torsh_error_t **err) {
    RT_STATUS_WITH_ERROR(torsh_fill(t, value));
}

torsh_status_t torsh_copy(torsh_tensor_t *dst, const torsh_tensor_t *src) {
    rt_tensor_t *d, *s;
    torsh_status_t st = rt_get_tensor(__func__, dst, &d);
    if (st == TORSH_OK) st = rt_get_tensor(__func__, src, &s);
    return st == TORSH_OK ? assign(__func__, d, s) : st;
}

torsh_status_t torsh_copy_with_error(torsh_tensor_t *dst, const torsh_tensor_t *src,
                                     torsh_error_t **err) {
    RT_STATUS_WITH_ERROR(torsh_copy(dst, src));
}
