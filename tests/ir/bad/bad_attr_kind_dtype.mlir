// expect: IRVerifyError 4:10 attribute 'dtype' must be of kind dtype
module {
  func.func @f(%arg0: tensor<2xf32>, %arg1: tensor<2xf32>) -> tensor<2xf32> {
    %0 = "torsh.cast"(%arg0) {dtype = "f32"} : (tensor<2xf32>) -> tensor<2xf32>
    return %0 : tensor<2xf32>
  }
}
