// expect: IRParseError 8:12 undefined value %0
module {
  func.func @f(%arg0: tensor<2xf32>) -> tensor<2xf32> {
    %0 = "torsh.neg"(%arg0) : (tensor<2xf32>) -> tensor<2xf32>
    return %0 : tensor<2xf32>
  }
  func.func @g(%arg0: tensor<2xf32>) -> tensor<2xf32> {
    return %0 : tensor<2xf32>
  }
}
