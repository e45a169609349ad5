// expect: IRParseError 3:14 bad escape '\z'
module {
  func.func @"a\zb"() {
    return
  }
}
