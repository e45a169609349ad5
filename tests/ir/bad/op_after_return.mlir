// expect: IRParseError 5:5 unexpected
module {
  func.func @f(%arg0: tensor<2xf32>) -> tensor<2xf32> {
    return %arg0 : tensor<2xf32>
    %0 = "torsh.neg"(%arg0) : (tensor<2xf32>) -> tensor<2xf32>
  }
}
