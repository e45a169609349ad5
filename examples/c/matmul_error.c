/* Errors from the C API: a shape mismatch in torsh_matmul_with_error (as specified). */
#include <stdio.h>
#include <torsh.h>

static int multiply(const torsh_tensor_t *a, const torsh_tensor_t *b) {
    torsh_error_t* error = NULL;
    torsh_tensor_t* result = torsh_matmul_with_error(a, b, &error);
    if (error != NULL) {
        const char* msg = torsh_error_message(error);
        fprintf(stderr, "Error: %s\n", msg);
        torsh_error_free(error);
        return -1;
    }
    const int64_t *shape = torsh_tensor_shape(result);
    printf("matmul result shape: (%lld, %lld)\n", (long long)shape[0], (long long)shape[1]);
    torsh_tensor_free(result);
    return 0;
}

int main(void) {
    int64_t s23[] = {2, 3}, s34[] = {3, 4}, s45[] = {4, 5};
    torsh_tensor_t *a = torsh_tensor_zeros(s23, 2, TORSH_F32);
    torsh_tensor_t *b = torsh_tensor_zeros(s34, 2, TORSH_F32);
    torsh_tensor_t *c = torsh_tensor_zeros(s45, 2, TORSH_F32);
    int ok = multiply(a, b);   /* (2, 3) @ (3, 4): fine */
    int bad = multiply(a, c);  /* (2, 3) @ (4, 5): a shape mismatch, reported */
    torsh_tensor_free(a);
    torsh_tensor_free(b);
    torsh_tensor_free(c);
    torsh_cleanup();
    return ok == 0 && bad == -1 ? 0 : 1;
}
