module {
  func.func @broadcast(%arg0: tensor<2x1x3xf32>, %arg1: tensor<4x1xf32>, %arg2: tensor<f32>) -> tensor<2x4x3xf32> {
    %0 = "torsh.add"(%arg0, %arg1) : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
    %1 = "torsh.mul"(%0, %arg2) : (tensor<2x4x3xf32>, tensor<f32>) -> tensor<2x4x3xf32>
    %2 = "torsh.minimum"(%1, %arg1) : (tensor<2x4x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
    %3 = "torsh.sub"(%arg0, %arg2) : (tensor<2x1x3xf32>, tensor<f32>) -> tensor<2x1x3xf32>
    %4 = "torsh.maximum"(%2, %3) : (tensor<2x4x3xf32>, tensor<2x1x3xf32>) -> tensor<2x4x3xf32>
    %5 = "torsh.abs"(%4) : (tensor<2x4x3xf32>) -> tensor<2x4x3xf32>
    %6 = "torsh.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
    %7 = "torsh.add"(%5, %6) : (tensor<2x4x3xf32>, tensor<f32>) -> tensor<2x4x3xf32>
    %8 = "torsh.constant"() {value = dense<[0.5, 2.0, -1.0]> : tensor<3xf32>} : () -> tensor<3xf32>
    %9 = "torsh.pow"(%7, %8) : (tensor<2x4x3xf32>, tensor<3xf32>) -> tensor<2x4x3xf32>
    return %9 : tensor<2x4x3xf32>
  }
  func.func @broadcast_empty(%arg0: tensor<0x3xf64>, %arg1: tensor<3xf64>, %arg2: tensor<1x1xf64>) -> (tensor<0x3xf64>, tensor<1x3xf64>) {
    %0 = "torsh.add"(%arg0, %arg1) : (tensor<0x3xf64>, tensor<3xf64>) -> tensor<0x3xf64>
    %1 = "torsh.mul"(%0, %arg2) : (tensor<0x3xf64>, tensor<1x1xf64>) -> tensor<0x3xf64>
    %2 = "torsh.sub"(%arg2, %arg1) : (tensor<1x1xf64>, tensor<3xf64>) -> tensor<1x3xf64>
    return %1, %2 : tensor<0x3xf64>, tensor<1x3xf64>
  }
}
