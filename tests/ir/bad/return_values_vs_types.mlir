// expect: IRParseError 4:5 return has 2 value(s) but 1 type(s)
module {
  func.func @f(%arg0: tensor<2xf32>) -> tensor<2xf32> {
    return %arg0, %arg0 : tensor<2xf32>
  }
}
