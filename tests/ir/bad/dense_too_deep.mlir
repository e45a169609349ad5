// expect: IRParseError 4:46 does not match tensor<2xf32>
module {
  func.func @f() -> tensor<2xf32> {
    %0 = "torsh.constant"() {value = dense<[[1.0], [2.0]]> : tensor<2xf32>} : () -> tensor<2xf32>
    return %0 : tensor<2xf32>
  }
}
