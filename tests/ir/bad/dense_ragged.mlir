// expect: IRParseError 4:52 nests 1 deep
module {
  func.func @f() -> tensor<2x1xf32> {
    %0 = "torsh.constant"() {value = dense<[[1.0], 2.0]> : tensor<2x1xf32>} : () -> tensor<2x1xf32>
    return %0 : tensor<2x1xf32>
  }
}
