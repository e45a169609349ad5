// expect: IRParseError 5:12 undefined value %0#1
module {
  func.func @f(%arg0: tensor<2xf32>, %arg1: tensor<2xf32>) -> tensor<2xf32> {
    %0 = "torsh.neg"(%arg0) : (tensor<2xf32>) -> tensor<2xf32>
    return %0#1 : tensor<2xf32>
  }
}
