// expect: IRParseError 4:44 hex blob
module {
  func.func @f() -> tensor<f32> {
    %0 = "torsh.constant"() {value = dense<"0x0000803"> : tensor<f32>} : () -> tensor<f32>
    return %0 : tensor<f32>
  }
}
