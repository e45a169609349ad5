// expect: IRVerifyError 4:10 attribute 'keepdim' must be of kind bool
module {
  func.func @f(%arg0: tensor<2xf32>, %arg1: tensor<2xf32>) -> tensor<2xf32> {
    %0 = "torsh.sum"(%arg0) {axes = [0], keepdim = 1} : (tensor<2xf32>) -> tensor<f32>
    return %arg0 : tensor<2xf32>
  }
}
