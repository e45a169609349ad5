// expect: IRParseError 4:45 does not match tensor<3xf32>
module {
  func.func @f() -> tensor<3xf32> {
    %0 = "torsh.constant"() {value = dense<[1.0, 2.0]> : tensor<3xf32>} : () -> tensor<3xf32>
    return %0 : tensor<3xf32>
  }
}
