// expect: IRVerifyError 4:5 exactly one result, has 0
module {
  func.func @f(%arg0: tensor<2xf32>, %arg1: tensor<2xf32>) -> tensor<2xf32> {
    "torsh.neg"(%arg0) : (tensor<2xf32>) -> ()
    return %arg0 : tensor<2xf32>
  }
}
