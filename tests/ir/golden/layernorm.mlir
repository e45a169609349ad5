module {
  func.func @layernorm(%arg0: tensor<2x3x8xf32>, %arg1: tensor<8xf32>, %arg2: tensor<8xf32>) -> tensor<2x3x8xf32> {
    %0 = "torsh.mean"(%arg0) {axes = [-1], keepdim = true} : (tensor<2x3x8xf32>) -> tensor<2x3x1xf32>
    %1 = "torsh.sub"(%arg0, %0) : (tensor<2x3x8xf32>, tensor<2x3x1xf32>) -> tensor<2x3x8xf32>
    %2 = "torsh.mul"(%1, %1) : (tensor<2x3x8xf32>, tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
    %3 = "torsh.mean"(%2) {axes = [-1], keepdim = true} : (tensor<2x3x8xf32>) -> tensor<2x3x1xf32>
    %4 = "torsh.constant"() {value = dense<1.0e-05> : tensor<f32>} : () -> tensor<f32>
    %5 = "torsh.add"(%3, %4) : (tensor<2x3x1xf32>, tensor<f32>) -> tensor<2x3x1xf32>
    %6 = "torsh.rsqrt"(%5) : (tensor<2x3x1xf32>) -> tensor<2x3x1xf32>
    %7 = "torsh.mul"(%1, %6) : (tensor<2x3x8xf32>, tensor<2x3x1xf32>) -> tensor<2x3x8xf32>
    %8 = "torsh.mul"(%7, %arg1) : (tensor<2x3x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
    %9 = "torsh.add"(%8, %arg2) : (tensor<2x3x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
    return %9 : tensor<2x3x8xf32>
  }
}
