// expect: IRParseError 3:13 unexpected
module {
  func.func @1abc() {
    return
  }
}
