// expect: IRParseError 4:44 not an integer type
module {
  func.func @f(%arg0: tensor<2xf32>, %arg1: tensor<2xf32>) -> tensor<2xf32> {
    %0 = "torsh.argmax"(%arg0) {axis = 0 : f32} : (tensor<2xf32>) -> tensor<i64>
    return %arg0 : tensor<2xf32>
  }
}
