// expect: IRVerifyError 4:10 not a permutation
module {
  func.func @f(%arg0: tensor<2x3xf32>) -> tensor<2x2xf32> {
    %0 = "torsh.permute"(%arg0) {dims = [0, 0]} : (tensor<2x3xf32>) -> tensor<2x2xf32>
    return %0 : tensor<2x2xf32>
  }
}
