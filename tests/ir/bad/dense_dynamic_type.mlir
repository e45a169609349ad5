// expect: IRParseError 4:38 needs a static type
module {
  func.func @f() -> tensor<?xf32> {
    %0 = "torsh.constant"() {value = dense<1.0> : tensor<?xf32>} : () -> tensor<?xf32>
    return %0 : tensor<?xf32>
  }
}
