// expect: IRParseError 4:44 out of range for f16
module {
  func.func @f() -> tensor<f16> {
    %0 = "torsh.constant"() {value = dense<70000.0> : tensor<f16>} : () -> tensor<f16>
    return %0 : tensor<f16>
  }
}
