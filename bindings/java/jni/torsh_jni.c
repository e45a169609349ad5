/*
 * torsh_jni.c: the JNI side of the Java bindings (org.torsh.ToRSh's native methods).
 *
 * Handles cross into Java as jlong (the pointer value); Java never dereferences them and
 * torsh validates every handle it is given, so a stale one is reported, not a crash.
 *
 * Errors: when a torsh call fails (NULL result, nonzero status, -1 sentinel) the native
 * method throws org.torsh.TorshException.fromStatus(code, message) (the subclass named
 * after the status) and returns a dummy value; Java sees only the exception. The message
 * is passed as UTF-8 bytes, so any byte torsh writes is safe (NewStringUTF would need
 * modified UTF-8).
 *
 * Ownership follows torsh.h: every tensor handle returned to Java is a new reference the
 * Java side releases once (org.torsh.Tensor), torsh_sequential_add and the optimizer
 * constructors take over what they are given (the Java wrappers stop owning it).
 */
#include <jni.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torsh.h"

_Static_assert(sizeof(jlong) == sizeof(int64_t), "jlong must be 64 bits");
_Static_assert(sizeof(void *) <= sizeof(jlong), "a pointer must fit in a jlong");

#define TENSOR(h) ((torsh_tensor_t *)(intptr_t)(h))
#define MODULE(h) ((torsh_module_t *)(intptr_t)(h))
#define PARAMS(h) ((torsh_params_t *)(intptr_t)(h))
#define OPTIMIZER(h) ((torsh_optimizer_t *)(intptr_t)(h))
#define HANDLE(p) ((jlong)(intptr_t)(p))

/* org.torsh.TorshException and its static factory fromStatus(int, byte[]), cached at load. */
static jclass g_exception_class;
static jmethodID g_from_status;

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    (void)reserved;
    JNIEnv *env;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
    jclass local = (*env)->FindClass(env, "org/torsh/TorshException");
    if (local == NULL) return JNI_ERR;
    g_exception_class = (jclass)(*env)->NewGlobalRef(env, local);
    (*env)->DeleteLocalRef(env, local);
    if (g_exception_class == NULL) return JNI_ERR;
    g_from_status = (*env)->GetStaticMethodID(env, g_exception_class, "fromStatus",
                                              "(I[B)Lorg/torsh/TorshException;");
    if (g_from_status == NULL) return JNI_ERR;
    return JNI_VERSION_1_8;
}

JNIEXPORT void JNICALL JNI_OnUnload(JavaVM *vm, void *reserved) {
    (void)reserved;
    JNIEnv *env;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) return;
    if (g_exception_class != NULL) (*env)->DeleteGlobalRef(env, g_exception_class);
    g_exception_class = NULL;
}

/* ------------------------------------------------------------------ throwing */

/* Throws the TorshException subclass of `code` with `message` (unless an exception, e.g.
 * an OutOfMemoryError of the JVM itself, is already pending: that one wins). */
static void throw_message(JNIEnv *env, int code, const char *message) {
    if ((*env)->ExceptionCheck(env)) return;
    jsize len = (jsize)strlen(message);
    jbyteArray bytes = (*env)->NewByteArray(env, len);
    if (bytes == NULL) return; /* OutOfMemoryError pending */
    (*env)->SetByteArrayRegion(env, bytes, 0, len, (const jbyte *)message);
    jobject exc = (*env)->CallStaticObjectMethod(env, g_exception_class, g_from_status,
                                                 (jint)code, bytes);
    (*env)->DeleteLocalRef(env, bytes);
    if ((*env)->ExceptionCheck(env) || exc == NULL) return;
    (*env)->Throw(env, (jthrowable)exc);
    (*env)->DeleteLocalRef(env, exc);
}

static void throw_format(JNIEnv *env, int code, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    throw_message(env, code, buf);
}

/* Throws the calling thread's last torsh error; `status` (when nonzero) is the code a
 * status-returning function gave, which is what the exception carries. */
static void throw_last(JNIEnv *env, int status, const char *what) {
    int code = status != TORSH_OK ? status : (int)torsh_last_error();
    const char *message = torsh_last_error_message();
    if (code == TORSH_OK) {
        throw_format(env, TORSH_ERR_INTERNAL, "%s failed without recording an error", what);
        return;
    }
    throw_message(env, code, message != NULL && message[0] != '\0' ? message : what);
}

