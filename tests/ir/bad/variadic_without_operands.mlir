// expect: IRVerifyError 4:10 at least one operand
module {
  func.func @f() -> tensor<0xf32> {
    %0 = "torsh.concat"() {axis = 0} : () -> tensor<0xf32>
    return %0 : tensor<0xf32>
  }
}
