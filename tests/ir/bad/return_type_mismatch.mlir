// expect: IRVerifyError 4:5 do not match the declared results
module {
  func.func @f(%arg0: tensor<2xf32>) -> tensor<3xf32> {
    return %arg0 : tensor<2xf32>
  }
}
