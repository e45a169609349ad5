// expect: IRParseError 4:38 empty dense literal
module {
  func.func @f() -> tensor<2xf32> {
    %0 = "torsh.constant"() {value = dense<> : tensor<2xf32>} : () -> tensor<2xf32>
    return %0 : tensor<2xf32>
  }
}
