// expect: IRVerifyError 4:10 not a floating-point type
module {
  func.func @f(%arg0: tensor<2xi32>) -> tensor<2xi32> {
    %0 = "torsh.exp"(%arg0) : (tensor<2xi32>) -> tensor<2xi32>
    return %0 : tensor<2xi32>
  }
}
