/*
 * lifecycle.c: versions, torsh_init and torsh_cleanup.
 *
 * Nothing in the runtime requires torsh_init: the handle table grows on demand and the
 * workers start at the first parallel launch, so a library loaded through ctypes works
 * without a setup call. torsh_init exists to surface configuration errors early and to
 * pair with torsh_cleanup, which gives back what the runtime holds between calls.
 */
#include "internal.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

int torsh_version_number(void) { return TORSH_VERSION_NUMBER; }

const char *torsh_version_string(void) {
    return STRINGIFY(TORSH_VERSION_MAJOR) "." STRINGIFY(TORSH_VERSION_MINOR) "." STRINGIFY(
        TORSH_VERSION_PATCH);
}

torsh_status_t torsh_init(void) { return rt_threads_check_env(); }

void torsh_cleanup(void) {
    rt_threads_shutdown();
    rt_handles_shutdown();
}
