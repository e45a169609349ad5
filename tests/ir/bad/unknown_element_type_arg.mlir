// expect: IRParseError 3:23 unknown element type
module {
  func.func @f(%arg0: tensor<2xq8>) {
    return
  }
}
