// expect: IRVerifyError 4:10 does not match the inferred type
module {
  func.func @f() -> tensor<2xf32> {
    %0 = "torsh.constant"() {value = dense<1.0> : tensor<3xf32>} : () -> tensor<2xf32>
    return %0 : tensor<2xf32>
  }
}
