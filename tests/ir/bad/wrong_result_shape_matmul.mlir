// expect: IRVerifyError 4:10 does not match the inferred type tensor<2x5xf32>
module {
  func.func @f(%arg0: tensor<2x3xf32>, %arg1: tensor<3x5xf32>) -> tensor<5x2xf32> {
    %0 = "torsh.matmul"(%arg0, %arg1) : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<5x2xf32>
    return %0 : tensor<5x2xf32>
  }
}
