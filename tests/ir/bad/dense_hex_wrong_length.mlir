// expect: IRParseError 4:44 hex data has 2 bytes
module {
  func.func @f() -> tensor<3xf32> {
    %0 = "torsh.constant"() {value = dense<"0x0000"> : tensor<3xf32>} : () -> tensor<3xf32>
    return %0 : tensor<3xf32>
  }
}
