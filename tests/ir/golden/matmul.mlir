module {
  func.func @batched(%arg0: tensor<2x1x3x4xf32>, %arg1: tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32> {
    %0 = "torsh.matmul"(%arg0, %arg1) : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32>
    return %0 : tensor<2x5x3x6xf32>
  }
  func.func @int_matmul(%arg0: tensor<3x4xi32>, %arg1: tensor<4x2xi32>) -> tensor<3x2xi32> {
    %0 = "torsh.matmul"(%arg0, %arg1) : (tensor<3x4xi32>, tensor<4x2xi32>) -> tensor<3x2xi32>
    return %0 : tensor<3x2xi32>
  }
  func.func @half_matmul(%arg0: tensor<2x3x4xf16>, %arg1: tensor<4x5xf16>) -> tensor<2x3x5xf16> {
    %0 = "torsh.matmul"(%arg0, %arg1) : (tensor<2x3x4xf16>, tensor<4x5xf16>) -> tensor<2x3x5xf16>
    return %0 : tensor<2x3x5xf16>
  }
  func.func @dynamic_matmul(%arg0: tensor<?x3xf64>, %arg1: tensor<3x?xf64>) -> tensor<?x?xf64> {
    %0 = "torsh.matmul"(%arg0, %arg1) : (tensor<?x3xf64>, tensor<3x?xf64>) -> tensor<?x?xf64>
    return %0 : tensor<?x?xf64>
  }
}
