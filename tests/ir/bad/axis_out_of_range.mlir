// expect: IRVerifyError 4:10 axis 3 is out of range
module {
  func.func @f(%arg0: tensor<2xf32>, %arg1: tensor<2xf32>) -> tensor<2xf32> {
    %0 = "torsh.sum"(%arg0) {axes = [3]} : (tensor<2xf32>) -> tensor<f32>
    return %arg0 : tensor<2xf32>
  }
}
