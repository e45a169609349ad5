// expect: IRParseError 3:23 unexpected
module {
  func.func @f(%arg0: tensor<-1xf32>) {
    return
  }
}
