// expect: IRParseError 3:23 expected a tensor type
module {
  func.func @f(%arg0: tensor<*xf32>) {
    return
  }
}
