/*
 * test_ops.c: the tensor API from C: ops on known small values (broadcasting, promotion,
 * views), autograd against analytic gradients, modules, optimizers, and the errors of
 * each. Expected values were computed by hand and cross-checked with PyTorch.
 *
 * Every test ends with nothing live: results, gradients, modules, parameter lists and
 * optimizers are all given back (valgrind and ASan run this program too).
 */
#include "harness.h"

#include <math.h> /* NAN, INFINITY (macros only: the program does not link libm) */

/* ------------------------------------------------------------ helpers */

/* SHAPE(2, 3) is the two arguments `shape, ndim` of a torsh function. */
#define SHAPE(...)                    \
    ((const int64_t[]){__VA_ARGS__}), \
        (int)(sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t))

static torsh_tensor_t *tf32(const float *values, const int64_t *shape, int ndim) {
    return torsh_tensor_from_array(values, shape, ndim, TORSH_F32);
}

static torsh_tensor_t *scalar_f32(float value) {
    return torsh_tensor_from_array(&value, NULL, 0, TORSH_F32);
}

/* A leaf f32 tensor that requires grad. */
static torsh_tensor_t *leaf(const float *values, const int64_t *shape, int ndim) {
    torsh_tensor_t *t = tf32(values, shape, ndim);
    CHECK_OK(torsh_tensor_set_requires_grad(t, true));
    return t;
}

static double absd(double x) { return x < 0 ? -x : x; }

/* Element i (row-major order) of any tensor, views included, as a double. */
static double elem(const torsh_tensor_t *t, int64_t i) {
    int ndim = torsh_tensor_ndim(t);
    const int64_t *shape = torsh_tensor_shape(t), *strides = torsh_tensor_strides(t);
    int64_t off = 0;
    for (int k = ndim - 1; k >= 0; k--) {
        off += (i % shape[k]) * strides[k];
        i /= shape[k];
    }
    const char *p = torsh_tensor_data_ptr(t);
    switch (torsh_tensor_dtype(t)) {
    case TORSH_F32: return ((const float *)p)[off];
    case TORSH_F64: return ((const double *)p)[off];
    case TORSH_I32: return ((const int32_t *)p)[off];
    case TORSH_I64: return (double)((const int64_t *)p)[off];
    case TORSH_BOOL: return ((const uint8_t *)p)[off];
    case TORSH_I8: return ((const int8_t *)p)[off];
    case TORSH_U8: return ((const uint8_t *)p)[off];
    default: return NAN;
    }
}

/* t holds exactly n elements equal to expected[] within tol (relative above 1). */
static void check_values(const char *file, int line, const char *expr, const torsh_tensor_t *t,
                         const double *expected, int64_t n, double tol) {
    if (t == NULL) {
        th_failed_checks++;
        fprintf(stderr, "%s:%d: %s is NULL; last error: %s\n", file, line, expr,
                torsh_last_error_message());
        return;
    }
    if (torsh_tensor_numel(t) != n) {
        th_failed_checks++;
        fprintf(stderr, "%s:%d: %s has %lld elements, expected %lld\n", file, line, expr,
                (long long)torsh_tensor_numel(t), (long long)n);
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        double a = elem(t, i), e = expected[i];
        double scale = absd(e) > 1 ? absd(e) : 1;
        if (!(absd(a - e) <= tol * scale)) {
            th_failed_checks++;
            fprintf(stderr, "%s:%d: %s[%lld] == %.9g, expected %.9g\n", file, line, expr,
                    (long long)i, a, e);
        }
    }
}

