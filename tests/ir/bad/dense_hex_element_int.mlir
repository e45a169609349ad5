// expect: IRParseError 4:44 does not fit i32
module {
  func.func @f() -> tensor<i32> {
    %0 = "torsh.constant"() {value = dense<0x10> : tensor<i32>} : () -> tensor<i32>
    return %0 : tensor<i32>
  }
}
