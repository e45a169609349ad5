module {
  func.func @mlp(%arg0: tensor<4x8xf32>, %arg1: tensor<8x16xf32>, %arg2: tensor<16xf32>, %arg3: tensor<16x3xf32>, %arg4: tensor<3xf32>) -> tensor<4x3xf32> {
    %0 = "torsh.matmul"(%arg0, %arg1) : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
    %1 = "torsh.add"(%0, %arg2) : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
    %2 = "torsh.gelu"(%1) : (tensor<4x16xf32>) -> tensor<4x16xf32>
    %3 = "torsh.matmul"(%2, %arg3) : (tensor<4x16xf32>, tensor<16x3xf32>) -> tensor<4x3xf32>
    %4 = "torsh.add"(%3, %arg4) : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
    %5 = "torsh.relu"(%4) : (tensor<4x3xf32>) -> tensor<4x3xf32>
    return %5 : tensor<4x3xf32>
  }
}
