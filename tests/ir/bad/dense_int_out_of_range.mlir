// expect: IRParseError 4:48 300 does not fit in i8
module {
  func.func @f() -> tensor<2xi8> {
    %0 = "torsh.constant"() {value = dense<[1, 300]> : tensor<2xi8>} : () -> tensor<2xi8>
    return %0 : tensor<2xi8>
  }
}
