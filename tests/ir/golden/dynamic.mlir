module {
  func.func @dynamic(%arg0: tensor<?x4xf32>, %arg1: tensor<4xf32>, %arg2: tensor<?x1xf32>) -> (tensor<4xf32>, tensor<12xf32>, tensor<3x2xf32>, tensor<2x2xf32>, tensor<4xi64>, tensor<?x4xf16>) {
    %0 = "torsh.add"(%arg0, %arg1) : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    %1 = "torsh.mul"(%0, %arg2) : (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<?x4xf32>
    %2 = "torsh.sum"(%1) {axes = [0], keepdim = false} : (tensor<?x4xf32>) -> tensor<4xf32>
    %3 = "torsh.reshape"(%1) {shape = [12]} : (tensor<?x4xf32>) -> tensor<12xf32>
    %4 = "torsh.expand"(%arg2) {shape = [3, 2]} : (tensor<?x1xf32>) -> tensor<3x2xf32>
    %5 = "torsh.slice"(%1) {start = [0, 1], step = [1, 2], stop = [2, 4]} : (tensor<?x4xf32>) -> tensor<2x2xf32>
    %6 = "torsh.concat"(%1, %arg0) {axis = 0} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    %7 = "torsh.argmax"(%6) {axis = 0, keepdim = false} : (tensor<?x4xf32>) -> tensor<4xi64>
    %8 = "torsh.cast"(%6) {dtype = f16} : (tensor<?x4xf32>) -> tensor<?x4xf16>
    return %2, %3, %4, %5, %7, %8 : tensor<4xf32>, tensor<12xf32>, tensor<3x2xf32>, tensor<2x2xf32>, tensor<4xi64>, tensor<?x4xf16>
  }
}