static jlong tensor_result(JNIEnv *env, torsh_tensor_t *t, const char *what) {
    if (t == NULL) throw_last(env, TORSH_OK, what);
    return HANDLE(t);
}

static void check_status(JNIEnv *env, torsh_status_t status, const char *what) {
    if (status != TORSH_OK) throw_last(env, (int)status, what);
}

/* ------------------------------------------------------------------ shapes */

/* A Java long[] shape copied into a malloc'd int64_t array (*out; NULL for an empty or
 * null shape). Returns false with an exception pending on failure. A null array is
 * ndim 0. */
static bool read_shape(JNIEnv *env, jlongArray shape, int64_t **out, int *ndim) {
    *out = NULL;
    *ndim = 0;
    if (shape == NULL) return true;
    jsize n = (*env)->GetArrayLength(env, shape);
    if (n > TORSH_MAX_NDIM) {
        throw_format(env, TORSH_ERR_INVALID_ARGUMENT, "ndim %d is out of range [0, %d]", (int)n,
                     TORSH_MAX_NDIM);
        return false;
    }
    if (n == 0) return true;
    int64_t *dims = malloc((size_t)n * sizeof *dims);
    if (dims == NULL) {
        throw_message(env, TORSH_ERR_OUT_OF_MEMORY, "out of memory copying a shape");
        return false;
    }
    (*env)->GetLongArrayRegion(env, shape, 0, n, (jlong *)dims);
    if ((*env)->ExceptionCheck(env)) {
        free(dims);
        return false;
    }
    *out = dims;
    *ndim = (int)n;
    return true;
}

static void format_shape(char *buf, size_t size, const int64_t *dims, int ndim) {
    size_t used = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < ndim && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, i ? ", %lld" : "%lld",
                                 (long long)dims[i]);
    if (used < size) snprintf(buf + used, size - used, "]");
}

/* Checks that a Java array of `length` values fills `dims` exactly (torsh reads
 * numel(shape) values from it). Negative sizes are left to torsh to report. */
static bool check_fill(JNIEnv *env, jsize length, const int64_t *dims, int ndim) {
    int64_t numel = 1;
    for (int i = 0; i < ndim; i++) {
        if (dims[i] < 0) return true;
        if (dims[i] != 0 && numel > INT64_MAX / dims[i]) {
            throw_message(env, TORSH_ERR_INVALID_ARGUMENT, "the shape's element count overflows");
            return false;
        }
        numel *= dims[i];
    }
    if (numel == (int64_t)length) return true;
    char text[256];
    format_shape(text, sizeof text, dims, ndim);
    throw_format(env, TORSH_ERR_SHAPE_MISMATCH,
                 "%d values cannot fill shape %s (%lld elements)", (int)length, text,
                 (long long)numel);
    return false;
}

/* ------------------------------------------------------------------ lifecycle, errors */

JNIEXPORT void JNICALL Java_org_torsh_ToRSh_init(JNIEnv *env, jclass cls) {
    (void)cls;
    check_status(env, torsh_init(), "torsh_init");
}

JNIEXPORT void JNICALL Java_org_torsh_ToRSh_cleanup(JNIEnv *env, jclass cls) {
    (void)env;
    (void)cls;
    torsh_cleanup();
}

JNIEXPORT jstring JNICALL Java_org_torsh_ToRSh_version(JNIEnv *env, jclass cls) {
    (void)cls;
    return (*env)->NewStringUTF(env, torsh_version_string());
}

JNIEXPORT jint JNICALL Java_org_torsh_ToRSh_versionNumber(JNIEnv *env, jclass cls) {
    (void)env;
    (void)cls;
    return torsh_version_number();
}

JNIEXPORT jstring JNICALL Java_org_torsh_ToRSh_statusString(JNIEnv *env, jclass cls,
                                                             jint code) {
    (void)cls;
    return (*env)->NewStringUTF(env, torsh_status_string((torsh_status_t)code));
}

JNIEXPORT void JNICALL Java_org_torsh_ToRSh_debugRaise(JNIEnv *env, jclass cls, jint code) {
    (void)cls;
    throw_last(env, (int)torsh_debug_raise((torsh_status_t)code), "torsh_debug_raise");
}

