// expect: IRVerifyError 4:12 exactly one result, has 2
module {
  func.func @f(%arg0: tensor<2xf32>, %arg1: tensor<2xf32>) -> tensor<2xf32> {
    %0:2 = "torsh.neg"(%arg0) : (tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>)
    return %0#0 : tensor<2xf32>
  }
}
