// expect: IRVerifyError 4:10 cannot reshape tensor<2xf32>
module {
  func.func @f(%arg0: tensor<2xf32>) -> tensor<3xf32> {
    %0 = "torsh.reshape"(%arg0) {shape = [3]} : (tensor<2xf32>) -> tensor<3xf32>
    return %0 : tensor<3xf32>
  }
}
