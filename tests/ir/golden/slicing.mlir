module {
  func.func @slicing(%arg0: tensor<10x8xi64>, %arg1: tensor<2x8xi64>) -> (tensor<3x4xi64>, tensor<0x6xi64>, tensor<14x8xi64>, tensor<3x5xi64>, tensor<2x8xi64>) {
    %0 = "torsh.slice"(%arg0) {start = [1, 0], step = [3, 2], stop = [9, 8]} : (tensor<10x8xi64>) -> tensor<3x4xi64>
    %1 = "torsh.slice"(%arg0) {start = [4, 2], step = [1, 1], stop = [4, 8]} : (tensor<10x8xi64>) -> tensor<0x6xi64>
    %2 = "torsh.slice"(%arg1) {start = [0, 0], step = [1, 1], stop = [2, 8]} : (tensor<2x8xi64>) -> tensor<2x8xi64>
    %3 = "torsh.concat"(%arg0, %2, %arg1) {axis = 0} : (tensor<10x8xi64>, tensor<2x8xi64>, tensor<2x8xi64>) -> tensor<14x8xi64>
    %4 = "torsh.slice"(%arg0) {start = [0, 0], step = [1, 5], stop = [3, 5]} : (tensor<10x8xi64>) -> tensor<3x1xi64>
    %5 = "torsh.concat"(%0, %4) {axis = -1} : (tensor<3x4xi64>, tensor<3x1xi64>) -> tensor<3x5xi64>
    %6 = "torsh.concat"(%arg1) {axis = 1} : (tensor<2x8xi64>) -> tensor<2x8xi64>
    return %0, %1, %3, %5, %6 : tensor<3x4xi64>, tensor<0x6xi64>, tensor<14x8xi64>, tensor<3x5xi64>, tensor<2x8xi64>
  }
  func.func @scatter_back(%arg0: tensor<3x4xf32>) -> (tensor<10x8xf32>, tensor<3x6xf32>) {
    %0 = "torsh.insert_slice"(%arg0) {shape = [10, 8], start = [1, 0], step = [3, 2], stop = [9, 8]} : (tensor<3x4xf32>) -> tensor<10x8xf32>
    %1 = "torsh.insert_slice"(%arg0) {shape = [3, 6], start = [0, 2], step = [1, 1], stop = [3, 6]} : (tensor<3x4xf32>) -> tensor<3x6xf32>
    return %0, %1 : tensor<10x8xf32>, tensor<3x6xf32>
  }
}
