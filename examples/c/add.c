/* The first program of the C API: add two tensors (as specified, plus a printout). */
#include <stdio.h>
#include <torsh.h>
int main() {
    torsh_init();
    float data[] = {1.0, 2.0, 3.0, 4.0};
    int64_t shape[] = {2, 2};
    torsh_tensor_t* tensor = torsh_tensor_from_array(data, shape, 2, TORSH_F32);
    torsh_tensor_t* result = torsh_add(tensor, tensor);
    float* result_data = torsh_tensor_data_ptr(result);
    printf("tensor + tensor = [[%g, %g], [%g, %g]]\n", result_data[0], result_data[1],
           result_data[2], result_data[3]);
    torsh_tensor_free(tensor);
    torsh_tensor_free(result);
    torsh_cleanup();
    return 0;
}
