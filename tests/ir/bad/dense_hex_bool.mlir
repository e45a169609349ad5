// expect: IRParseError 4:44 one bit per element
module {
  func.func @f() -> tensor<3xi1> {
    %0 = "torsh.constant"() {value = dense<"0x0102"> : tensor<3xi1>} : () -> tensor<3xi1>
    return %0 : tensor<3xi1>
  }
}
