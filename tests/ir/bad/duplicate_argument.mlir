// expect: IRParseError 3:35 defined twice
module {
  func.func @f(%x: tensor<2xf32>, %x: tensor<2xf32>) {
    return
  }
}
