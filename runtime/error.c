/*
 * error.c: status strings, the thread-local last error, and torsh_error_t objects.
 *
 * Every failure is first recorded as the calling thread's last error (a code and a
 * message in thread-local storage, so recording never allocates and never fails).
 * The _with_error twins then copy it into a heap error object the caller owns.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define RT_MESSAGE_MAX 512

typedef struct rt_error {
    uint64_t handle;
    torsh_status_t code;
    char message[]; /* NUL-terminated */
} rt_error_t;

static _Thread_local torsh_status_t tls_code = TORSH_OK;
static _Thread_local char tls_message[RT_MESSAGE_MAX];

/* Returned instead of a heap error when allocating the error object itself fails: the
 * caller still learns that something failed, and freeing it is harmless. */
static const char static_oom_message[] =
    "out of memory (no memory was left to describe the original error)";

const char *torsh_status_string(torsh_status_t code) {
    switch (code) {
    case TORSH_OK: return "ok";
    case TORSH_ERR_NULL_ARGUMENT: return "null argument";
    case TORSH_ERR_INVALID_HANDLE: return "invalid handle";
    case TORSH_ERR_SHAPE_MISMATCH: return "shape mismatch";
    case TORSH_ERR_DTYPE: return "unsupported dtype";
    case TORSH_ERR_OUT_OF_MEMORY: return "out of memory";
    case TORSH_ERR_INDEX: return "index out of range";
    case TORSH_ERR_NOT_IMPLEMENTED: return "not implemented";
    case TORSH_ERR_INVALID_ARGUMENT: return "invalid argument";
    case TORSH_ERR_IR_PARSE: return "IR parse error";
    case TORSH_ERR_IR_VERIFY: return "IR verification error";
    case TORSH_ERR_COMPILE: return "compile error";
    case TORSH_ERR_INTERNAL: return "internal error";
    case TORSH_ERR_VERSION_MISMATCH: return "version mismatch";
    }
    return "unknown status";
}

torsh_status_t rt_fail_at(const char *fn, torsh_status_t code, const char *fmt, ...) {
    int n = snprintf(tls_message, sizeof tls_message, "%s: ", fn);
    if (n < 0 || (size_t)n >= sizeof tls_message) n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tls_message + n, sizeof tls_message - (size_t)n, fmt, ap);
    va_end(ap);
    tls_code = code;
    return code;
}

torsh_status_t torsh_debug_raise(torsh_status_t code) {
    if (code < TORSH_ERR_NULL_ARGUMENT || code > TORSH_ERR_VERSION_MISMATCH)
        return rt_fail_at(__func__, TORSH_ERR_INVALID_ARGUMENT, "%d is not an error code",
                          (int)code);
    return rt_fail_at(__func__, code, "injected %s", torsh_status_string(code));
}

torsh_status_t torsh_last_error(void) { return tls_code; }

const char *torsh_last_error_message(void) { return tls_message; }

void torsh_clear_error(void) {
    tls_code = TORSH_OK;
    tls_message[0] = '\0';
}

void rt_capture_error(torsh_error_t **err) {
    if (err == NULL) return;
    *err = rt_token(RT_STATIC_OOM_ERROR_HANDLE);
    size_t len = strlen(tls_message);
    rt_error_t *e = rt_alloc(sizeof *e + len + 1);
    if (e == NULL) return;
    e->code = tls_code;
    memcpy(e->message, tls_message, len + 1);
    e->handle = rt_handle_register(RT_KIND_ERROR, e);
    if (e->handle == 0) {
        rt_dealloc(e);
        return;
    }
    *err = rt_token(e->handle);
}

/* Resolves err for the accessors; *out stays NULL for the static error. */
static torsh_status_t get_error(const char *fn, const torsh_error_t *err, rt_error_t **out) {
    *out = NULL;
    if (err == NULL) return rt_fail_at(fn, TORSH_ERR_NULL_ARGUMENT, "err is NULL");
    if (rt_bits(err) == RT_STATIC_OOM_ERROR_HANDLE) return TORSH_OK;
    *out = rt_handle_lookup(rt_bits(err), RT_KIND_ERROR);
    if (*out == NULL)
        return rt_fail_at(fn, TORSH_ERR_INVALID_HANDLE,
                          "err is not a live error (freed already, or never an error)");
    return TORSH_OK;
}

const char *torsh_error_message(const torsh_error_t *err) {
    rt_error_t *e;
    if (get_error(__func__, err, &e) != TORSH_OK) return NULL;
    return e ? e->message : static_oom_message;
}

torsh_status_t torsh_error_code(const torsh_error_t *err) {
    rt_error_t *e;
    torsh_status_t st = get_error(__func__, err, &e);
    if (st != TORSH_OK) return st;
    return e ? e->code : TORSH_ERR_OUT_OF_MEMORY;
}

torsh_status_t torsh_error_free(torsh_error_t *err) {
    if (err == NULL) return TORSH_OK;
    rt_error_t *e;
    torsh_status_t st = get_error(__func__, err, &e);
    if (st != TORSH_OK || e == NULL) return st;
    rt_handle_unregister(e->handle);
    rt_dealloc(e);
    return TORSH_OK;
}
