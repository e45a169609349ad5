// expect: IRParseError 3:23 memref
module {
  func.func @f(%arg0: memref<2xf32>) {
    return
  }
}