/* The fields of torsh_memory_stats_t in order (bytes_live, bytes_peak, allocations_total,
 * allocations_live, allocations_failed, handles_live, limit_bytes). */
JNIEXPORT jlongArray JNICALL Java_org_torsh_ToRSh_memoryStats(JNIEnv *env, jclass cls) {
    (void)cls;
    torsh_memory_stats_t s;
    torsh_status_t status = torsh_memory_stats(&s);
    if (status != TORSH_OK) {
        throw_last(env, (int)status, "torsh_memory_stats");
        return NULL;
    }
    jlong values[7] = {s.bytes_live,         s.bytes_peak,   s.allocations_total,
                       s.allocations_live,   s.allocations_failed, s.handles_live,
                       s.limit_bytes};
    jlongArray out = (*env)->NewLongArray(env, 7);
    if (out != NULL) (*env)->SetLongArrayRegion(env, out, 0, 7, values);
    return out;
}

/* torsh_set_memory_limit: allocations past `bytes` live bytes fail; 0 removes the limit. */
JNIEXPORT void JNICALL Java_org_torsh_ToRSh_setMemoryLimit(JNIEnv *env, jclass cls,
                                                           jlong bytes) {
    (void)cls;
    if (bytes < 0) {
        throw_format(env, TORSH_ERR_INVALID_ARGUMENT, "memory limit %lld is negative",
                     (long long)bytes);
        return;
    }
    torsh_set_memory_limit((size_t)bytes);
}

JNIEXPORT void JNICALL Java_org_torsh_ToRSh_manualSeed(JNIEnv *env, jclass cls, jlong seed) {
    (void)env;
    (void)cls;
    torsh_manual_seed((uint64_t)seed);
}

