// expect: IRParseError 4:44 boolean in a tensor<f32> literal
module {
  func.func @f() -> tensor<f32> {
    %0 = "torsh.constant"() {value = dense<true> : tensor<f32>} : () -> tensor<f32>
    return %0 : tensor<f32>
  }
}
