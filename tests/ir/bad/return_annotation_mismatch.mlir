// expect: IRParseError 4:12 has type tensor<2xf32>, not tensor<2xf64>
module {
  func.func @f(%arg0: tensor<2xf32>) -> tensor<2xf32> {
    return %arg0 : tensor<2xf64>
  }
}
