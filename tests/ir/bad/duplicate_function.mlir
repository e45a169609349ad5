// expect: IRVerifyError 6:13 defined twice
module {
  func.func @f() {
    return
  }
  func.func @f() {
    return
  }
}
