// expect: IRParseError 4:44 does not fit f32
module {
  func.func @f() -> tensor<f32> {
    %0 = "torsh.constant"() {value = dense<0x7FF0000000000000> : tensor<f32>} : () -> tensor<f32>
    return %0 : tensor<f32>
  }
}
