module {
  func.func @reduce(%arg0: tensor<2x3x4xf32>) -> (tensor<1x3x1xf32>, tensor<2x3xf32>, tensor<2x4xf32>, tensor<f32>, tensor<2x1x4xf32>, tensor<2x4xi64>, tensor<2x3x1xi64>) {
    %0 = "torsh.sum"(%arg0) {axes = [0, 2], keepdim = true} : (tensor<2x3x4xf32>) -> tensor<1x3x1xf32>
    %1 = "torsh.prod"(%arg0) {axes = [-1], keepdim = false} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
    %2 = "torsh.mean"(%arg0) {axes = [1], keepdim = false} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
    %3 = "torsh.max"(%arg0) {axes = [0, 1, 2], keepdim = false} : (tensor<2x3x4xf32>) -> tensor<f32>
    %4 = "torsh.min"(%arg0) {axes = [-2], keepdim = true} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
    %5 = "torsh.argmax"(%arg0) {axis = 1, keepdim = false} : (tensor<2x3x4xf32>) -> tensor<2x4xi64>
    %6 = "torsh.argmin"(%arg0) {axis = -1, keepdim = true} : (tensor<2x3x4xf32>) -> tensor<2x3x1xi64>
    return %0, %1, %2, %3, %4, %5, %6 : tensor<1x3x1xf32>, tensor<2x3xf32>, tensor<2x4xf32>, tensor<f32>, tensor<2x1x4xf32>, tensor<2x4xi64>, tensor<2x3x1xi64>
  }
  func.func @reduce_int(%arg0: tensor<3x4xi32>) -> (tensor<3xi32>, tensor<1x4xi32>, tensor<3x4xi32>, tensor<1x4xi64>) {
    %0 = "torsh.sum"(%arg0) {axes = [1], keepdim = false} : (tensor<3x4xi32>) -> tensor<3xi32>
    %1 = "torsh.prod"(%arg0) {axes = [0], keepdim = true} : (tensor<3x4xi32>) -> tensor<1x4xi32>
    %2 = "torsh.max"(%arg0) {axes = [], keepdim = false} : (tensor<3x4xi32>) -> tensor<3x4xi32>
    %3 = "torsh.argmax"(%arg0) {axis = 0, keepdim = true} : (tensor<3x4xi32>) -> tensor<1x4xi64>
    return %0, %1, %2, %3 : tensor<3xi32>, tensor<1x4xi32>, tensor<3x4xi32>, tensor<1x4xi64>
  }
  func.func @reduce_scalar(%arg0: tensor<f64>) -> (tensor<f64>, tensor<f64>, tensor<i64>) {
    %0 = "torsh.sum"(%arg0) {axes = [], keepdim = false} : (tensor<f64>) -> tensor<f64>
    %1 = "torsh.max"(%arg0) {axes = [0], keepdim = true} : (tensor<f64>) -> tensor<f64>
    %2 = "torsh.argmin"(%arg0) {axis = 0, keepdim = false} : (tensor<f64>) -> tensor<i64>
    return %0, %1, %2 : tensor<f64>, tensor<f64>, tensor<i64>
  }
  func.func @any_all(%arg0: tensor<2x3xi1>) -> (tensor<2xi1>, tensor<i1>) {
    %0 = "torsh.max"(%arg0) {axes = [1], keepdim = false} : (tensor<2x3xi1>) -> tensor<2xi1>
    %1 = "torsh.min"(%arg0) {axes = [0, 1], keepdim = false} : (tensor<2x3xi1>) -> tensor<i1>
    return %0, %1 : tensor<2xi1>, tensor<i1>
  }
}
