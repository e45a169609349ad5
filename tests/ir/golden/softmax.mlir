module {
  func.func @softmax(%arg0: tensor<2x5xf32>) -> tensor<2x5xf32> {
    %0 = "torsh.max"(%arg0) {axes = [-1], keepdim = true} : (tensor<2x5xf32>) -> tensor<2x1xf32>
    %1 = "torsh.sub"(%arg0, %0) : (tensor<2x5xf32>, tensor<2x1xf32>) -> tensor<2x5xf32>
    %2 = "torsh.exp"(%1) : (tensor<2x5xf32>) -> tensor<2x5xf32>
    %3 = "torsh.sum"(%2) {axes = [-1], keepdim = true} : (tensor<2x5xf32>) -> tensor<2x1xf32>
    %4 = "torsh.div"(%2, %3) : (tensor<2x5xf32>, tensor<2x1xf32>) -> tensor<2x5xf32>
    return %4 : tensor<2x5xf32>
  }
  func.func @log_softmax(%arg0: tensor<3x4xf64>) -> tensor<3x4xf64> {
    %0 = "torsh.max"(%arg0) {axes = [1], keepdim = true} : (tensor<3x4xf64>) -> tensor<3x1xf64>
    %1 = "torsh.sub"(%arg0, %0) : (tensor<3x4xf64>, tensor<3x1xf64>) -> tensor<3x4xf64>
    %2 = "torsh.exp"(%1) : (tensor<3x4xf64>) -> tensor<3x4xf64>
    %3 = "torsh.sum"(%2) {axes = [1], keepdim = true} : (tensor<3x4xf64>) -> tensor<3x1xf64>
    %4 = "torsh.log"(%3) : (tensor<3x1xf64>) -> tensor<3x1xf64>
    %5 = "torsh.sub"(%1, %4) : (tensor<3x4xf64>, tensor<3x1xf64>) -> tensor<3x4xf64>
    return %5 : tensor<3x4xf64>
  }
}
