// expect: IRParseError 4:38 larger than
module {
  func.func @f() -> tensor<100000x100000xf32> {
    %0 = "torsh.constant"() {value = dense<1.0> : tensor<100000x100000xf32>} : () -> tensor<100000x100000xf32>
    return %0 : tensor<100000x100000xf32>
  }
}
