// expect: IRParseError 4:44 unexpected 'yes' in a dense literal
module {
  func.func @f() -> tensor<i1> {
    %0 = "torsh.constant"() {value = dense<yes> : tensor<i1>} : () -> tensor<i1>
    return %0 : tensor<i1>
  }
}
