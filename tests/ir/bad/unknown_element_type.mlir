// expect: IRParseError 4:54 unknown element type
module {
  func.func @f(%arg0: tensor<2xf32>, %arg1: tensor<2xf32>) -> tensor<2xf32> {
    %0 = "torsh.add"(%arg0, %arg1) : (tensor<2xf32>, tensor<2xf33>) -> tensor<2xf32>
    return %0 : tensor<2xf32>
  }
}
