module {
  func.func @int_arith(%arg0: tensor<4xi32>, %arg1: tensor<4xi32>, %arg2: tensor<2x4xi8>) -> (tensor<4xi32>, tensor<2x4xi8>, tensor<2xi64>) {
    %0 = "torsh.add"(%arg0, %arg1) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
    %1 = "torsh.sub"(%arg0, %arg1) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
    %2 = "torsh.mul"(%arg0, %arg1) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
    %3 = "torsh.minimum"(%1, %2) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
    %4 = "torsh.maximum"(%0, %3) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
    %5 = "torsh.constant"() {value = dense<100> : tensor<i8>} : () -> tensor<i8>
    %6 = "torsh.mul"(%arg2, %5) : (tensor<2x4xi8>, tensor<i8>) -> tensor<2x4xi8>
    %7 = "torsh.cast"(%6) {dtype = i64} : (tensor<2x4xi8>) -> tensor<2x4xi64>
    %8 = "torsh.sum"(%7) {axes = [1], keepdim = false} : (tensor<2x4xi64>) -> tensor<2xi64>
    return %4, %6, %8 : tensor<4xi32>, tensor<2x4xi8>, tensor<2xi64>
  }
}
