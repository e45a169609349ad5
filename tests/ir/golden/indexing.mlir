module {
  func.func @embedding(%arg0: tensor<10x4xf32>, %arg1: tensor<2x3xi64>) -> tensor<2x3x4xf32> {
    %0 = "torsh.take"(%arg0, %arg1) {axis = 0} : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
    return %0 : tensor<2x3x4xf32>
  }
  func.func @select(%arg0: tensor<3x5xf64>, %arg1: tensor<3x2xi32>) -> (tensor<3x2xf64>, tensor<3x1xf64>, tensor<3x2xf64>) {
    %0 = "torsh.argmax"(%arg0) {axis = -1, keepdim = true} : (tensor<3x5xf64>) -> tensor<3x1xi64>
    %1 = "torsh.gather"(%arg0, %arg1) {axis = 1} : (tensor<3x5xf64>, tensor<3x2xi32>) -> tensor<3x2xf64>
    %2 = "torsh.gather"(%arg0, %0) {axis = -1} : (tensor<3x5xf64>, tensor<3x1xi64>) -> tensor<3x1xf64>
    %3 = "torsh.constant"() {value = dense<[4, 0]> : tensor<2xi32>} : () -> tensor<2xi32>
    %4 = "torsh.take"(%arg0, %3) {axis = -1} : (tensor<3x5xf64>, tensor<2xi32>) -> tensor<3x2xf64>
    return %1, %2, %4 : tensor<3x2xf64>, tensor<3x1xf64>, tensor<3x2xf64>
  }
}
