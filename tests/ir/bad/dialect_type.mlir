// expect: IRParseError 3:23 '!'
module {
  func.func @f(%arg0: !foo.bar) {
    return
  }
}
