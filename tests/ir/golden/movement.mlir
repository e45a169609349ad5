module {
  func.func @movement(%arg0: tensor<2x3x4xf32>) -> (tensor<9x2x2x2xf32>, tensor<24xf32>) {
    %0 = "torsh.reshape"(%arg0) {shape = [6, 4]} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
    %1 = "torsh.permute"(%0) {dims = [1, 0]} : (tensor<6x4xf32>) -> tensor<4x6xf32>
    %2 = "torsh.reshape"(%1) {shape = [4, 1, 6]} : (tensor<4x6xf32>) -> tensor<4x1x6xf32>
    %3 = "torsh.expand"(%2) {shape = [2, 4, 5, 6]} : (tensor<4x1x6xf32>) -> tensor<2x4x5x6xf32>
    %4 = "torsh.slice"(%3) {start = [0, 1, 0, 1], step = [1, 2, 3, 2], stop = [2, 4, 5, 6]} : (tensor<2x4x5x6xf32>) -> tensor<2x2x2x3xf32>
    %5 = "torsh.permute"(%4) {dims = [3, 1, 0, 2]} : (tensor<2x2x2x3xf32>) -> tensor<3x2x2x2xf32>
    %6 = "torsh.reshape"(%arg0) {shape = [3, 2, 2, 2]} : (tensor<2x3x4xf32>) -> tensor<3x2x2x2xf32>
    %7 = "torsh.concat"(%5, %6, %5) {axis = 0} : (tensor<3x2x2x2xf32>, tensor<3x2x2x2xf32>, tensor<3x2x2x2xf32>) -> tensor<9x2x2x2xf32>
    %8 = "torsh.reshape"(%arg0) {shape = [24]} : (tensor<2x3x4xf32>) -> tensor<24xf32>
    return %7, %8 : tensor<9x2x2x2xf32>, tensor<24xf32>
  }
}
