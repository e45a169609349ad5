// expect: IRParseError 4:44 does not fit in i64
module {
  func.func @f() -> tensor<i64> {
    %0 = "torsh.constant"() {value = dense<9223372036854775808> : tensor<i64>} : () -> tensor<i64>
    return %0 : tensor<i64>
  }
}
