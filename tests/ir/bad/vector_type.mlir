// expect: IRParseError 3:23 vector
module {
  func.func @f(%arg0: vector<4xf32>) {
    return
  }
}