#define TOL 1e-5
#define CHECK_VALUES(t, ...)                                                              \
    do {                                                                                  \
        const double e_[] = {__VA_ARGS__};                                                \
        check_values(__FILE__, __LINE__, #t, (t), e_, (int64_t)(sizeof e_ / sizeof *e_), TOL); \
    } while (0)

static void check_shape(const char *file, int line, const char *expr, const torsh_tensor_t *t,
                        const int64_t *shape, int ndim) {
    int actual = torsh_tensor_ndim(t);
    bool same = actual == ndim;
    for (int k = 0; same && k < ndim; k++) same = torsh_tensor_shape(t)[k] == shape[k];
    if (!same) {
        th_failed_checks++;
        fprintf(stderr, "%s:%d: %s has the wrong shape (ndim %d)\n", file, line, expr, actual);
    }
}

#define CHECK_SHAPE(t, ...) check_shape(__FILE__, __LINE__, #t, (t), SHAPE(__VA_ARGS__))
#define CHECK_SCALAR(t) CHECK_EQ(torsh_tensor_ndim(t), 0)

/* A call returning a pointer fails with `code` as the thread's last error. */
#define CHECK_FAILS(call, code)          \
    do {                                 \
        torsh_clear_error();             \
        const void *f_ = (call);         \
        CHECK(f_ == NULL);               \
        CHECK_LAST_ERROR(code);          \
    } while (0)

/* Releases every tensor listed (NULL entries are no-ops). */
#define RELEASE(...)                                           \
    do {                                                       \
        torsh_tensor_t *r_[] = {__VA_ARGS__};                  \
        for (size_t i_ = 0; i_ < sizeof r_ / sizeof *r_; i_++) \
            CHECK_OK(torsh_tensor_release(r_[i_]));            \
    } while (0)

/* The gradient of t checked against the values (and released). */
#define CHECK_GRAD(t, ...)                     \
    do {                                       \
        torsh_tensor_t *g_ = torsh_tensor_grad(t); \
        CHECK_VALUES(g_, __VA_ARGS__);         \
        torsh_tensor_release(g_);              \
    } while (0)

/* loss = sum(t) as a backward seed; backward, then the loss is released. */
static void backward_sum(torsh_tensor_t *t) {
    torsh_tensor_t *loss = torsh_sum(t);
    CHECK(loss != NULL);
    CHECK_OK(torsh_backward(loss, false));
    torsh_tensor_release(loss);
}

/* ------------------------------------------------------------ elementwise ops */

static void test_elementwise_broadcasting(void) {
    torsh_tensor_t *a = tf32((const float[]){0, 1, 2, 3, 4, 5}, SHAPE(2, 3));
    torsh_tensor_t *b = tf32((const float[]){10, 20, 30}, SHAPE(3));
    torsh_tensor_t *e = tf32((const float[]){1, 2, 3}, SHAPE(3));

    torsh_tensor_t *sum = torsh_add(a, b), *diff = torsh_sub(a, b), *prod = torsh_mul(a, b);
    torsh_tensor_t *quot = torsh_div(a, b), *power = torsh_pow(a, e);
    CHECK_SHAPE(sum, 2, 3);
    CHECK_VALUES(sum, 10, 21, 32, 13, 24, 35);
    CHECK_VALUES(diff, -10, -19, -28, -7, -16, -25);
    CHECK_VALUES(prod, 0, 20, 60, 30, 80, 150);
    CHECK_VALUES(quot, 0, 0.05, 2.0 / 30, 0.3, 0.2, 5.0 / 30);
    CHECK_VALUES(power, 0, 1, 8, 3, 16, 125);
    CHECK_SHAPE(power, 2, 3);
    CHECK_EQ(torsh_tensor_dtype(sum), TORSH_F32);
    CHECK_EQ(torsh_tensor_is_contiguous(sum), 1);
    /* (3,) on the left broadcasts the same way. */
    torsh_tensor_t *rsub = torsh_sub(b, a);
    CHECK_SHAPE(rsub, 2, 3);
    CHECK_VALUES(rsub, 10, 19, 28, 7, 16, 25);

    /* (2, 1) with (1, 3) -> (2, 3) */
    torsh_tensor_t *col = tf32((const float[]){1, 2}, SHAPE(2, 1));
    torsh_tensor_t *row = tf32((const float[]){10, 20, 30}, SHAPE(1, 3));
    torsh_tensor_t *outer = torsh_add(col, row), *outer_mul = torsh_mul(row, col);
    CHECK_SHAPE(outer, 2, 3);
    CHECK_VALUES(outer, 11, 21, 31, 12, 22, 32);
    CHECK_SHAPE(outer_mul, 2, 3);
    CHECK_VALUES(outer_mul, 10, 20, 30, 20, 40, 60);

    /* A 0-d operand. */
    torsh_tensor_t *two = scalar_f32(2), *twice = torsh_mul(a, two);
    CHECK_SHAPE(twice, 2, 3);
    CHECK_VALUES(twice, 0, 2, 4, 6, 8, 10);

    /* Non-contiguous operands: a transposed view and a stride-0 (expanded) view. */
    torsh_tensor_t *at = torsh_transpose(a, 0, 1); /* (3, 2): 0 3 / 1 4 / 2 5 */
    torsh_tensor_t *c2 = tf32((const float[]){100, 200}, SHAPE(2));
    torsh_tensor_t *tsum = torsh_add(at, c2);
    CHECK_SHAPE(tsum, 3, 2);
    CHECK_VALUES(tsum, 100, 203, 101, 204, 102, 205);
    const int64_t expand_shape[] = {2, 3}, expand_strides[] = {0, 1};
    torsh_tensor_t *expanded = torsh_tensor_view(b, expand_shape, expand_strides, 2, 0);
    CHECK_EQ(torsh_tensor_is_contiguous(expanded), 0);
    torsh_tensor_t *esum = torsh_add(expanded, a);
    CHECK_VALUES(esum, 10, 21, 32, 13, 24, 35);

    /* Shapes that do not broadcast: the message names both. */
    torsh_tensor_t *four = tf32((const float[]){1, 2, 3, 4}, SHAPE(4));
    CHECK_FAILS(torsh_add(a, four), TORSH_ERR_SHAPE_MISMATCH);
    CHECK(strstr(torsh_last_error_message(), "(2, 3)") != NULL);
    CHECK(strstr(torsh_last_error_message(), "(4,)") != NULL);
    CHECK_FAILS(torsh_mul(four, b), TORSH_ERR_SHAPE_MISMATCH);

    RELEASE(a, b, e, sum, diff, prod, quot, power, rsub, col, row, outer, outer_mul, two, twice,
            at, c2, tsum, expanded, esum, four);
    th_check_nothing_live(__func__);
}

static void test_type_promotion(void) {
    torsh_tensor_t *i = torsh_tensor_from_array((const int32_t[]){1, 2, 3}, SHAPE(3), TORSH_I32);
    torsh_tensor_t *f = tf32((const float[]){0.5f, 0.5f, 0.5f}, SHAPE(3));
    torsh_tensor_t *sum = torsh_add(i, f);
    CHECK_EQ(torsh_tensor_dtype(sum), TORSH_F32);
    CHECK_VALUES(sum, 1.5, 2.5, 3.5);

    /* Integer true division gives f32. */
    torsh_tensor_t *n = torsh_tensor_from_array((const int64_t[]){1, 3, 5}, SHAPE(3), TORSH_I64);
    torsh_tensor_t *d = torsh_tensor_from_array((const int64_t[]){2, 2, 2}, SHAPE(3), TORSH_I64);
    torsh_tensor_t *q = torsh_div(n, d);
    CHECK_EQ(torsh_tensor_dtype(q), TORSH_F32);
    CHECK_VALUES(q, 0.5, 1.5, 2.5);
    /* Integer arithmetic stays integer; the wider integer wins. */
    torsh_tensor_t *isum = torsh_add(n, i), *iprod = torsh_mul(i, i);
    CHECK_EQ(torsh_tensor_dtype(isum), TORSH_I64);
    CHECK_VALUES(isum, 2, 5, 8);
    CHECK_EQ(torsh_tensor_dtype(iprod), TORSH_I32);
    CHECK_VALUES(iprod, 1, 4, 9);
    /* f32 with f64 gives f64. */
    torsh_tensor_t *w = torsh_tensor_from_array((const double[]){0.25, 0.25, 0.25}, SHAPE(3),
                                                TORSH_F64);
    torsh_tensor_t *fw = torsh_add(f, w);
    CHECK_EQ(torsh_tensor_dtype(fw), TORSH_F64);
    CHECK_VALUES(fw, 0.75, 0.75, 0.75);
    /* A 0-d float operand makes an integer tensor float; a 0-d integer one does not
     * widen a float tensor. */
    torsh_tensor_t *half = scalar_f32(0.5f), *ih = torsh_mul(i, half);
    CHECK_EQ(torsh_tensor_dtype(ih), TORSH_F32);
    CHECK_VALUES(ih, 0.5, 1, 1.5);
    int64_t seven = 7;
    torsh_tensor_t *s64 = torsh_tensor_from_array(&seven, NULL, 0, TORSH_I64);
    torsh_tensor_t *fs = torsh_add(f, s64);
    CHECK_EQ(torsh_tensor_dtype(fs), TORSH_F32);
    CHECK_VALUES(fs, 7.5, 7.5, 7.5);

    RELEASE(i, f, sum, n, d, q, isum, iprod, w, fw, half, ih, s64, fs);
    th_check_nothing_live(__func__);
}

static void test_unary_ops(void) {
    torsh_tensor_t *x = tf32((const float[]){-1, 0, 1, 2}, SHAPE(4));
    torsh_tensor_t *neg = torsh_neg(x), *ex = torsh_exp(x), *th = torsh_tanh(x);
    torsh_tensor_t *sg = torsh_sigmoid(x), *re = torsh_relu(x), *ge = torsh_gelu(x);
    CHECK_VALUES(neg, 1, 0, -1, -2);
    CHECK_VALUES(ex, 0.3678794, 1, 2.7182818, 7.3890561);
    CHECK_VALUES(th, -0.7615942, 0, 0.7615942, 0.9640276);
    CHECK_VALUES(sg, 0.2689414, 0.5, 0.7310586, 0.8807971);
    CHECK_VALUES(re, 0, 0, 1, 2);
    CHECK_VALUES(ge, -0.1586553, 0, 0.8413447, 1.9544997); /* the exact (erf) form */
    CHECK_SHAPE(ge, 4);

    torsh_tensor_t *y = tf32((const float[]){1, 4, 9, 2.7182818f}, SHAPE(2, 2));
    torsh_tensor_t *lg = torsh_log(y), *sq = torsh_sqrt(y);
    CHECK_SHAPE(lg, 2, 2);
    CHECK_VALUES(lg, 0, 1.3862944, 2.1972246, 1);
    CHECK_VALUES(sq, 1, 2, 3, 1.6487213);

    /* neg and relu keep integer dtypes; the others compute in f32. */
    torsh_tensor_t *i = torsh_tensor_from_array((const int32_t[]){-2, 0, 3}, SHAPE(3), TORSH_I32);
    torsh_tensor_t *ineg = torsh_neg(i), *irelu = torsh_relu(i), *iexp = torsh_exp(i);
    torsh_tensor_t *isqrt = torsh_sqrt(i);
    CHECK_EQ(torsh_tensor_dtype(ineg), TORSH_I32);
    CHECK_VALUES(ineg, 2, 0, -3);
    CHECK_EQ(torsh_tensor_dtype(irelu), TORSH_I32);
    CHECK_VALUES(irelu, 0, 0, 3);
    CHECK_EQ(torsh_tensor_dtype(iexp), TORSH_F32);
    CHECK_VALUES(iexp, 0.1353353, 1, 20.0855369);
    CHECK_EQ(torsh_tensor_dtype(isqrt), TORSH_F32);
    CHECK(elem(isqrt, 0) != elem(isqrt, 0)); /* sqrt(-2) is NaN */

    /* f64 stays f64; a transposed input works. */
    torsh_tensor_t *d = torsh_tensor_from_array((const double[]){1, 2, 3, 4}, SHAPE(2, 2),
                                                TORSH_F64);
    torsh_tensor_t *dt = torsh_transpose(d, 0, 1), *dneg = torsh_neg(dt);
    CHECK_EQ(torsh_tensor_dtype(dneg), TORSH_F64);
    CHECK_VALUES(dneg, -1, -3, -2, -4);

    RELEASE(x, neg, ex, th, sg, re, ge, y, lg, sq, i, ineg, irelu, iexp, isqrt, d, dt, dneg);
    th_check_nothing_live(__func__);
}

/* ------------------------------------------------------------ matmul */

static void test_matmul(void) {
    torsh_tensor_t *a = tf32((const float[]){0, 1, 2, 3, 4, 5}, SHAPE(2, 3));
    torsh_tensor_t *b = tf32((const float[]){1, 2, 3, 4, 5, 6}, SHAPE(3, 2));
    torsh_tensor_t *v = tf32((const float[]){1, 1, 1}, SHAPE(3));

    torsh_tensor_t *ab = torsh_matmul(a, b);
    CHECK_SHAPE(ab, 2, 2);
    CHECK_VALUES(ab, 13, 16, 40, 52);
    /* 1-d @ 2-d and 2-d @ 1-d: the added dim is removed. */
    torsh_tensor_t *vb = torsh_matmul(v, b), *av = torsh_matmul(a, v);
    CHECK_SHAPE(vb, 2);
    CHECK_VALUES(vb, 9, 12);
    CHECK_SHAPE(av, 2);
    CHECK_VALUES(av, 3, 12);
    /* 1-d @ 1-d is a dot product (0-d). */
    torsh_tensor_t *vv = torsh_matmul(v, v);
    CHECK_SCALAR(vv);
    CHECK_VALUES(vv, 3);

    /* Batched (2, 2, 3) @ (3, 2): the matrix broadcasts over the batch. */
    torsh_tensor_t *x = tf32((const float[]){0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, SHAPE(2, 2, 3));
    torsh_tensor_t *xb = torsh_matmul(x, b);
    CHECK_SHAPE(xb, 2, 2, 2);
    CHECK_VALUES(xb, 13, 16, 40, 52, 67, 88, 94, 124);
    /* (3, 2) @ (2, 2, 3) broadcasts the other way. */
    torsh_tensor_t *bx = torsh_matmul(b, x);
    CHECK_SHAPE(bx, 2, 3, 3);
    CHECK_VALUES(bx, 6, 9, 12, 12, 19, 26, 18, 29, 40, 24, 27, 30, 54, 61, 68, 84, 95, 106);

    /* Transposed (non-contiguous) operands: B^T @ A^T = (A @ B)^T. */
    torsh_tensor_t *bt = torsh_transpose(b, 0, 1), *at = torsh_transpose(a, 0, 1);
    CHECK_EQ(torsh_tensor_is_contiguous(at), 0);
    torsh_tensor_t *btat = torsh_matmul(bt, at);
    CHECK_SHAPE(btat, 2, 2);
    CHECK_VALUES(btat, 13, 40, 16, 52);
    torsh_tensor_t *ata = torsh_matmul(at, a); /* (3, 2) @ (2, 3) */
    CHECK_SHAPE(ata, 3, 3);
    CHECK_VALUES(ata, 9, 12, 15, 12, 17, 22, 15, 22, 29);

    /* f64, and i32 with f32 (promoted to f32). */
    torsh_tensor_t *d = torsh_tensor_from_array((const double[]){1, 2, 3, 4}, SHAPE(2, 2),
                                                TORSH_F64);
    torsh_tensor_t *dd = torsh_matmul(d, d);
    CHECK_EQ(torsh_tensor_dtype(dd), TORSH_F64);
    CHECK_VALUES(dd, 7, 10, 15, 22);
    torsh_tensor_t *iv = torsh_tensor_from_array((const int32_t[]){1, 0, 2}, SHAPE(3), TORSH_I32);
    torsh_tensor_t *ivb = torsh_matmul(iv, b);
    CHECK_EQ(torsh_tensor_dtype(ivb), TORSH_F32);
    CHECK_VALUES(ivb, 11, 14);
    /* Integer-only operands and 0-d operands are refused. */
    CHECK_FAILS(torsh_matmul(iv, iv), TORSH_ERR_DTYPE);
    torsh_tensor_t *s = scalar_f32(2);
    CHECK_FAILS(torsh_matmul(s, a), TORSH_ERR_SHAPE_MISMATCH);

    RELEASE(a, b, v, ab, vb, av, vv, x, xb, bx, bt, at, btat, ata, d, dd, iv, ivb, s);
    th_check_nothing_live(__func__);
}

static void test_matmul_error_message(void) {
    torsh_tensor_t *a = torsh_tensor_zeros(SHAPE(2, 3), TORSH_F32);
    torsh_tensor_t *b = torsh_tensor_zeros(SHAPE(4, 5), TORSH_F32);
    torsh_error_t *err = NULL;
    CHECK(torsh_matmul_with_error(a, b, &err) == NULL);
    CHECK_EQ(torsh_error_code(err), TORSH_ERR_SHAPE_MISMATCH);
    const char *msg = torsh_error_message(err);
    CHECK(msg != NULL && strstr(msg, "(2, 3)") != NULL && strstr(msg, "(4, 5)") != NULL);
    CHECK(msg != NULL && strstr(msg, "torsh_matmul") != NULL);
    torsh_error_free(err);
    /* The plain function reports the same through the last error. */
    CHECK_FAILS(torsh_matmul(a, b), TORSH_ERR_SHAPE_MISMATCH);
    CHECK(strstr(torsh_last_error_message(), "(2, 3)") != NULL);
    CHECK(strstr(torsh_last_error_message(), "(4, 5)") != NULL);
    /* Batch dims that do not broadcast. */
    torsh_tensor_t *x = torsh_tensor_zeros(SHAPE(2, 2, 3), TORSH_F32);
    torsh_tensor_t *y = torsh_tensor_zeros(SHAPE(3, 3, 2), TORSH_F32);
    CHECK_FAILS(torsh_matmul(x, y), TORSH_ERR_SHAPE_MISMATCH);
    RELEASE(a, b, x, y);
    th_check_nothing_live(__func__);
}

/* ------------------------------------------------------------ reductions */

static void test_reductions(void) {
    torsh_tensor_t *x = tf32((const float[]){0, 1, 2, 3, 4, 5}, SHAPE(2, 3));
    torsh_tensor_t *s = torsh_sum(x), *m = torsh_mean(x), *mx = torsh_max(x);
    CHECK_SCALAR(s);
    CHECK_VALUES(s, 15);
    CHECK_SCALAR(m);
    CHECK_VALUES(m, 2.5);
    CHECK_SCALAR(mx);
    CHECK_VALUES(mx, 5);
    CHECK_EQ(torsh_tensor_dtype(s), TORSH_F32);

    torsh_tensor_t *s0 = torsh_sum_dim(x, 0, false), *s1k = torsh_sum_dim(x, 1, true);
    torsh_tensor_t *sm1 = torsh_sum_dim(x, -1, false), *sm2k = torsh_sum_dim(x, -2, true);
    CHECK_SHAPE(s0, 3);
    CHECK_VALUES(s0, 3, 5, 7);
    CHECK_SHAPE(s1k, 2, 1);
    CHECK_VALUES(s1k, 3, 12);
    CHECK_SHAPE(sm1, 2);
    CHECK_VALUES(sm1, 3, 12);
    CHECK_SHAPE(sm2k, 1, 3);
    CHECK_VALUES(sm2k, 3, 5, 7);

    torsh_tensor_t *m0 = torsh_mean_dim(x, 0, false), *m1k = torsh_mean_dim(x, -1, true);
    CHECK_SHAPE(m0, 3);
    CHECK_VALUES(m0, 1.5, 2.5, 3.5);
    CHECK_SHAPE(m1k, 2, 1);
    CHECK_VALUES(m1k, 1, 4);

    torsh_tensor_t *y = tf32((const float[]){3, -1, 7, 2, 9, -4}, SHAPE(2, 3));
    torsh_tensor_t *x1 = torsh_max_dim(y, 1, false), *x0k = torsh_max_dim(y, 0, true);
    torsh_tensor_t *xm1k = torsh_max_dim(y, -1, true), *ymax = torsh_max(y);
    CHECK_SHAPE(x1, 2);
    CHECK_VALUES(x1, 7, 9);
    CHECK_SHAPE(x0k, 1, 3);
    CHECK_VALUES(x0k, 3, 9, 7);
    CHECK_SHAPE(xm1k, 2, 1);
    CHECK_VALUES(xm1k, 7, 9);
    CHECK_VALUES(ymax, 9);

    /* A transposed input. */
    torsh_tensor_t *yt = torsh_transpose(y, 0, 1), *yt0 = torsh_sum_dim(yt, 0, false);
    torsh_tensor_t *yt1 = torsh_max_dim(yt, 1, false);
    CHECK_VALUES(yt0, 9, 7);
    CHECK_VALUES(yt1, 3, 9, 7);

    /* Integer sums are i64; max keeps the dtype; mean needs floats. */
    torsh_tensor_t *i = torsh_tensor_from_array((const int32_t[]){1, 2, 3, 4}, SHAPE(2, 2),
                                                TORSH_I32);
    torsh_tensor_t *is = torsh_sum(i), *is0 = torsh_sum_dim(i, 0, false), *imax = torsh_max(i);
    CHECK_EQ(torsh_tensor_dtype(is), TORSH_I64);
    CHECK_VALUES(is, 10);
    CHECK_EQ(torsh_tensor_dtype(is0), TORSH_I64);
    CHECK_VALUES(is0, 4, 6);
    CHECK_EQ(torsh_tensor_dtype(imax), TORSH_I32);
    CHECK_VALUES(imax, 4);
    CHECK_FAILS(torsh_mean(i), TORSH_ERR_DTYPE);
    CHECK_FAILS(torsh_mean_dim(i, 0, false), TORSH_ERR_DTYPE);

    /* Dims out of range; max of nothing. */
    CHECK_FAILS(torsh_sum_dim(x, 2, false), TORSH_ERR_INDEX);
    CHECK_FAILS(torsh_mean_dim(x, -3, true), TORSH_ERR_INDEX);
    CHECK_FAILS(torsh_max_dim(x, 5, false), TORSH_ERR_INDEX);
    torsh_tensor_t *empty = torsh_tensor_zeros(SHAPE(0), TORSH_F32);
    CHECK_FAILS(torsh_max(empty), TORSH_ERR_INVALID_ARGUMENT);
    torsh_tensor_t *esum = torsh_sum(empty);
    CHECK_VALUES(esum, 0);

    RELEASE(x, s, m, mx, s0, s1k, sm1, sm2k, m0, m1k, y, x1, x0k, xm1k, ymax, yt, yt0, yt1, i, is,
            is0, imax, empty, esum);
    th_check_nothing_live(__func__);
}

static void test_softmax(void) {
    torsh_tensor_t *x = tf32((const float[]){1, 2, 3, 1, 1, 1}, SHAPE(2, 3));
    torsh_tensor_t *sm = torsh_softmax(x, -1), *lsm = torsh_log_softmax(x, 1);
    CHECK_SHAPE(sm, 2, 3);
    CHECK_VALUES(sm, 0.0900306, 0.2447285, 0.6652410, 1.0 / 3, 1.0 / 3, 1.0 / 3);
    CHECK_VALUES(lsm, -2.4076059, -1.4076059, -0.4076059, -1.0986123, -1.0986123, -1.0986123);
    torsh_tensor_t *rows = torsh_sum_dim(sm, 1, false);
    CHECK_VALUES(rows, 1, 1);
    /* exp(log_softmax) rows sum to 1 too. */
    torsh_tensor_t *elsm = torsh_exp(lsm), *erows = torsh_sum_dim(elsm, -1, false);
    CHECK_VALUES(erows, 1, 1);
    /* Along dim 0: the columns sum to 1. */
    torsh_tensor_t *sm0 = torsh_softmax(x, 0), *cols = torsh_sum_dim(sm0, 0, false);
    CHECK_VALUES(sm0, 0.5, 0.7310586, 0.8807971, 0.5, 0.2689414, 0.1192029);
    CHECK_VALUES(cols, 1, 1, 1);
    /* Large logits do not overflow. */
    torsh_tensor_t *big = tf32((const float[]){1000, 1000}, SHAPE(2));
    torsh_tensor_t *bsm = torsh_softmax(big, 0);
    CHECK_VALUES(bsm, 0.5, 0.5);
    /* Float dtypes only; dims in range. */
    torsh_tensor_t *i = torsh_tensor_from_array((const int32_t[]){1, 2}, SHAPE(2), TORSH_I32);
    CHECK_FAILS(torsh_softmax(i, 0), TORSH_ERR_DTYPE);
    CHECK_FAILS(torsh_log_softmax(x, 2), TORSH_ERR_INDEX);
    RELEASE(x, sm, lsm, rows, elsm, erows, sm0, cols, big, bsm, i);
    th_check_nothing_live(__func__);
}

/* ------------------------------------------------------------ shapes, casts, copies */

static void test_shapes_and_views(void) {
    torsh_tensor_t *x = tf32((const float[]){0, 1, 2, 3, 4, 5}, SHAPE(2, 3));
    torsh_tensor_t *r = torsh_reshape(x, SHAPE(3, -1));
    CHECK_SHAPE(r, 3, 2);
    CHECK_VALUES(r, 0, 1, 2, 3, 4, 5);
    CHECK(torsh_tensor_data_ptr(r) == torsh_tensor_data_ptr(x)); /* a view */
    torsh_tensor_t *flat = torsh_reshape(x, SHAPE(-1));
    CHECK_SHAPE(flat, 6);
    CHECK_FAILS(torsh_reshape(x, SHAPE(4, -1)), TORSH_ERR_SHAPE_MISMATCH);
    CHECK_FAILS(torsh_reshape(x, SHAPE(5)), TORSH_ERR_SHAPE_MISMATCH);

    torsh_tensor_t *t = torsh_transpose(x, 0, 1);
    CHECK_SHAPE(t, 3, 2);
    CHECK_EQ(torsh_tensor_is_contiguous(t), 0);
    CHECK_EQ(torsh_tensor_strides(t)[0], 1);
    CHECK_EQ(torsh_tensor_strides(t)[1], 3);
    CHECK(torsh_tensor_data_ptr(t) == torsh_tensor_data_ptr(x));
    CHECK_VALUES(t, 0, 3, 1, 4, 2, 5);
    torsh_tensor_t *tneg = torsh_transpose(x, -1, -2);
    CHECK_SHAPE(tneg, 3, 2);
    CHECK_FAILS(torsh_transpose(x, 0, 2), TORSH_ERR_INDEX);

    /* contiguous of a transposed view copies; of a contiguous tensor it is the tensor. */
    torsh_tensor_t *c = torsh_contiguous(t);
    CHECK_EQ(torsh_tensor_is_contiguous(c), 1);
    CHECK(torsh_tensor_data_ptr(c) != torsh_tensor_data_ptr(x));
    const float *cd = torsh_tensor_data_ptr(c);
    CHECK(cd[0] == 0 && cd[1] == 3 && cd[2] == 1 && cd[3] == 4 && cd[4] == 2 && cd[5] == 5);
    torsh_tensor_t *same = torsh_contiguous(x);
    CHECK(same == x);
    CHECK_EQ(torsh_tensor_refcount(x), 2);
    /* reshape of a non-contiguous view copies in row-major order. */
    torsh_tensor_t *rt = torsh_reshape(t, SHAPE(6));
    CHECK_VALUES(rt, 0, 3, 1, 4, 2, 5);
    /* A 3-d transpose of the outer dims. */
    torsh_tensor_t *x3 = torsh_reshape(x, SHAPE(1, 2, 3)), *t3 = torsh_transpose(x3, 0, 1);
    CHECK_SHAPE(t3, 2, 1, 3);
    torsh_tensor_t *c3 = torsh_contiguous(t3);
    CHECK_VALUES(c3, 0, 1, 2, 3, 4, 5);

    RELEASE(x, r, flat, t, tneg, c, same, rt, x3, t3, c3);
    th_check_nothing_live(__func__);
}

static void test_cast_fill_copy(void) {
    torsh_tensor_t *f = tf32((const float[]){1.7f, -1.7f, 0.0f, 2.5f, NAN}, SHAPE(5));
    torsh_tensor_t *i = torsh_cast(f, TORSH_I32), *b = torsh_cast(f, TORSH_BOOL);
    torsh_tensor_t *i64 = torsh_cast(f, TORSH_I64), *d = torsh_cast(f, TORSH_F64);
    CHECK_EQ(torsh_tensor_dtype(i), TORSH_I32);
    CHECK_VALUES(i, 1, -1, 0, 2, 0); /* truncation; NaN -> 0 */
    CHECK_EQ(torsh_tensor_dtype(b), TORSH_BOOL);
    CHECK_VALUES(b, 1, 1, 0, 1, 1); /* nonzero (NaN included) -> true */
    CHECK_VALUES(i64, 1, -1, 0, 2, 0);
    CHECK_EQ(torsh_tensor_dtype(d), TORSH_F64);
    CHECK(absd(elem(d, 0) - 1.7) < 1e-6);
    torsh_tensor_t *bf = torsh_cast(b, TORSH_F32);
    CHECK_VALUES(bf, 1, 1, 0, 1, 1);
    torsh_tensor_t *same = torsh_cast(f, TORSH_F32);
    CHECK(same == f);
    /* f16 is a storage type: cast to and from it. */
    torsh_tensor_t *h = torsh_cast(bf, TORSH_F16);
    CHECK_EQ(torsh_tensor_dtype(h), TORSH_F16);
    CHECK_EQ(((const uint16_t *)torsh_tensor_data_ptr(h))[0], 0x3C00); /* 1.0 */
    torsh_tensor_t *hf = torsh_cast(h, TORSH_F32);
    CHECK_VALUES(hf, 1, 1, 0, 1, 1);
    CHECK_FAILS(torsh_cast(f, (torsh_dtype_t)42), TORSH_ERR_DTYPE);
    CHECK_FAILS(torsh_cast(f, TORSH_DTYPE_INVALID), TORSH_ERR_DTYPE);

    /* fill converts the value to the tensor's dtype. */
    torsh_tensor_t *z = torsh_tensor_zeros(SHAPE(2, 2), TORSH_I32);
    CHECK_OK(torsh_fill(z, 3.9));
    CHECK_VALUES(z, 3, 3, 3, 3);
    torsh_tensor_t *g = torsh_tensor_empty(SHAPE(3), TORSH_F64);
    CHECK_OK(torsh_fill(g, -0.25));
    CHECK_VALUES(g, -0.25, -0.25, -0.25);

    /* copy broadcasts src to dst's shape and converts it. */
    torsh_tensor_t *dst = torsh_tensor_zeros(SHAPE(2, 3), TORSH_F32);
    torsh_tensor_t *src = torsh_tensor_from_array((const int32_t[]){1, 2, 3}, SHAPE(3), TORSH_I32);
    CHECK_OK(torsh_copy(dst, src));
    CHECK_VALUES(dst, 1, 2, 3, 1, 2, 3);
    torsh_tensor_t *fsrc = tf32((const float[]){1.9f, -2.9f}, SHAPE(2, 1));
    torsh_tensor_t *idst = torsh_tensor_zeros(SHAPE(2, 2), TORSH_I64);
    CHECK_OK(torsh_copy(idst, fsrc));
    CHECK_VALUES(idst, 1, 1, -2, -2);
    /* Into a view: the base sees the writes. */
    torsh_tensor_t *base = torsh_tensor_zeros(SHAPE(2, 3), TORSH_F32);
    torsh_tensor_t *view = torsh_transpose(base, 0, 1); /* (3, 2) */
    torsh_tensor_t *vals = tf32((const float[]){0, 1, 2, 3, 4, 5}, SHAPE(3, 2));
    CHECK_OK(torsh_copy(view, vals));
    CHECK_VALUES(base, 0, 2, 4, 1, 3, 5);
    CHECK_OK(torsh_fill(view, 8));
    CHECK_VALUES(base, 8, 8, 8, 8, 8, 8);
    /* A copy onto itself is allowed. */
    CHECK_OK(torsh_copy(dst, dst));
    CHECK_VALUES(dst, 1, 2, 3, 1, 2, 3);
    /* src must broadcast to dst's shape exactly. */
    torsh_tensor_t *small = torsh_tensor_zeros(SHAPE(3), TORSH_F32);
    CHECK_STATUS(torsh_copy(small, dst), TORSH_ERR_SHAPE_MISMATCH);
    torsh_tensor_t *four = torsh_tensor_zeros(SHAPE(4), TORSH_F32);
    CHECK_STATUS(torsh_copy(dst, four), TORSH_ERR_SHAPE_MISMATCH);

    RELEASE(f, i, b, i64, d, bf, same, h, hf, z, g, dst, src, fsrc, idst, base, view, vals, small,
            four);
    th_check_nothing_live(__func__);
}

/* ------------------------------------------------------------ losses */

static void test_losses(void) {
    torsh_tensor_t *in = tf32((const float[]){1, 2, 3, 4}, SHAPE(2, 2));
    torsh_tensor_t *ones = tf32((const float[]){1, 1, 1, 1}, SHAPE(2, 2));
    torsh_tensor_t *mse = torsh_mse_loss(in, ones);
    CHECK_SCALAR(mse);
    CHECK_VALUES(mse, 3.5); /* (0 + 1 + 4 + 9) / 4 */
    torsh_tensor_t *flat = tf32((const float[]){1, 1, 1, 1}, SHAPE(4));
    CHECK_FAILS(torsh_mse_loss(in, flat), TORSH_ERR_SHAPE_MISMATCH);

    torsh_tensor_t *logits = tf32((const float[]){1, 2, 3, 1, 1, 1}, SHAPE(2, 3));
    torsh_tensor_t *target = torsh_tensor_from_array((const int64_t[]){2, 0}, SHAPE(2), TORSH_I64);
    torsh_tensor_t *ce = torsh_cross_entropy(logits, target);
    CHECK_SCALAR(ce);
    /* (-log softmax([1,2,3])[2] - log(1/3)) / 2 = (0.4076059 + 1.0986123) / 2 */
    CHECK_VALUES(ce, 0.7531091);
    torsh_tensor_t *t32 = torsh_tensor_from_array((const int32_t[]){2, 0}, SHAPE(2), TORSH_I32);
    torsh_tensor_t *ce32 = torsh_cross_entropy(logits, t32);
    CHECK_VALUES(ce32, 0.7531091);
    /* One sample: 1-d logits with a 0-d target. */
    torsh_tensor_t *one = tf32((const float[]){1, 2, 3}, SHAPE(3));
    int64_t zero = 0;
    torsh_tensor_t *t0 = torsh_tensor_from_array(&zero, NULL, 0, TORSH_I64);
    torsh_tensor_t *ce1 = torsh_cross_entropy(one, t0);
    CHECK_VALUES(ce1, 2.4076059);

    torsh_tensor_t *bad = torsh_tensor_from_array((const int64_t[]){3, 0}, SHAPE(2), TORSH_I64);
    CHECK_FAILS(torsh_cross_entropy(logits, bad), TORSH_ERR_INDEX);
    torsh_tensor_t *negt = torsh_tensor_from_array((const int64_t[]){-1, 0}, SHAPE(2), TORSH_I64);
    CHECK_FAILS(torsh_cross_entropy(logits, negt), TORSH_ERR_INDEX);
    torsh_tensor_t *ftarget = tf32((const float[]){2, 0}, SHAPE(2));
    CHECK_FAILS(torsh_cross_entropy(logits, ftarget), TORSH_ERR_DTYPE);
    torsh_tensor_t *three = torsh_tensor_from_array((const int64_t[]){0, 0, 0}, SHAPE(3),
                                                    TORSH_I64);
    CHECK_FAILS(torsh_cross_entropy(logits, three), TORSH_ERR_SHAPE_MISMATCH);

    RELEASE(in, ones, mse, flat, logits, target, ce, t32, ce32, one, t0, ce1, bad, negt, ftarget,
            three);
    th_check_nothing_live(__func__);
}

/* ------------------------------------------------------------ random tensors */

static void test_random(void) {
    torsh_manual_seed(42);
    torsh_tensor_t *r1 = torsh_tensor_rand(SHAPE(1000), TORSH_F32);
    torsh_tensor_t *n1 = torsh_tensor_randn(SHAPE(10, 100), TORSH_F64);
    torsh_manual_seed(42);
    torsh_tensor_t *r2 = torsh_tensor_rand(SHAPE(1000), TORSH_F32);
    torsh_tensor_t *n2 = torsh_tensor_randn(SHAPE(10, 100), TORSH_F64);
    CHECK(r1 && r2 && n1 && n2);
    CHECK(memcmp(torsh_tensor_data_ptr(r1), torsh_tensor_data_ptr(r2), 1000 * sizeof(float)) == 0);
    CHECK(memcmp(torsh_tensor_data_ptr(n1), torsh_tensor_data_ptr(n2), 1000 * sizeof(double)) == 0);
    CHECK_EQ(torsh_tensor_dtype(n1), TORSH_F64);
    CHECK_SHAPE(n1, 10, 100);

    double sum = 0, nsum = 0, nsq = 0;
    bool in_range = true;
    for (int64_t k = 0; k < 1000; k++) {
        double u = elem(r1, k), z = elem(n1, k);
        in_range &= u >= 0 && u < 1;
        sum += u;
        nsum += z;
        nsq += z * z;
    }
    CHECK(in_range);
    CHECK(sum / 1000 > 0.45 && sum / 1000 < 0.55);
    CHECK(nsum / 1000 > -0.1 && nsum / 1000 < 0.1);
    CHECK(nsq / 1000 > 0.85 && nsq / 1000 < 1.15);

    /* Another seed, another stream. */
    torsh_manual_seed(43);
    torsh_tensor_t *r3 = torsh_tensor_rand(SHAPE(1000), TORSH_F32);
    CHECK(memcmp(torsh_tensor_data_ptr(r1), torsh_tensor_data_ptr(r3), 1000 * sizeof(float)) != 0);
    /* Module initialization follows the seed too. */
    torsh_manual_seed(7);
    torsh_module_t *l1 = torsh_linear_new(3, 2, true);
    torsh_manual_seed(7);
    torsh_module_t *l2 = torsh_linear_new(3, 2, true);
    torsh_params_t *p1 = torsh_module_parameters(l1), *p2 = torsh_module_parameters(l2);
    CHECK(memcmp(torsh_tensor_data_ptr(torsh_params_get(p1, 0)),
                 torsh_tensor_data_ptr(torsh_params_get(p2, 0)), 6 * sizeof(float)) == 0);

    CHECK_FAILS(torsh_tensor_rand(SHAPE(3), TORSH_I32), TORSH_ERR_DTYPE);
    CHECK_FAILS(torsh_tensor_randn(SHAPE(-3), TORSH_F32), TORSH_ERR_INVALID_ARGUMENT);
    torsh_error_t *err = NULL;
    CHECK(torsh_tensor_randn_with_error(SHAPE(3), TORSH_F16, &err) == NULL);
    CHECK_EQ(torsh_error_code(err), TORSH_ERR_DTYPE);
    torsh_error_free(err);
    err = NULL;
    CHECK(torsh_tensor_rand_with_error(SHAPE(3), TORSH_BOOL, &err) == NULL);
    CHECK_EQ(torsh_error_code(err), TORSH_ERR_DTYPE);
    torsh_error_free(err);

    torsh_params_free(p1);
    torsh_params_free(p2);
    torsh_module_free(l1);
    torsh_module_free(l2);
    RELEASE(r1, r2, n1, n2, r3);
    torsh_manual_seed(0);
    th_check_nothing_live(__func__);
}

/* ------------------------------------------------------------ autograd */

static void test_requires_grad(void) {
    torsh_tensor_t *x = tf32((const float[]){1, 2}, SHAPE(2));
    torsh_tensor_t *c = tf32((const float[]){3, 4}, SHAPE(2));
    CHECK_EQ(torsh_tensor_requires_grad(x), 0);
    CHECK_OK(torsh_tensor_set_requires_grad(x, true));
    CHECK_EQ(torsh_tensor_requires_grad(x), 1);
    torsh_tensor_t *y = torsh_mul(x, c), *z = torsh_add(c, c);
    CHECK_EQ(torsh_tensor_requires_grad(y), 1); /* a recorded result */
    CHECK_EQ(torsh_tensor_requires_grad(z), 0); /* no input requires grad */
    /* A recorded result cannot change; integer tensors cannot require grad. */
    CHECK_STATUS(torsh_tensor_set_requires_grad(y, false), TORSH_ERR_INVALID_ARGUMENT);
    torsh_tensor_t *i = torsh_tensor_from_array((const int32_t[]){1, 2}, SHAPE(2), TORSH_I32);
    CHECK_STATUS(torsh_tensor_set_requires_grad(i, true), TORSH_ERR_DTYPE);
    CHECK_OK(torsh_tensor_set_requires_grad(i, false));
    /* No gradient yet: NULL with the last error left alone. */
    torsh_clear_error();
    CHECK(torsh_tensor_grad(x) == NULL);
    CHECK_LAST_ERROR(TORSH_OK);
    /* Clearing the flag of a leaf. */
    CHECK_OK(torsh_tensor_set_requires_grad(c, true));
    CHECK_OK(torsh_tensor_set_requires_grad(c, false));
    CHECK_EQ(torsh_tensor_requires_grad(c), 0);
    /* f64 leaves too. */
    torsh_tensor_t *d = torsh_tensor_zeros(SHAPE(2), TORSH_F64);
    CHECK_OK(torsh_tensor_set_requires_grad(d, true));
    RELEASE(x, c, y, z, i, d);
    th_check_nothing_live(__func__);
}

static void test_grad_polynomial(void) {
    /* loss = sum(x*x + 3x - x/2) -> d/dx = 2x + 2.5 */
    torsh_tensor_t *x = leaf((const float[]){1, 2, 3}, SHAPE(3));
    torsh_tensor_t *three = scalar_f32(3), *two = scalar_f32(2);
    torsh_tensor_t *sq = torsh_mul(x, x), *lin = torsh_mul(three, x), *half = torsh_div(x, two);
    torsh_tensor_t *p = torsh_add(sq, lin), *q = torsh_sub(p, half), *loss = torsh_sum(q);
    CHECK_VALUES(loss, 14 + 18 - 3);
    CHECK_OK(torsh_backward(loss, false));
    CHECK_GRAD(x, 4.5, 6.5, 8.5);
    /* Constants get no gradient. */
    torsh_clear_error();
    CHECK(torsh_tensor_grad(three) == NULL);
    CHECK_LAST_ERROR(TORSH_OK);

    /* pow: d/da a^b = b a^(b-1), d/db a^b = a^b ln a; div: 1/b and -a/b^2. */
    torsh_tensor_t *a = leaf((const float[]){0.5f, 1, 2}, SHAPE(3));
    torsh_tensor_t *b = leaf((const float[]){3, 2, 1.5f}, SHAPE(3));
    torsh_tensor_t *pw = torsh_pow(a, b);
    CHECK_VALUES(pw, 0.125, 1, 2.8284271);
    backward_sum(pw);
    CHECK_GRAD(a, 0.75, 2, 2.1213203);
    CHECK_GRAD(b, -0.0866434, 0, 1.9605163);
    CHECK_OK(torsh_tensor_zero_grad(a));
    CHECK_OK(torsh_tensor_zero_grad(b));
    torsh_tensor_t *dv = torsh_div(a, b);
    backward_sum(dv);
    CHECK_GRAD(a, 1.0 / 3, 0.5, 1 / 1.5);
    CHECK_GRAD(b, -0.0555556, -0.25, -0.8888889);
    /* sub and neg */
    CHECK_OK(torsh_tensor_zero_grad(a));
    CHECK_OK(torsh_tensor_zero_grad(b));
    torsh_tensor_t *na = torsh_neg(a), *d2 = torsh_sub(na, b);
    backward_sum(d2);
    CHECK_GRAD(a, -1, -1, -1);
    CHECK_GRAD(b, -1, -1, -1);

    RELEASE(x, three, two, sq, lin, half, p, q, loss, a, b, pw, dv, na, d2);
    th_check_nothing_live(__func__);
}

static void test_grad_unary(void) {
    const float values[] = {0.5f, 1, 2};
    struct {
        torsh_tensor_t *(*fn)(const torsh_tensor_t *);
        double grad[3];
    } cases[] = {
        {torsh_exp, {1.6487213, 2.7182818, 7.3890561}},
        {torsh_log, {2, 1, 0.5}},
        {torsh_sqrt, {0.7071068, 0.5, 0.3535534}},
        {torsh_tanh, {0.7864477, 0.4199743, 0.0706508}},
        {torsh_sigmoid, {0.2350037, 0.1966119, 0.1049936}},
        {torsh_gelu, {0.8674951, 1.0833155, 1.0852318}},
        {torsh_neg, {-1, -1, -1}},
        {torsh_relu, {1, 1, 1}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        torsh_tensor_t *x = leaf(values, SHAPE(3));
        torsh_tensor_t *y = cases[k].fn(x);
        CHECK_EQ(torsh_tensor_requires_grad(y), 1);
        backward_sum(y);
        torsh_tensor_t *g = torsh_tensor_grad(x);
        check_values(__FILE__, __LINE__, "unary grad", g, cases[k].grad, 3, TOL);
        RELEASE(x, y, g);
    }
    /* relu's gradient is 0 where the input is negative. */
    torsh_tensor_t *x = leaf((const float[]){-1, 2, -3, 4}, SHAPE(4));
    torsh_tensor_t *r = torsh_relu(x);
    backward_sum(r);
    CHECK_GRAD(x, 0, 1, 0, 1);
    RELEASE(x, r);
    th_check_nothing_live(__func__);
}

static void test_grad_accumulation_and_retain_graph(void) {
    torsh_tensor_t *x = leaf((const float[]){1, 2, 3}, SHAPE(3));
    torsh_tensor_t *sq = torsh_mul(x, x), *loss = torsh_sum(sq);
    CHECK_OK(torsh_backward(loss, true));
    CHECK_GRAD(x, 2, 4, 6);
    CHECK_OK(torsh_backward(loss, true)); /* gradients accumulate */
    CHECK_GRAD(x, 4, 8, 12);
    CHECK_OK(torsh_backward(loss, false)); /* the graph was retained: a third one works */
    CHECK_GRAD(x, 6, 12, 18);
    /* ... and frees the graph: once more fails and leaves the gradient alone. */
    CHECK_STATUS(torsh_backward(loss, false), TORSH_ERR_INVALID_ARGUMENT);
    CHECK(strstr(torsh_last_error_message(), "retain_graph") != NULL);
    CHECK_STATUS(torsh_backward(loss, true), TORSH_ERR_INVALID_ARGUMENT);
    CHECK_GRAD(x, 6, 12, 18);

    /* A fresh graph: a second backward without retain_graph fails. */
    CHECK_OK(torsh_tensor_zero_grad(x));
    torsh_tensor_t *e = torsh_exp(x), *loss2 = torsh_mean(e);
    CHECK_OK(torsh_backward(loss2, false));
    CHECK_GRAD(x, 2.7182818 / 3, 7.3890561 / 3, 20.0855369 / 3);
    CHECK_STATUS(torsh_backward(loss2, false), TORSH_ERR_INVALID_ARGUMENT);

    /* The graph keeps what it needs: intermediates released before backward. */
    CHECK_OK(torsh_tensor_zero_grad(x));
    torsh_tensor_t *t1 = torsh_mul(x, x), *t2 = torsh_mul(t1, x); /* x^3 */
    torsh_tensor_release(t1);
    torsh_tensor_t *loss3 = torsh_sum(t2);
    torsh_tensor_release(t2);
    CHECK_OK(torsh_backward(loss3, false));
    CHECK_GRAD(x, 3, 12, 27);

    /* Two losses sharing a leaf add up. */
    CHECK_OK(torsh_tensor_zero_grad(x));
    torsh_tensor_t *s1 = torsh_sum(x), *xx = torsh_mul(x, x), *s2 = torsh_sum(xx);
    CHECK_OK(torsh_backward(s1, false));
    CHECK_OK(torsh_backward(s2, false));
    CHECK_GRAD(x, 3, 5, 7);

    /* A leaf loss: its gradient is 1. */
    torsh_tensor_t *one = scalar_f32(5);
    CHECK_OK(torsh_tensor_set_requires_grad(one, true));
    CHECK_OK(torsh_backward(one, false));
    CHECK_GRAD(one, 1);

    RELEASE(x, sq, loss, e, loss2, loss3, s1, xx, s2, one);
    th_check_nothing_live(__func__);
}

static void test_backward_errors(void) {
    torsh_tensor_t *x = leaf((const float[]){1, 2, 3}, SHAPE(3));
    torsh_tensor_t *y = torsh_mul(x, x);
    CHECK_STATUS(torsh_backward(y, false), TORSH_ERR_INVALID_ARGUMENT); /* not a scalar */
    CHECK(strstr(torsh_last_error_message(), "(3,)") != NULL);
    torsh_tensor_t *c = tf32((const float[]){1, 2}, SHAPE(2)), *cs = torsh_sum(c);
    CHECK_STATUS(torsh_backward(cs, false), TORSH_ERR_INVALID_ARGUMENT); /* no grad */
    /* The failed backward left the graph usable. */
    torsh_tensor_t *loss = torsh_sum(y);
    CHECK_OK(torsh_backward(loss, false));
    CHECK_GRAD(x, 2, 4, 6);
    /* A one-element non-0-d loss is a scalar (on a fresh graph: the backward above freed
     * y's). */
    CHECK_OK(torsh_tensor_zero_grad(x));
    torsh_tensor_t *y2 = torsh_mul(x, x), *k = torsh_sum_dim(y2, 0, true);
    CHECK_SHAPE(k, 1);
    CHECK_OK(torsh_backward(k, false));
    CHECK_GRAD(x, 2, 4, 6);
    RELEASE(x, y, c, cs, loss, y2, k);
    th_check_nothing_live(__func__);
}

static void test_grad_broadcast(void) {
    torsh_tensor_t *a = leaf((const float[]){0, 1, 2, 3, 4, 5}, SHAPE(2, 3));
    torsh_tensor_t *b = leaf((const float[]){10, 20, 30}, SHAPE(3));
    torsh_tensor_t *s = torsh_add(a, b);
    backward_sum(s);
    CHECK_GRAD(a, 1, 1, 1, 1, 1, 1);
    torsh_tensor_t *gb = torsh_tensor_grad(b);
    CHECK_SHAPE(gb, 3); /* summed over the broadcast dim */
    CHECK_VALUES(gb, 2, 2, 2);
    torsh_tensor_release(gb);

    CHECK_OK(torsh_tensor_zero_grad(a));
    CHECK_OK(torsh_tensor_zero_grad(b));
    torsh_tensor_t *m = torsh_mul(a, b);
    backward_sum(m);
    CHECK_GRAD(a, 10, 20, 30, 10, 20, 30);
    CHECK_GRAD(b, 3, 5, 7);

    /* (2, 1) + (1, 3) */
    torsh_tensor_t *col = leaf((const float[]){1, 2}, SHAPE(2, 1));
    torsh_tensor_t *row = leaf((const float[]){10, 20, 30}, SHAPE(1, 3));
    torsh_tensor_t *o = torsh_add(col, row), *om = torsh_mul(o, o); /* (col + row)^2 */
    backward_sum(om);
    torsh_tensor_t *gc = torsh_tensor_grad(col), *gr = torsh_tensor_grad(row);
    CHECK_SHAPE(gc, 2, 1);
    CHECK_VALUES(gc, 2 * (11 + 21 + 31), 2 * (12 + 22 + 32));
    CHECK_SHAPE(gr, 1, 3);
    CHECK_VALUES(gr, 2 * (11 + 12), 2 * (21 + 22), 2 * (31 + 32));
    /* A 0-d leaf against a matrix. */
    torsh_tensor_t *k = scalar_f32(2);
    CHECK_OK(torsh_tensor_set_requires_grad(k, true));
    torsh_tensor_t *ak = torsh_mul(a, k);
    backward_sum(ak);
    torsh_tensor_t *gk = torsh_tensor_grad(k);
    CHECK_SCALAR(gk);
    CHECK_VALUES(gk, 15);
    RELEASE(a, b, s, m, col, row, o, om, gc, gr, k, ak, gk);
    th_check_nothing_live(__func__);
}

static void test_grad_matmul(void) {
    torsh_tensor_t *a = leaf((const float[]){0, 1, 2, 3, 4, 5}, SHAPE(2, 3));
    torsh_tensor_t *b = leaf((const float[]){1, 2, 3, 4, 5, 6}, SHAPE(3, 2));
    torsh_tensor_t *ab = torsh_matmul(a, b);
    backward_sum(ab);
    CHECK_GRAD(a, 3, 7, 11, 3, 7, 11);    /* ones(2, 2) @ B^T */
    CHECK_GRAD(b, 3, 3, 5, 5, 7, 7);      /* A^T @ ones(2, 2) */

    /* 1-d @ 2-d */
    CHECK_OK(torsh_tensor_zero_grad(b));
    torsh_tensor_t *v = leaf((const float[]){1, 1, 1}, SHAPE(3));
    torsh_tensor_t *vb = torsh_matmul(v, b);
    backward_sum(vb);
    torsh_tensor_t *gv = torsh_tensor_grad(v);
    CHECK_SHAPE(gv, 3);
    CHECK_VALUES(gv, 3, 7, 11);
    CHECK_GRAD(b, 1, 1, 1, 1, 1, 1);

    /* Batched (2, 2, 3) @ (3, 2): B's gradient sums over the batch. */
    CHECK_OK(torsh_tensor_zero_grad(b));
    torsh_tensor_t *x = leaf((const float[]){0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
                             SHAPE(2, 2, 3));
    torsh_tensor_t *xb = torsh_matmul(x, b);
    backward_sum(xb);
    CHECK_GRAD(x, 3, 7, 11, 3, 7, 11, 3, 7, 11, 3, 7, 11);
    torsh_tensor_t *gb = torsh_tensor_grad(b);
    CHECK_SHAPE(gb, 3, 2);
    CHECK_VALUES(gb, 18, 18, 22, 22, 26, 26);

    /* A transposed operand: sum(A^T @ W) with W (2, 2). */
    CHECK_OK(torsh_tensor_zero_grad(a));
    torsh_tensor_t *w = tf32((const float[]){1, 2, 3, 4}, SHAPE(2, 2));
    torsh_tensor_t *at = torsh_transpose(a, 0, 1), *atw = torsh_matmul(at, w);
    backward_sum(atw);
    CHECK_GRAD(a, 3, 3, 3, 7, 7, 7);

    /* Weighted: loss = sum((A @ B) * M) with M = [[1, 0], [0, 2]]: dA = M @ B^T. */
    CHECK_OK(torsh_tensor_zero_grad(a));
    CHECK_OK(torsh_tensor_zero_grad(b));
    torsh_tensor_t *mw = tf32((const float[]){1, 0, 0, 2}, SHAPE(2, 2));
    torsh_tensor_t *ab2 = torsh_matmul(a, b), *weighted = torsh_mul(ab2, mw);
    backward_sum(weighted);
    CHECK_GRAD(a, 1, 3, 5, 4, 8, 12);
    CHECK_GRAD(b, 0, 6, 1, 8, 2, 10); /* A^T @ M */

    RELEASE(a, b, ab, v, vb, gv, x, xb, gb, w, at, atw, mw, ab2, weighted);
    th_check_nothing_live(__func__);
}

static void test_grad_reductions(void) {
    torsh_tensor_t *x = leaf((const float[]){1, 5, 2, 7, 3, 6}, SHAPE(2, 3));
    torsh_tensor_t *w2 = tf32((const float[]){1, 2}, SHAPE(2));
    torsh_tensor_t *w2k = tf32((const float[]){1, 2}, SHAPE(2, 1));

    /* sum_dim, both keepdims */
    torsh_tensor_t *s = torsh_sum_dim(x, 1, false), *sw = torsh_mul(s, w2);
    backward_sum(sw);
    CHECK_GRAD(x, 1, 1, 1, 2, 2, 2);
    CHECK_OK(torsh_tensor_zero_grad(x));
    torsh_tensor_t *sk = torsh_sum_dim(x, -1, true), *skw = torsh_mul(sk, w2k);
    backward_sum(skw);
    CHECK_GRAD(x, 1, 1, 1, 2, 2, 2);

    /* max_dim: the gradient goes to the maxima */
    CHECK_OK(torsh_tensor_zero_grad(x));
    torsh_tensor_t *m = torsh_max_dim(x, 1, false), *mw = torsh_mul(m, w2);
    backward_sum(mw);
    CHECK_GRAD(x, 0, 1, 0, 2, 0, 0);
    CHECK_OK(torsh_tensor_zero_grad(x));
    torsh_tensor_t *m0 = torsh_max_dim(x, 0, true);
    backward_sum(m0);
    CHECK_GRAD(x, 0, 1, 0, 1, 0, 1);
    /* max over everything; ties share the gradient */
    torsh_tensor_t *t = leaf((const float[]){1, 3, 3}, SHAPE(3));
    torsh_tensor_t *tm = torsh_max(t);
    CHECK_OK(torsh_backward(tm, false));
    CHECK_GRAD(t, 0, 0.5, 0.5);

    /* mean and mean_dim */
    CHECK_OK(torsh_tensor_zero_grad(x));
    torsh_tensor_t *mean = torsh_mean(x);
    CHECK_OK(torsh_backward(mean, false));
    CHECK_GRAD(x, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6);
    CHECK_OK(torsh_tensor_zero_grad(x));
    torsh_tensor_t *md = torsh_mean_dim(x, 0, false);
    backward_sum(md);
    CHECK_GRAD(x, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5);

    /* softmax: d/dx sum(softmax(x) * w) = s * (w - sum(s * w)) */
    torsh_tensor_t *z = leaf((const float[]){1, 2, 3}, SHAPE(3));
    torsh_tensor_t *w = tf32((const float[]){1, 0, 0}, SHAPE(3));
    torsh_tensor_t *sm = torsh_softmax(z, 0), *smw = torsh_mul(sm, w);
    backward_sum(smw);
    CHECK_GRAD(z, 0.0819251, -0.0220330, -0.0598920);
    /* The rows of a softmax sum to 1 whatever x is: a zero gradient. */
    CHECK_OK(torsh_tensor_zero_grad(x));
    torsh_tensor_t *sx = torsh_softmax(x, -1);
    backward_sum(sx);
    CHECK_GRAD(x, 0, 0, 0, 0, 0, 0);
    /* log_softmax: d/dx sum(log_softmax(x) * w) = w - s * sum(w) */
    CHECK_OK(torsh_tensor_zero_grad(z));
    torsh_tensor_t *ls = torsh_log_softmax(z, -1), *lsw = torsh_mul(ls, w);
    backward_sum(lsw);
    CHECK_GRAD(z, 1 - 0.0900306, -0.2447285, -0.6652410);

    RELEASE(x, w2, w2k, s, sw, sk, skw, m, mw, m0, t, tm, mean, md, z, w, sm, smw, sx, ls, lsw);
    th_check_nothing_live(__func__);
}

static void test_grad_losses(void) {
    torsh_tensor_t *logits = leaf((const float[]){1, 2, 3, 1, 1, 1}, SHAPE(2, 3));
    torsh_tensor_t *target = torsh_tensor_from_array((const int64_t[]){2, 0}, SHAPE(2), TORSH_I64);
    torsh_tensor_t *ce = torsh_cross_entropy(logits, target);
    CHECK_EQ(torsh_tensor_requires_grad(ce), 1);
    CHECK_OK(torsh_backward(ce, false));
    /* (softmax(logits) - onehot(target)) / N */
    CHECK_GRAD(logits, 0.0450153, 0.1223642, -0.1673795, -1.0 / 3, 1.0 / 6, 1.0 / 6);

    torsh_tensor_t *in = leaf((const float[]){1, 2, 3, 4}, SHAPE(4));
    torsh_tensor_t *ones = tf32((const float[]){1, 1, 1, 1}, SHAPE(4));
    torsh_tensor_t *mse = torsh_mse_loss(in, ones);
    CHECK_OK(torsh_backward(mse, false));
    CHECK_GRAD(in, 0, 0.5, 1, 1.5); /* 2 (x - y) / n */
    RELEASE(logits, target, ce, in, ones, mse);
    th_check_nothing_live(__func__);
}

static void test_grad_views_and_casts(void) {
    /* loss = sum(contiguous(transpose(reshape(x, (3, 2)))) * W) */
    torsh_tensor_t *x = leaf((const float[]){0, 1, 2, 3, 4, 5}, SHAPE(2, 3));
    torsh_tensor_t *w = tf32((const float[]){1, 2, 3, 4, 5, 6}, SHAPE(2, 3));
    torsh_tensor_t *r = torsh_reshape(x, SHAPE(3, -1)), *t = torsh_transpose(r, 0, 1);
    torsh_tensor_t *c = torsh_contiguous(t), *cw = torsh_mul(c, w);
    CHECK_EQ(torsh_tensor_requires_grad(r), 1);
    CHECK_EQ(torsh_tensor_requires_grad(t), 1);
    CHECK_EQ(torsh_tensor_requires_grad(c), 1);
    backward_sum(cw);
    /* c[i][j] = r[j][i] = x.flat[2j + i]: x.flat[k] gets w[k % 2][k / 2] */
    CHECK_GRAD(x, 1, 4, 2, 5, 3, 6);
    /* Casts between floats are differentiable; the gradient comes back in x's dtype. */
    CHECK_OK(torsh_tensor_zero_grad(x));
    torsh_tensor_t *d = torsh_cast(x, TORSH_F64), *dd = torsh_mul(d, d);
    backward_sum(dd);
    torsh_tensor_t *g = torsh_tensor_grad(x);
    CHECK_EQ(torsh_tensor_dtype(g), TORSH_F32);
    CHECK_VALUES(g, 0, 2, 4, 6, 8, 10);
    /* An integer cast is not recorded. */
    torsh_tensor_t *i = torsh_cast(x, TORSH_I32);
    CHECK_EQ(torsh_tensor_requires_grad(i), 0);
    RELEASE(x, w, r, t, c, cw, d, dd, g, i);
    th_check_nothing_live(__func__);
}

static void test_no_grad(void) {
    torsh_tensor_t *x = leaf((const float[]){1, 2}, SHAPE(2));
    torsh_no_grad_begin();
    torsh_tensor_t *y = torsh_mul(x, x);
    CHECK_EQ(torsh_tensor_requires_grad(y), 0);
    torsh_no_grad_begin(); /* sections nest */
    CHECK_OK(torsh_no_grad_end());
    torsh_tensor_t *y2 = torsh_exp(x);
    CHECK_EQ(torsh_tensor_requires_grad(y2), 0);
    /* Writing a leaf that requires grad is allowed inside a section. */
    CHECK_OK(torsh_fill(x, 3));
    CHECK_OK(torsh_no_grad_end());
    CHECK_STATUS(torsh_no_grad_end(), TORSH_ERR_INVALID_ARGUMENT); /* end without begin */
    CHECK_STATUS(torsh_fill(x, 1), TORSH_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(torsh_copy(x, y), TORSH_ERR_INVALID_ARGUMENT);
    CHECK_VALUES(x, 3, 3);
    /* Recording again after the section. */
    torsh_tensor_t *y3 = torsh_mul(x, x);
    CHECK_EQ(torsh_tensor_requires_grad(y3), 1);
    /* A loss computed without grad cannot backward. */
    torsh_tensor_t *ys = torsh_sum(y);
    CHECK_STATUS(torsh_backward(ys, false), TORSH_ERR_INVALID_ARGUMENT);
    backward_sum(y3);
    CHECK_GRAD(x, 6, 6);
    RELEASE(x, y, y2, y3, ys);
    th_check_nothing_live(__func__);
}

static void test_zero_grad(void) {
    torsh_tensor_t *x = leaf((const float[]){1, 2}, SHAPE(2));
    torsh_tensor_t *y = torsh_mul(x, x);
    backward_sum(y);
    torsh_tensor_t *g = torsh_tensor_grad(x);
    CHECK(g != NULL);
    CHECK_OK(torsh_tensor_zero_grad(x));
    torsh_clear_error();
    CHECK(torsh_tensor_grad(x) == NULL);
    CHECK_LAST_ERROR(TORSH_OK);
    CHECK_VALUES(g, 2, 4); /* a gradient taken before stays valid */
    CHECK_OK(torsh_tensor_zero_grad(x)); /* twice is fine */
    CHECK_OK(torsh_tensor_zero_grad(y)); /* a non-leaf has none */
    RELEASE(x, y, g);
    th_check_nothing_live(__func__);
}

/* ------------------------------------------------------------ modules */

/* Sets a parameter's values (inside a no_grad section, as torch's). */
static void set_values(torsh_tensor_t *param, const float *values, const int64_t *shape,
                       int ndim) {
    torsh_tensor_t *src = tf32(values, shape, ndim);
    torsh_no_grad_begin();
    CHECK_OK(torsh_copy(param, src));
    CHECK_OK(torsh_no_grad_end());
    torsh_tensor_release(src);
}

static void test_linear(void) {
    torsh_module_t *lin = torsh_linear_new(3, 2, true);
    torsh_params_t *p = torsh_module_parameters(lin);
    CHECK_EQ(torsh_params_count(p), 2);
    torsh_tensor_t *w = torsh_params_get(p, 0), *b = torsh_params_get(p, 1);
    CHECK_SHAPE(w, 2, 3);
    CHECK_SHAPE(b, 2);
    CHECK_EQ(torsh_tensor_requires_grad(w), 1);
    CHECK_EQ(torsh_tensor_dtype(w), TORSH_F32);
    /* torch's init: uniform in +-1/sqrt(in_features) */
    bool bounded = true;
    for (int k = 0; k < 6; k++) bounded &= absd(elem(w, k)) <= 0.5774;
    CHECK(bounded);
    CHECK_FAILS(torsh_params_get(p, 2), TORSH_ERR_INDEX);
    CHECK_FAILS(torsh_params_get(p, -1), TORSH_ERR_INDEX);

    set_values(w, (const float[]){1, 0, -1, 2, 1, 0}, SHAPE(2, 3));
    set_values(b, (const float[]){0.5f, -0.5f}, SHAPE(2));
    torsh_tensor_t *x = tf32((const float[]){1, 2, 3, 0, 1, 0, 1, 1, 1, 2, 0, 0}, SHAPE(4, 3));
    torsh_tensor_t *y = torsh_module_forward(lin, x);
    CHECK_SHAPE(y, 4, 2);
    CHECK_VALUES(y, -1.5, 3.5, 0.5, 0.5, 0.5, 2.5, 2.5, 3.5);
    /* Any leading dims; a 1-d input is one sample. */
    torsh_tensor_t *x3 = torsh_reshape(x, SHAPE(2, 2, 3)), *y3 = torsh_module_forward(lin, x3);
    CHECK_SHAPE(y3, 2, 2, 2);
    torsh_tensor_t *x1 = tf32((const float[]){1, 2, 3}, SHAPE(3));
    torsh_tensor_t *y1 = torsh_module_forward(lin, x1);
    CHECK_SHAPE(y1, 2);
    CHECK_VALUES(y1, -1.5, 3.5);
    /* Gradients reach the module's parameters (the list's tensors are the module's). */
    backward_sum(y);
    CHECK_GRAD(w, 4, 4, 4, 4, 4, 4);
    CHECK_GRAD(b, 4, 4);

    /* Wrong input sizes. */
    torsh_tensor_t *bad = torsh_tensor_zeros(SHAPE(4, 4), TORSH_F32);
    CHECK_FAILS(torsh_module_forward(lin, bad), TORSH_ERR_SHAPE_MISMATCH);
    CHECK(strstr(torsh_last_error_message(), "(4, 4)") != NULL);
    torsh_tensor_t *s = scalar_f32(1);
    CHECK_FAILS(torsh_module_forward(lin, s), TORSH_ERR_SHAPE_MISMATCH);
    torsh_error_t *err = NULL;
    CHECK(torsh_module_forward_with_error(lin, bad, &err) == NULL);
    CHECK_EQ(torsh_error_code(err), TORSH_ERR_SHAPE_MISMATCH);
    torsh_error_free(err);

    /* Without bias: one parameter. */
    torsh_module_t *nb = torsh_linear_new(3, 2, false);
    torsh_params_t *np = torsh_module_parameters(nb);
    CHECK_EQ(torsh_params_count(np), 1);
    CHECK_FAILS(torsh_linear_new(0, 2, true), TORSH_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(torsh_linear_new(2, -1, true), TORSH_ERR_INVALID_ARGUMENT);

    /* The parameters outlive the module while a list holds them. */
    CHECK_OK(torsh_module_free(lin));
    CHECK_EQ(torsh_tensor_numel(torsh_params_get(p, 0)), 6);
    CHECK_VALUES(torsh_params_get(p, 1), 0.5, -0.5);
    CHECK_OK(torsh_params_free(p));
    CHECK_OK(torsh_params_free(np));
    CHECK_OK(torsh_module_free(nb));
    RELEASE(x, y, x3, y3, x1, y1, bad, s);
    th_check_nothing_live(__func__);
}

static void test_activation_modules(void) {
    torsh_tensor_t *x = tf32((const float[]){-1, 0, 2}, SHAPE(3));
    torsh_module_t *relu = torsh_relu_new(), *sig = torsh_sigmoid_new(), *tanh_ = torsh_tanh_new();
    torsh_params_t *p = torsh_module_parameters(relu);
    CHECK_EQ(torsh_params_count(p), 0);
    CHECK_FAILS(torsh_params_get(p, 0), TORSH_ERR_INDEX);
    torsh_tensor_t *r = torsh_module_forward(relu, x), *s = torsh_module_forward(sig, x);
    torsh_tensor_t *t = torsh_module_forward(tanh_, x);
    CHECK_VALUES(r, 0, 0, 2);
    CHECK_VALUES(s, 0.2689414, 0.5, 0.8807971);
    CHECK_VALUES(t, -0.7615942, 0, 0.9640276);
    CHECK_SHAPE(t, 3);
    CHECK_OK(torsh_params_free(p));
    CHECK_OK(torsh_module_free(relu));
    CHECK_OK(torsh_module_free(sig));
    CHECK_OK(torsh_module_free(tanh_));
    RELEASE(x, r, s, t);
    th_check_nothing_live(__func__);
}

static void test_sequential(void) {
    torsh_manual_seed(1);
    torsh_module_t *model = torsh_sequential_new();
    CHECK_OK(torsh_sequential_add(model, torsh_linear_new(4, 8, true)));
    CHECK_OK(torsh_sequential_add(model, torsh_relu_new()));
    CHECK_OK(torsh_sequential_add(model, torsh_linear_new(8, 2, true)));
    torsh_params_t *p = torsh_module_parameters(model);
    CHECK_EQ(torsh_params_count(p), 4);
    CHECK_SHAPE(torsh_params_get(p, 0), 8, 4); /* registration order */
    CHECK_SHAPE(torsh_params_get(p, 1), 8);
    CHECK_SHAPE(torsh_params_get(p, 2), 2, 8);
    CHECK_SHAPE(torsh_params_get(p, 3), 2);
    CHECK_FAILS(torsh_params_get(p, 4), TORSH_ERR_INDEX);
    torsh_error_t *err = NULL;
    CHECK(torsh_params_get_with_error(p, 4, &err) == NULL);
    CHECK_EQ(torsh_error_code(err), TORSH_ERR_INDEX);
    torsh_error_free(err);

    torsh_tensor_t *x = torsh_tensor_randn(SHAPE(5, 4), TORSH_F32);
    torsh_tensor_t *y = torsh_module_forward(model, x);
    CHECK_SHAPE(y, 5, 2);
    CHECK_EQ(torsh_tensor_requires_grad(y), 1);
    torsh_tensor_t *loss = torsh_mean(y);
    CHECK_OK(torsh_backward(loss, false));
    for (int64_t k = 0; k < 4; k++) {
        torsh_tensor_t *param = torsh_params_get(p, k), *g = torsh_tensor_grad(param);
        CHECK(g != NULL);
        CHECK_EQ(torsh_tensor_numel(g), torsh_tensor_numel(param));
        torsh_tensor_release(g);
    }
    /* Changing a parameter through the list changes the model. */
    torsh_tensor_t *b2 = torsh_params_get(p, 3);
    double old0 = elem(b2, 0), old1 = elem(b2, 1);
    set_values(b2, (const float[]){100, 100}, SHAPE(2));
    torsh_tensor_t *y2 = torsh_module_forward(model, x), *diff = torsh_sub(y2, y);
    for (int k = 0; k < 5; k++) {
        CHECK(absd(elem(diff, 2 * k) - (100 - old0)) < 1e-4);
        CHECK(absd(elem(diff, 2 * k + 1) - (100 - old1)) < 1e-4);
    }

    /* An input of the wrong size fails in the first Linear. */
    torsh_tensor_t *bad = torsh_tensor_zeros(SHAPE(5, 3), TORSH_F32);
    CHECK_FAILS(torsh_module_forward(model, bad), TORSH_ERR_SHAPE_MISMATCH);

    /* An empty sequential is the identity. */
    torsh_module_t *empty = torsh_sequential_new();
    torsh_tensor_t *same = torsh_module_forward(empty, x);
    CHECK_SHAPE(same, 5, 4);
    CHECK(torsh_tensor_data_ptr(same) == torsh_tensor_data_ptr(x));
    /* Nested sequentials. */
    torsh_module_t *outer = torsh_sequential_new(), *inner = torsh_sequential_new();
    CHECK_OK(torsh_sequential_add(inner, torsh_linear_new(4, 3, true)));
    CHECK_OK(torsh_sequential_add(inner, torsh_tanh_new()));
    CHECK_OK(torsh_sequential_add(outer, inner));
    CHECK_OK(torsh_sequential_add(outer, torsh_sigmoid_new()));
    torsh_params_t *op = torsh_module_parameters(outer);
    CHECK_EQ(torsh_params_count(op), 2);
    torsh_tensor_t *oy = torsh_module_forward(outer, x);
    CHECK_SHAPE(oy, 5, 3);
    bool in01 = true;
    for (int k = 0; k < 15; k++) in01 &= elem(oy, k) > 0 && elem(oy, k) < 1;
    CHECK(in01);

    CHECK_OK(torsh_params_free(p));
    CHECK_OK(torsh_params_free(op));
    CHECK_OK(torsh_module_free(model));
    CHECK_OK(torsh_module_free(empty));
    CHECK_OK(torsh_module_free(outer)); /* frees inner too */
    CHECK_STATUS(torsh_module_free(inner), TORSH_ERR_INVALID_HANDLE);
    RELEASE(x, y, loss, y2, diff, bad, same, oy);
    torsh_manual_seed(0);
    th_check_nothing_live(__func__);
}

static void test_module_ownership(void) {
    torsh_module_t *seq = torsh_sequential_new(), *child = torsh_relu_new();
    CHECK_OK(torsh_sequential_add(seq, child));
    /* A child belongs to its sequential: freeing it alone is refused. */
    CHECK_STATUS(torsh_module_free(child), TORSH_ERR_INVALID_ARGUMENT);
    torsh_tensor_t *x = tf32((const float[]){-1, 1}, SHAPE(2));
    torsh_tensor_t *y = torsh_module_forward(child, x); /* still usable */
    CHECK_VALUES(y, 0, 1);
    /* ... and cannot join a second one (it stays with the first). */
    torsh_module_t *other = torsh_sequential_new();
    CHECK_STATUS(torsh_sequential_add(other, child), TORSH_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(torsh_sequential_add(seq, child), TORSH_ERR_INVALID_ARGUMENT);
    torsh_tensor_t *y2 = torsh_module_forward(seq, x);
    CHECK_VALUES(y2, 0, 1);

    /* Adding to something that is not a sequential fails; the module is taken over. */
    torsh_module_t *lin = torsh_linear_new(2, 2, true), *extra = torsh_tanh_new();
    CHECK_STATUS(torsh_sequential_add(lin, extra), TORSH_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(torsh_module_free(extra), TORSH_ERR_INVALID_HANDLE);
    /* A NULL from a failed constructor is refused without harm. */
    CHECK_STATUS(torsh_sequential_add(other, NULL), TORSH_ERR_NULL_ARGUMENT);

    /* A sequential cannot contain itself: refused, and the caller keeps it. */
    torsh_module_t *selfish = torsh_sequential_new();
    CHECK_OK(torsh_sequential_add(selfish, torsh_relu_new()));
    CHECK_STATUS(torsh_sequential_add(selfish, selfish), TORSH_ERR_INVALID_ARGUMENT);
    torsh_tensor_t *ys = torsh_module_forward(selfish, x);
    CHECK_VALUES(ys, 0, 1);
    CHECK_OK(torsh_module_free(selfish));
    /* Nor its own ancestor (a cycle): refused, nothing taken over. */
    torsh_module_t *top = torsh_sequential_new(), *mid = torsh_sequential_new();
    CHECK_OK(torsh_sequential_add(top, mid));
    CHECK_STATUS(torsh_sequential_add(mid, top), TORSH_ERR_INVALID_ARGUMENT);
    torsh_tensor_t *yt = torsh_module_forward(top, x);
    CHECK_VALUES(yt, -1, 1);
    CHECK_OK(torsh_module_free(top));
    CHECK_STATUS(torsh_module_free(mid), TORSH_ERR_INVALID_HANDLE); /* went with top */

    CHECK_OK(torsh_module_free(seq));
    CHECK_STATUS(torsh_module_free(child), TORSH_ERR_INVALID_HANDLE); /* went with seq */
    CHECK_OK(torsh_module_free(other));
    CHECK_OK(torsh_module_free(lin));
    RELEASE(x, y, y2, ys, yt);
    th_check_nothing_live(__func__);
}

/* ------------------------------------------------------------ optimizers */

/* A Linear(2, 1) with W = [1, 2], b = [0.5]: loss = sum(forward([[1, 2]])) has
 * dW = [1, 2] and db = [1]. */
static torsh_module_t *known_linear(void) {
    torsh_module_t *lin = torsh_linear_new(2, 1, true);
    torsh_params_t *p = torsh_module_parameters(lin);
    set_values(torsh_params_get(p, 0), (const float[]){1, 2}, SHAPE(1, 2));
    set_values(torsh_params_get(p, 1), (const float[]){0.5f}, SHAPE(1));
    torsh_params_free(p);
    return lin;
}

static void forward_backward(torsh_module_t *lin) {
    torsh_tensor_t *x = tf32((const float[]){1, 2}, SHAPE(1, 2));
    torsh_tensor_t *y = torsh_module_forward(lin, x);
    backward_sum(y);
    RELEASE(x, y);
}

static void test_sgd(void) {
    torsh_module_t *lin = known_linear();
    torsh_params_t *view = torsh_module_parameters(lin); /* a second list, to look */
    torsh_tensor_t *w = torsh_params_get(view, 0), *b = torsh_params_get(view, 1);
    torsh_params_t *given = torsh_module_parameters(lin);
    torsh_optimizer_t *opt = torsh_sgd_new(given, 0.5, 0.0);
    CHECK(opt != NULL);
    /* Taken over: still readable, but the optimizer's to free. */
    CHECK_EQ(torsh_params_count(given), 2);
    CHECK(torsh_params_get(given, 0) == w);
    CHECK_STATUS(torsh_params_free(given), TORSH_ERR_INVALID_ARGUMENT);

    /* No gradients yet: a step changes nothing. */
    CHECK_OK(torsh_optimizer_step(opt));
    CHECK_VALUES(w, 1, 2);
    forward_backward(lin);
    CHECK_OK(torsh_optimizer_step(opt)); /* p -= lr * g, exactly */
    const float *wd = torsh_tensor_data_ptr(w), *bd = torsh_tensor_data_ptr(b);
    CHECK(wd[0] == 0.5f && wd[1] == 1.0f);
    CHECK(bd[0] == 0.0f);
    /* zero_grad drops every gradient. */
    CHECK_OK(torsh_optimizer_zero_grad(opt));
    torsh_clear_error();
    CHECK(torsh_tensor_grad(w) == NULL && torsh_tensor_grad(b) == NULL);
    CHECK_LAST_ERROR(TORSH_OK);
    CHECK_OK(torsh_optimizer_step(opt));
    CHECK(wd[0] == 0.5f && wd[1] == 1.0f && bd[0] == 0.0f);
    /* Another step after another backward (the gradient does not depend on W). */
    forward_backward(lin);
    CHECK_OK(torsh_optimizer_step(opt));
    CHECK(wd[0] == 0.0f && wd[1] == 0.0f && bd[0] == -0.5f);
    CHECK_OK(torsh_optimizer_free(opt));
    CHECK_EQ(torsh_params_count(given), -1); /* went with the optimizer */
    CHECK_LAST_ERROR(TORSH_ERR_INVALID_HANDLE);
    /* The module and the looking list still hold the parameters. */
    CHECK_VALUES(w, 0, 0);
    CHECK_OK(torsh_params_free(view));
    CHECK_OK(torsh_module_free(lin));
    th_check_nothing_live(__func__);
}

static void test_sgd_momentum(void) {
    torsh_module_t *lin = known_linear();
    torsh_params_t *view = torsh_module_parameters(lin);
    torsh_tensor_t *w = torsh_params_get(view, 0), *b = torsh_params_get(view, 1);
    torsh_optimizer_t *opt = torsh_sgd_new(torsh_module_parameters(lin), 0.5, 0.9);
    /* torch: buf = g at the first step, then buf = 0.9 buf + g; p -= lr * buf */
    forward_backward(lin);
    CHECK_OK(torsh_optimizer_step(opt));
    CHECK_VALUES(w, 0.5, 1);
    CHECK_VALUES(b, 0);
    CHECK_OK(torsh_optimizer_zero_grad(opt));
    forward_backward(lin);
    CHECK_OK(torsh_optimizer_step(opt));
    CHECK_VALUES(w, 0.5 - 0.95, 1 - 1.9);
    CHECK_VALUES(b, -0.95);
    CHECK_OK(torsh_optimizer_free(opt));
    CHECK_OK(torsh_params_free(view));
    CHECK_OK(torsh_module_free(lin));
    th_check_nothing_live(__func__);
}

static void test_adam(void) {
    torsh_module_t *lin = known_linear();
    torsh_params_t *view = torsh_module_parameters(lin);
    torsh_tensor_t *w = torsh_params_get(view, 0), *b = torsh_params_get(view, 1);
    torsh_optimizer_t *opt = torsh_adam_new(torsh_module_parameters(lin), 0.01, 0.9, 0.999, 1e-8);
    CHECK(opt != NULL);
    /* A negative gradient for the second weight: loss = sum(forward(x)) with x = [1, -2]. */
    torsh_tensor_t *x = tf32((const float[]){1, -2}, SHAPE(1, 2));
    torsh_tensor_t *y = torsh_module_forward(lin, x);
    backward_sum(y);
    CHECK_OK(torsh_optimizer_step(opt));
    /* The first step moves each parameter by lr * sign(g) (m_hat / sqrt(v_hat) = +-1). */
    CHECK(absd(elem(w, 0) - (1 - 0.01)) < 1e-6);
    CHECK(absd(elem(w, 1) - (2 + 0.01)) < 1e-6);
    CHECK(absd(elem(b, 0) - (0.5 - 0.01)) < 1e-6);
    /* A second step with the same gradient: the same move again. */
    CHECK_OK(torsh_optimizer_step(opt));
    CHECK(absd(elem(w, 0) - (1 - 0.02)) < 1e-6);
    CHECK(absd(elem(w, 1) - (2 + 0.02)) < 1e-6);
    CHECK_OK(torsh_optimizer_zero_grad(opt));
    torsh_clear_error();
    CHECK(torsh_tensor_grad(w) == NULL);
    CHECK_LAST_ERROR(TORSH_OK);
    CHECK_OK(torsh_optimizer_free(opt));
    CHECK_OK(torsh_params_free(view));
    CHECK_OK(torsh_module_free(lin));
    RELEASE(x, y);
    th_check_nothing_live(__func__);
}

static void test_optimizer_errors(void) {
    torsh_module_t *lin = torsh_linear_new(2, 2, true);
    /* Bad hyperparameters fail and still take the list over. */
    torsh_params_t *p = torsh_module_parameters(lin);
    CHECK_FAILS(torsh_sgd_new(p, -0.1, 0), TORSH_ERR_INVALID_ARGUMENT);
    CHECK_EQ(torsh_params_count(p), -1);
    CHECK_FAILS(torsh_sgd_new(torsh_module_parameters(lin), NAN, 0), TORSH_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(torsh_sgd_new(torsh_module_parameters(lin), 0.1, -1), TORSH_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(torsh_adam_new(torsh_module_parameters(lin), -1, 0.9, 0.999, 1e-8),
                TORSH_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(torsh_adam_new(torsh_module_parameters(lin), 1e-3, 1.0, 0.999, 1e-8),
                TORSH_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(torsh_adam_new(torsh_module_parameters(lin), 1e-3, 0.9, -0.5, 1e-8),
                TORSH_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(torsh_adam_new(torsh_module_parameters(lin), 1e-3, 0.9, 0.999, -1),
                TORSH_ERR_INVALID_ARGUMENT);
    torsh_error_t *err = NULL;
    CHECK(torsh_sgd_new_with_error(torsh_module_parameters(lin), -1, 0, &err) == NULL);
    CHECK_EQ(torsh_error_code(err), TORSH_ERR_INVALID_ARGUMENT);
    CHECK(strstr(torsh_error_message(err), "lr") != NULL);
    torsh_error_free(err);
    err = NULL;
    CHECK(torsh_adam_new_with_error(torsh_module_parameters(lin), 1e-3, 0.9, 2, 1e-8, &err) ==
          NULL);
    CHECK_EQ(torsh_error_code(err), TORSH_ERR_INVALID_ARGUMENT);
    torsh_error_free(err);
    /* A list taken over belongs to its optimizer: a second one refuses it (without
     * taking it), and it is freed with the optimizer, not alone. */
    torsh_params_t *once = torsh_module_parameters(lin);
    torsh_optimizer_t *opt = torsh_sgd_new(once, 0.1, 0);
    CHECK(opt != NULL);
    CHECK_FAILS(torsh_sgd_new(once, 0.1, 0), TORSH_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(torsh_adam_new(once, -1, 0.9, 0.999, 1e-8), TORSH_ERR_INVALID_ARGUMENT);
    CHECK_EQ(torsh_params_count(once), 2);
    CHECK_STATUS(torsh_params_free(once), TORSH_ERR_INVALID_ARGUMENT);
    /* lr 0 and an empty list are fine. */
    torsh_module_t *relu = torsh_relu_new();
    torsh_optimizer_t *empty = torsh_adam_new(torsh_module_parameters(relu), 0, 0, 0, 0);
    CHECK(empty != NULL);
    CHECK_OK(torsh_optimizer_step(empty));
    CHECK_OK(torsh_optimizer_zero_grad(empty));
    CHECK_OK(torsh_optimizer_free(empty));
    CHECK_OK(torsh_optimizer_free(opt));
    CHECK_STATUS(torsh_params_free(once), TORSH_ERR_INVALID_HANDLE);
    CHECK_OK(torsh_module_free(relu));
    CHECK_OK(torsh_module_free(lin));
    th_check_nothing_live(__func__);
}

/* ------------------------------------------------------------ errors */

static void test_released_tensors(void) {
    torsh_tensor_t *ok = tf32((const float[]){1, 2, 3, 4}, SHAPE(2, 2));
    torsh_tensor_t *dead = tf32((const float[]){1, 2, 3, 4}, SHAPE(2, 2));
    torsh_tensor_release(dead);
    const torsh_status_t H = TORSH_ERR_INVALID_HANDLE;
    torsh_tensor_t *(*const binary[])(const torsh_tensor_t *, const torsh_tensor_t *) = {
        torsh_add, torsh_sub, torsh_mul, torsh_div, torsh_pow, torsh_matmul, torsh_mse_loss,
        torsh_cross_entropy};
    for (size_t k = 0; k < sizeof binary / sizeof *binary; k++) {
        CHECK_FAILS(binary[k](dead, ok), H);
        CHECK_FAILS(binary[k](ok, dead), H);
    }
    torsh_tensor_t *(*const unary[])(const torsh_tensor_t *) = {
        torsh_neg, torsh_exp, torsh_log, torsh_sqrt, torsh_tanh, torsh_sigmoid, torsh_relu,
        torsh_gelu, torsh_sum, torsh_mean, torsh_max, torsh_contiguous, torsh_tensor_grad};
    for (size_t k = 0; k < sizeof unary / sizeof *unary; k++) CHECK_FAILS(unary[k](dead), H);
    CHECK_FAILS(torsh_sum_dim(dead, 0, false), H);
    CHECK_FAILS(torsh_mean_dim(dead, 0, true), H);
    CHECK_FAILS(torsh_max_dim(dead, -1, false), H);
    CHECK_FAILS(torsh_softmax(dead, 0), H);
    CHECK_FAILS(torsh_log_softmax(dead, 0), H);
    CHECK_FAILS(torsh_reshape(dead, SHAPE(4)), H);
    CHECK_FAILS(torsh_transpose(dead, 0, 1), H);
    CHECK_FAILS(torsh_cast(dead, TORSH_I32), H);
    CHECK_STATUS(torsh_fill(dead, 1), H);
    CHECK_STATUS(torsh_copy(dead, ok), H);
    CHECK_STATUS(torsh_copy(ok, dead), H);
    CHECK_STATUS(torsh_tensor_set_requires_grad(dead, true), H);
    CHECK_EQ(torsh_tensor_requires_grad(dead), -1);
    CHECK_LAST_ERROR(H);
    CHECK_STATUS(torsh_tensor_zero_grad(dead), H);
    CHECK_STATUS(torsh_backward(dead, false), H);
    torsh_module_t *relu = torsh_relu_new();
    CHECK_FAILS(torsh_module_forward(relu, dead), H);
    /* The twins report through *err. */
    torsh_error_t *err = NULL;
    CHECK(torsh_add_with_error(ok, dead, &err) == NULL);
    CHECK_EQ(torsh_error_code(err), H);
    torsh_error_free(err);
    err = NULL;
    CHECK(torsh_tensor_grad_with_error(dead, &err) == NULL);
    CHECK_EQ(torsh_error_code(err), H);
    torsh_error_free(err);
    err = NULL;
    CHECK_STATUS(torsh_copy_with_error(ok, dead, &err), H);
    CHECK_EQ(torsh_error_code(err), H);
    torsh_error_free(err);
    /* A garbage handle too. */
    torsh_tensor_t *garbage = (torsh_tensor_t *)(uintptr_t)0x12345678;
    CHECK_FAILS(torsh_exp(garbage), H);
    CHECK_OK(torsh_module_free(relu));
    RELEASE(ok);
    th_check_nothing_live(__func__);
}

static void test_dtype_errors(void) {
    const uint16_t halves[] = {0x3C00, 0x4000}; /* 1.0, 2.0 */
    torsh_tensor_t *h = torsh_tensor_from_array(halves, SHAPE(2), TORSH_F16);
    torsh_tensor_t *bf = torsh_tensor_from_array(halves, SHAPE(2), TORSH_BF16);
    CHECK_FAILS(torsh_exp(h), TORSH_ERR_DTYPE);
    CHECK(strstr(torsh_last_error_message(), "f16") != NULL);
    torsh_error_t *err = NULL;
    CHECK(torsh_exp_with_error(h, &err) == NULL);
    CHECK_EQ(torsh_error_code(err), TORSH_ERR_DTYPE);
    torsh_error_free(err);
    CHECK_FAILS(torsh_neg(h), TORSH_ERR_DTYPE);
    CHECK_FAILS(torsh_add(h, h), TORSH_ERR_DTYPE);
    /* f16 with bf16 promotes to f32, where the kernels are (bf16 0x3C00 is 2^-7). */
    torsh_tensor_t *hb = torsh_add(h, bf);
    CHECK_EQ(torsh_tensor_dtype(hb), TORSH_F32);
    CHECK_VALUES(hb, 1.0078125, 4);
    CHECK_FAILS(torsh_sum(h), TORSH_ERR_DTYPE);
    CHECK_FAILS(torsh_matmul(h, h), TORSH_ERR_DTYPE);
    CHECK_FAILS(torsh_softmax(bf, 0), TORSH_ERR_DTYPE);
    CHECK_STATUS(torsh_tensor_set_requires_grad(h, true), TORSH_ERR_DTYPE);
    /* Cast first, then it works. */
    torsh_tensor_t *f = torsh_cast(h, TORSH_F32), *e = torsh_exp(f);
    CHECK_VALUES(e, 2.7182818, 7.3890561);
    /* Arithmetic on bool tensors needs a cast. */
    torsh_tensor_t *b = torsh_tensor_from_array((const uint8_t[]){1, 0}, SHAPE(2), TORSH_BOOL);
    CHECK_FAILS(torsh_add(b, b), TORSH_ERR_DTYPE);
    CHECK_FAILS(torsh_neg(b), TORSH_ERR_DTYPE);
    RELEASE(h, bf, hb, f, e, b);
    th_check_nothing_live(__func__);
}

static void test_released_modules_params_optimizers(void) {
    const torsh_status_t H = TORSH_ERR_INVALID_HANDLE;
    torsh_tensor_t *x = tf32((const float[]){1, 2}, SHAPE(1, 2));
    torsh_module_t *lin = torsh_linear_new(2, 2, true);
    torsh_params_t *p = torsh_module_parameters(lin), *p2 = torsh_module_parameters(lin);
    torsh_optimizer_t *opt = torsh_sgd_new(p2, 0.1, 0);
    CHECK_OK(torsh_module_free(lin));
    CHECK_FAILS(torsh_module_forward(lin, x), H);
    CHECK_FAILS(torsh_module_parameters(lin), H);
    CHECK_STATUS(torsh_module_free(lin), H);
    CHECK_STATUS(torsh_sequential_add(lin, torsh_relu_new()), H); /* the relu is taken over */
    torsh_module_t *seq = torsh_sequential_new();
    CHECK_STATUS(torsh_sequential_add(seq, lin), H);
    torsh_error_t *err = NULL;
    CHECK(torsh_module_forward_with_error(lin, x, &err) == NULL);
    CHECK_EQ(torsh_error_code(err), H);
    torsh_error_free(err);

    CHECK_OK(torsh_params_free(p));
    CHECK_EQ(torsh_params_count(p), -1);
    CHECK_LAST_ERROR(H);
    CHECK_FAILS(torsh_params_get(p, 0), H);
    CHECK_STATUS(torsh_params_free(p), H);
    CHECK_FAILS(torsh_adam_new(p, 1e-3, 0.9, 0.999, 1e-8), H);

    /* The optimizer still works after its module went: it holds the parameters. */
    CHECK_OK(torsh_optimizer_step(opt));
    CHECK_OK(torsh_optimizer_free(opt));
    CHECK_FAILS(torsh_params_get(p2, 0), H); /* the list it took over went with it */
    CHECK_STATUS(torsh_optimizer_step(opt), H);
    CHECK_STATUS(torsh_optimizer_zero_grad(opt), H);
    CHECK_STATUS(torsh_optimizer_free(opt), H);
    /* Handles of one kind are not accepted as another. */
    CHECK_FAILS(torsh_module_parameters((torsh_module_t *)x), H);
    CHECK_STATUS(torsh_optimizer_step((torsh_optimizer_t *)x), H);
    CHECK_EQ(torsh_params_count((torsh_params_t *)seq), -1);
    CHECK_LAST_ERROR(H);
    CHECK_OK(torsh_module_free(seq));
    RELEASE(x);
    th_check_nothing_live(__func__);
}

int main(void) {
    RUN(test_elementwise_broadcasting);
    RUN(test_type_promotion);
    RUN(test_unary_ops);
    RUN(test_matmul);
    RUN(test_matmul_error_message);
    RUN(test_reductions);
    RUN(test_softmax);
    RUN(test_shapes_and_views);
    RUN(test_cast_fill_copy);
    RUN(test_losses);
    RUN(test_random);
    RUN(test_requires_grad);
    RUN(test_grad_polynomial);
    RUN(test_grad_unary);
    RUN(test_grad_accumulation_and_retain_graph);
    RUN(test_backward_errors);
    RUN(test_grad_broadcast);
    RUN(test_grad_matmul);
    RUN(test_grad_reductions);
    RUN(test_grad_losses);
    RUN(test_grad_views_and_casts);
    RUN(test_no_grad);
    RUN(test_zero_grad);
    RUN(test_linear);
    RUN(test_activation_modules);
    RUN(test_sequential);
    RUN(test_module_ownership);
    RUN(test_sgd);
    RUN(test_sgd_momentum);
    RUN(test_adam);
    RUN(test_optimizer_errors);
    RUN(test_released_tensors);
    RUN(test_dtype_errors);
    RUN(test_released_modules_params_optimizers);
    th_check_nothing_live("end of test_ops");
    torsh_cleanup();
    return th_finish();
}
