// expect: IRParseError 4:44 float 1.5 in an integer
module {
  func.func @f() -> tensor<i32> {
    %0 = "torsh.constant"() {value = dense<1.5> : tensor<i32>} : () -> tensor<i32>
    return %0 : tensor<i32>
  }
}
