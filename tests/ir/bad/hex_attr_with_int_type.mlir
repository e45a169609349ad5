// expect: IRParseError 4:46 needs type f32 or f64
module {
  func.func @f(%arg0: tensor<2xf32>, %arg1: tensor<2xf32>) -> tensor<2xf32> {
    %0 = "torsh.argmax"(%arg0) {axis = 0x0 : i64} : (tensor<2xf32>) -> tensor<i64>
    return %arg0 : tensor<2xf32>
  }
}
