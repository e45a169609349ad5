// expect: IRParseError 4:44 expected true or false
module {
  func.func @f() -> tensor<i1> {
    %0 = "torsh.constant"() {value = dense<1> : tensor<i1>} : () -> tensor<i1>
    return %0 : tensor<i1>
  }
}
