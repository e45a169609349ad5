// expect: IRParseError 5:3 expected
module {
  func.func @f(%arg0: tensor<2xf32>) -> tensor<2xf32> {
    %0 = "torsh.neg"(%arg0) : (tensor<2xf32>) -> tensor<2xf32>
  }
}
