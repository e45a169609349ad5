// expect: IRVerifyError 4:10 bad slice 0:2:0
module {
  func.func @f(%arg0: tensor<2xf32>, %arg1: tensor<2xf32>) -> tensor<2xf32> {
    %0 = "torsh.slice"(%arg0) {start = [0], step = [0], stop = [2]} : (tensor<2xf32>) -> tensor<2xf32>
    return %0 : tensor<2xf32>
  }
}
