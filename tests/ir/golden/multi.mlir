module {
  func.func @pair(%arg0: tensor<2xf32>, %arg1: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
    %0 = "torsh.add"(%arg0, %arg1) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %1 = "torsh.sub"(%arg0, %arg1) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    return %0, %1, %arg0 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
  }
  func.func @nothing(%arg0: tensor<2xf32>) {
    return
  }
  func.func @seven() -> tensor<i32> {
    %0 = "torsh.constant"() {value = dense<7> : tensor<i32>} : () -> tensor<i32>
    return %0 : tensor<i32>
  }
  func.func @"quoted name-1"(%arg0: tensor<1xi64>) -> tensor<1xi64> {
    %0 = "torsh.mul"(%arg0, %arg0) : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
    return %0 : tensor<1xi64>
  }
}
