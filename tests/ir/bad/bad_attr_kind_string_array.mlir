// expect: IRVerifyError 4:10 attribute 'dims' must be of kind ints
module {
  func.func @f(%arg0: tensor<2xf32>, %arg1: tensor<2xf32>) -> tensor<2xf32> {
    %0 = "torsh.permute"(%arg0) {dims = ["0"]} : (tensor<2xf32>) -> tensor<2xf32>
    return %0 : tensor<2xf32>
  }
}