/* ------------------------------------------------------------------ tensor creation */

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_tensorFromArray(JNIEnv *env, jclass cls,
                                                             jfloatArray data,
                                                             jlongArray shape) {
    (void)cls;
    int64_t *dims;
    int ndim;
    if (!read_shape(env, shape, &dims, &ndim)) return 0;
    torsh_tensor_t *t = NULL;
    if (data == NULL) {
        t = torsh_tensor_from_array(NULL, dims, ndim, TORSH_F32); /* NULL_ARGUMENT */
    } else if (check_fill(env, (*env)->GetArrayLength(env, data), dims, ndim)) {
        jfloat *values = (*env)->GetFloatArrayElements(env, data, NULL);
        if (values != NULL) {
            t = torsh_tensor_from_array(values, dims, ndim, TORSH_F32);
            (*env)->ReleaseFloatArrayElements(env, data, values, JNI_ABORT);
        }
    }
    free(dims);
    if ((*env)->ExceptionCheck(env)) {
        torsh_tensor_release(t);
        return 0;
    }
    return tensor_result(env, t, "torsh_tensor_from_array");
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_tensorFromLongArray(JNIEnv *env, jclass cls,
                                                                 jlongArray data,
                                                                 jlongArray shape) {
    (void)cls;
    int64_t *dims;
    int ndim;
    if (!read_shape(env, shape, &dims, &ndim)) return 0;
    torsh_tensor_t *t = NULL;
    if (data == NULL) {
        t = torsh_tensor_from_array(NULL, dims, ndim, TORSH_I64);
    } else if (check_fill(env, (*env)->GetArrayLength(env, data), dims, ndim)) {
        jlong *values = (*env)->GetLongArrayElements(env, data, NULL);
        if (values != NULL) {
            t = torsh_tensor_from_array(values, dims, ndim, TORSH_I64);
            (*env)->ReleaseLongArrayElements(env, data, values, JNI_ABORT);
        }
    }
    free(dims);
    if ((*env)->ExceptionCheck(env)) {
        torsh_tensor_release(t);
        return 0;
    }
    return tensor_result(env, t, "torsh_tensor_from_array");
}

typedef torsh_tensor_t *(*shape_fn)(const int64_t *shape, int ndim, torsh_dtype_t dtype);

static jlong from_shape(JNIEnv *env, jlongArray shape, jint dtype, shape_fn fn,
                        const char *what) {
    int64_t *dims;
    int ndim;
    if (!read_shape(env, shape, &dims, &ndim)) return 0;
    torsh_tensor_t *t = fn(dims, ndim, (torsh_dtype_t)dtype);
    free(dims);
    return tensor_result(env, t, what);
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_tensorZeros(JNIEnv *env, jclass cls,
                                                         jlongArray shape, jint dtype) {
    (void)cls;
    return from_shape(env, shape, dtype, torsh_tensor_zeros, "torsh_tensor_zeros");
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_tensorRand(JNIEnv *env, jclass cls,
                                                        jlongArray shape, jint dtype) {
    (void)cls;
    return from_shape(env, shape, dtype, torsh_tensor_rand, "torsh_tensor_rand");
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_tensorRandn(JNIEnv *env, jclass cls,
                                                         jlongArray shape, jint dtype) {
    (void)cls;
    return from_shape(env, shape, dtype, torsh_tensor_randn, "torsh_tensor_randn");
}

/* ------------------------------------------------------------------ tensor properties */

JNIEXPORT void JNICALL Java_org_torsh_ToRSh_release(JNIEnv *env, jclass cls, jlong t) {
    (void)cls;
    check_status(env, torsh_tensor_release(TENSOR(t)), "torsh_tensor_release");
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_retain(JNIEnv *env, jclass cls, jlong t) {
    (void)cls;
    torsh_status_t status = torsh_tensor_retain(TENSOR(t));
    if (status != TORSH_OK) throw_last(env, (int)status, "torsh_tensor_retain");
    return t;
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_refcount(JNIEnv *env, jclass cls, jlong t) {
    (void)cls;
    int64_t n = torsh_tensor_refcount(TENSOR(t));
    if (n < 0) throw_last(env, TORSH_OK, "torsh_tensor_refcount");
    return n;
}

JNIEXPORT jint JNICALL Java_org_torsh_ToRSh_ndim(JNIEnv *env, jclass cls, jlong t) {
    (void)cls;
    int n = torsh_tensor_ndim(TENSOR(t));
    if (n < 0) throw_last(env, TORSH_OK, "torsh_tensor_ndim");
    return n;
}

JNIEXPORT jlongArray JNICALL Java_org_torsh_ToRSh_shape(JNIEnv *env, jclass cls, jlong t) {
    (void)cls;
    int ndim = torsh_tensor_ndim(TENSOR(t));
    const int64_t *dims = ndim < 0 ? NULL : torsh_tensor_shape(TENSOR(t));
    if (dims == NULL) {
        throw_last(env, TORSH_OK, "torsh_tensor_shape");
        return NULL;
    }
    jlongArray out = (*env)->NewLongArray(env, ndim);
    if (out != NULL && ndim > 0) (*env)->SetLongArrayRegion(env, out, 0, ndim, (const jlong *)dims);
    return out;
}

JNIEXPORT jint JNICALL Java_org_torsh_ToRSh_dtype(JNIEnv *env, jclass cls, jlong t) {
    (void)cls;
    torsh_dtype_t d = torsh_tensor_dtype(TENSOR(t));
    if (d == TORSH_DTYPE_INVALID) throw_last(env, TORSH_OK, "torsh_tensor_dtype");
    return (jint)d;
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_numel(JNIEnv *env, jclass cls, jlong t) {
    (void)cls;
    int64_t n = torsh_tensor_numel(TENSOR(t));
    if (n < 0) throw_last(env, TORSH_OK, "torsh_tensor_numel");
    return n;
}

/* The elements in row-major order as float: an f32 contiguous tensor is read directly,
 * anything else through a contiguous f32 copy (torsh_cast / torsh_tensor_contiguous). */
JNIEXPORT jfloatArray JNICALL Java_org_torsh_ToRSh_toFloatArray(JNIEnv *env, jclass cls,
                                                                jlong handle) {
    (void)cls;
    torsh_tensor_t *t = TENSOR(handle);
    torsh_dtype_t dtype = torsh_tensor_dtype(t);
    int contiguous = dtype == TORSH_DTYPE_INVALID ? -1 : torsh_tensor_is_contiguous(t);
    if (contiguous < 0) {
        throw_last(env, TORSH_OK, "toFloatArray");
        return NULL;
    }
    torsh_tensor_t *src = t;
    if (dtype != TORSH_F32) {
        src = torsh_cast(t, TORSH_F32);
        if (src == NULL) {
            throw_last(env, TORSH_OK, "torsh_cast");
            return NULL;
        }
    } else if (!contiguous) {
        src = torsh_tensor_contiguous(t);
        if (src == NULL) {
            throw_last(env, TORSH_OK, "torsh_tensor_contiguous");
            return NULL;
        }
    }
    jfloatArray out = NULL;
    int64_t numel = torsh_tensor_numel(src);
    const float *data = numel > 0 ? torsh_tensor_data_ptr(src) : NULL;
    if (numel < 0 || (numel > 0 && data == NULL)) {
        throw_last(env, TORSH_OK, "toFloatArray");
    } else if (numel > INT32_MAX - 8) {
        throw_format(env, TORSH_ERR_INVALID_ARGUMENT,
                     "%lld elements do not fit in a Java array", (long long)numel);
    } else {
        out = (*env)->NewFloatArray(env, (jsize)numel);
        if (out != NULL && numel > 0) (*env)->SetFloatArrayRegion(env, out, 0, (jsize)numel, data);
    }
    if (src != t) torsh_tensor_release(src);
    return out;
}

/* ------------------------------------------------------------------ ops */

#define BINARY_OP(java_name, c_fn)                                                          \
    JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_##java_name(JNIEnv *env, jclass cls,      \
                                                             jlong a, jlong b) {           \
        (void)cls;                                                                         \
        return tensor_result(env, c_fn(TENSOR(a), TENSOR(b)), #c_fn);                      \
    }

#define UNARY_OP(java_name, c_fn)                                                           \
    JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_##java_name(JNIEnv *env, jclass cls,      \
                                                             jlong t) {                    \
        (void)cls;                                                                         \
        return tensor_result(env, c_fn(TENSOR(t)), #c_fn);                                 \
    }

BINARY_OP(add, torsh_add)
BINARY_OP(sub, torsh_sub)
BINARY_OP(mul, torsh_mul)
BINARY_OP(div, torsh_div)
BINARY_OP(pow, torsh_pow)
BINARY_OP(matmul, torsh_matmul)
BINARY_OP(mseLoss, torsh_mse_loss)
BINARY_OP(crossEntropy, torsh_cross_entropy)

UNARY_OP(neg, torsh_neg)
UNARY_OP(exp, torsh_exp)
UNARY_OP(log, torsh_log)
UNARY_OP(sqrt, torsh_sqrt)
UNARY_OP(tanh, torsh_tanh)
UNARY_OP(sigmoid, torsh_sigmoid)
UNARY_OP(relu, torsh_relu)
UNARY_OP(gelu, torsh_gelu)
UNARY_OP(sum, torsh_sum)
UNARY_OP(mean, torsh_mean)
UNARY_OP(max, torsh_max)
UNARY_OP(contiguous, torsh_contiguous)

#define DIM_OP(java_name, c_fn)                                                             \
    JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_##java_name(JNIEnv *env, jclass cls,      \
                                                             jlong t, jint dim,            \
                                                             jboolean keepdim) {           \
        (void)cls;                                                                         \
        return tensor_result(env, c_fn(TENSOR(t), (int)dim, keepdim == JNI_TRUE), #c_fn);  \
    }

DIM_OP(sumDim, torsh_sum_dim)
DIM_OP(meanDim, torsh_mean_dim)
DIM_OP(maxDim, torsh_max_dim)

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_softmax(JNIEnv *env, jclass cls, jlong t,
                                                     jint dim) {
    (void)cls;
    return tensor_result(env, torsh_softmax(TENSOR(t), (int)dim), "torsh_softmax");
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_logSoftmax(JNIEnv *env, jclass cls, jlong t,
                                                        jint dim) {
    (void)cls;
    return tensor_result(env, torsh_log_softmax(TENSOR(t), (int)dim), "torsh_log_softmax");
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_reshape(JNIEnv *env, jclass cls, jlong t,
                                                     jlongArray shape) {
    (void)cls;
    int64_t *dims;
    int ndim;
    if (!read_shape(env, shape, &dims, &ndim)) return 0;
    torsh_tensor_t *out = torsh_reshape(TENSOR(t), dims, ndim);
    free(dims);
    return tensor_result(env, out, "torsh_reshape");
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_transpose(JNIEnv *env, jclass cls, jlong t,
                                                       jint dim0, jint dim1) {
    (void)cls;
    return tensor_result(env, torsh_transpose(TENSOR(t), (int)dim0, (int)dim1),
                         "torsh_transpose");
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_cast(JNIEnv *env, jclass cls, jlong t,
                                                  jint dtype) {
    (void)cls;
    return tensor_result(env, torsh_cast(TENSOR(t), (torsh_dtype_t)dtype), "torsh_cast");
}

JNIEXPORT void JNICALL Java_org_torsh_ToRSh_fill(JNIEnv *env, jclass cls, jlong t,
                                                 jdouble value) {
    (void)cls;
    check_status(env, torsh_fill(TENSOR(t), value), "torsh_fill");
}

/* ------------------------------------------------------------------ autograd */

JNIEXPORT void JNICALL Java_org_torsh_ToRSh_setRequiresGrad(JNIEnv *env, jclass cls, jlong t,
                                                            jboolean requires_grad) {
    (void)cls;
    check_status(env, torsh_tensor_set_requires_grad(TENSOR(t), requires_grad == JNI_TRUE),
                 "torsh_tensor_set_requires_grad");
}

JNIEXPORT jboolean JNICALL Java_org_torsh_ToRSh_requiresGrad(JNIEnv *env, jclass cls,
                                                             jlong t) {
    (void)cls;
    int r = torsh_tensor_requires_grad(TENSOR(t));
    if (r < 0) throw_last(env, TORSH_OK, "torsh_tensor_requires_grad");
    return r == 1 ? JNI_TRUE : JNI_FALSE;
}

/* The gradient (a new reference), or 0 when t has none yet: torsh_tensor_grad returns
 * NULL then without recording an error, so the last error is cleared first. */
JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_grad(JNIEnv *env, jclass cls, jlong t) {
    (void)cls;
    torsh_clear_error();
    torsh_tensor_t *g = torsh_tensor_grad(TENSOR(t));
    if (g == NULL && torsh_last_error() != TORSH_OK) throw_last(env, TORSH_OK, "torsh_tensor_grad");
    return HANDLE(g);
}

JNIEXPORT void JNICALL Java_org_torsh_ToRSh_tensorZeroGrad(JNIEnv *env, jclass cls, jlong t) {
    (void)cls;
    check_status(env, torsh_tensor_zero_grad(TENSOR(t)), "torsh_tensor_zero_grad");
}

JNIEXPORT void JNICALL Java_org_torsh_ToRSh_backward(JNIEnv *env, jclass cls, jlong loss,
                                                     jboolean retain_graph) {
    (void)cls;
    check_status(env, torsh_backward(TENSOR(loss), retain_graph == JNI_TRUE), "torsh_backward");
}

JNIEXPORT void JNICALL Java_org_torsh_ToRSh_noGradBegin(JNIEnv *env, jclass cls) {
    (void)env;
    (void)cls;
    torsh_no_grad_begin();
}

JNIEXPORT void JNICALL Java_org_torsh_ToRSh_noGradEnd(JNIEnv *env, jclass cls) {
    (void)cls;
    check_status(env, torsh_no_grad_end(), "torsh_no_grad_end");
}

/* ------------------------------------------------------------------ modules */

static jlong module_result(JNIEnv *env, torsh_module_t *m, const char *what) {
    if (m == NULL) throw_last(env, TORSH_OK, what);
    return HANDLE(m);
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_sequentialNew(JNIEnv *env, jclass cls) {
    (void)cls;
    return module_result(env, torsh_sequential_new(), "torsh_sequential_new");
}

/* Takes over `module`, even when it fails (torsh.h). */
JNIEXPORT void JNICALL Java_org_torsh_ToRSh_sequentialAdd(JNIEnv *env, jclass cls,
                                                          jlong sequential, jlong module) {
    (void)cls;
    check_status(env, torsh_sequential_add(MODULE(sequential), MODULE(module)),
                 "torsh_sequential_add");
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_linearNew(JNIEnv *env, jclass cls,
                                                       jlong in_features, jlong out_features,
                                                       jboolean bias) {
    (void)cls;
    return module_result(env, torsh_linear_new(in_features, out_features, bias == JNI_TRUE),
                         "torsh_linear_new");
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_reluNew(JNIEnv *env, jclass cls) {
    (void)cls;
    return module_result(env, torsh_relu_new(), "torsh_relu_new");
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_sigmoidNew(JNIEnv *env, jclass cls) {
    (void)cls;
    return module_result(env, torsh_sigmoid_new(), "torsh_sigmoid_new");
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_tanhNew(JNIEnv *env, jclass cls) {
    (void)cls;
    return module_result(env, torsh_tanh_new(), "torsh_tanh_new");
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_forward(JNIEnv *env, jclass cls, jlong module,
                                                     jlong input) {
    (void)cls;
    return tensor_result(env, torsh_module_forward(MODULE(module), TENSOR(input)),
                         "torsh_module_forward");
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_parameters(JNIEnv *env, jclass cls,
                                                        jlong module) {
    (void)cls;
    torsh_params_t *p = torsh_module_parameters(MODULE(module));
    if (p == NULL) throw_last(env, TORSH_OK, "torsh_module_parameters");
    return HANDLE(p);
}

JNIEXPORT void JNICALL Java_org_torsh_ToRSh_moduleFree(JNIEnv *env, jclass cls, jlong module) {
    (void)cls;
    check_status(env, torsh_module_free(MODULE(module)), "torsh_module_free");
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_paramsCount(JNIEnv *env, jclass cls,
                                                         jlong params) {
    (void)cls;
    int64_t n = torsh_params_count(PARAMS(params));
    if (n < 0) throw_last(env, TORSH_OK, "torsh_params_count");
    return n;
}

/* Parameter i as a new reference (torsh_params_get's result is borrowed; Java's Tensor
 * owns what it holds, so it is retained here). */
JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_paramsGet(JNIEnv *env, jclass cls, jlong params,
                                                       jlong i) {
    (void)cls;
    torsh_tensor_t *t = torsh_params_get(PARAMS(params), i);
    if (t == NULL) {
        throw_last(env, TORSH_OK, "torsh_params_get");
        return 0;
    }
    torsh_status_t status = torsh_tensor_retain(t);
    if (status != TORSH_OK) {
        throw_last(env, (int)status, "torsh_tensor_retain");
        return 0;
    }
    return HANDLE(t);
}

JNIEXPORT void JNICALL Java_org_torsh_ToRSh_paramsFree(JNIEnv *env, jclass cls, jlong params) {
    (void)cls;
    check_status(env, torsh_params_free(PARAMS(params)), "torsh_params_free");
}

/* ------------------------------------------------------------------ optimizers */

/* Both take over `params`, even when they fail (torsh.h). */
JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_adamNew(JNIEnv *env, jclass cls, jlong params,
                                                     jdouble lr, jdouble beta1, jdouble beta2,
                                                     jdouble eps) {
    (void)cls;
    torsh_optimizer_t *o = torsh_adam_new(PARAMS(params), lr, beta1, beta2, eps);
    if (o == NULL) throw_last(env, TORSH_OK, "torsh_adam_new");
    return HANDLE(o);
}

JNIEXPORT jlong JNICALL Java_org_torsh_ToRSh_sgdNew(JNIEnv *env, jclass cls, jlong params,
                                                    jdouble lr, jdouble momentum) {
    (void)cls;
    torsh_optimizer_t *o = torsh_sgd_new(PARAMS(params), lr, momentum);
    if (o == NULL) throw_last(env, TORSH_OK, "torsh_sgd_new");
    return HANDLE(o);
}

JNIEXPORT void JNICALL Java_org_torsh_ToRSh_zeroGrad(JNIEnv *env, jclass cls, jlong optimizer) {
    (void)cls;
    check_status(env, torsh_optimizer_zero_grad(OPTIMIZER(optimizer)),
                 "torsh_optimizer_zero_grad");
}

JNIEXPORT void JNICALL Java_org_torsh_ToRSh_step(JNIEnv *env, jclass cls, jlong optimizer) {
    (void)cls;
    check_status(env, torsh_optimizer_step(OPTIMIZER(optimizer)), "torsh_optimizer_step");
}

JNIEXPORT void JNICALL Java_org_torsh_ToRSh_optimizerFree(JNIEnv *env, jclass cls,
                                                          jlong optimizer) {
    (void)cls;
    check_status(env, torsh_optimizer_free(OPTIMIZER(optimizer)), "torsh_optimizer_free");
}
