module {
  func.func @clamp(%arg0: tensor<3x4xf32>, %arg1: tensor<4xf32>) -> tensor<3x4xf32> {
    %0 = "torsh.neg"(%arg1) : (tensor<4xf32>) -> tensor<4xf32>
    %1 = "torsh.gt"(%arg0, %arg1) : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xi1>
    %2 = "torsh.lt"(%arg0, %0) : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xi1>
    %3 = "torsh.where"(%2, %0, %arg0) : (tensor<3x4xi1>, tensor<4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
    %4 = "torsh.where"(%1, %arg1, %3) : (tensor<3x4xi1>, tensor<4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
    return %4 : tensor<3x4xf32>
  }
  func.func @masks(%arg0: tensor<3x4xi8>, %arg1: tensor<4xi8>) -> (tensor<3x4xi1>, tensor<3x4xi8>) {
    %0 = "torsh.ge"(%arg0, %arg1) : (tensor<3x4xi8>, tensor<4xi8>) -> tensor<3x4xi1>
    %1 = "torsh.constant"() {value = dense<5> : tensor<i8>} : () -> tensor<i8>
    %2 = "torsh.le"(%arg0, %1) : (tensor<3x4xi8>, tensor<i8>) -> tensor<3x4xi1>
    %3 = "torsh.and"(%0, %2) : (tensor<3x4xi1>, tensor<3x4xi1>) -> tensor<3x4xi1>
    %4 = "torsh.eq"(%arg0, %arg1) : (tensor<3x4xi8>, tensor<4xi8>) -> tensor<3x4xi1>
    %5 = "torsh.constant"() {value = dense<0> : tensor<i8>} : () -> tensor<i8>
    %6 = "torsh.ne"(%arg0, %5) : (tensor<3x4xi8>, tensor<i8>) -> tensor<3x4xi1>
    %7 = "torsh.or"(%4, %6) : (tensor<3x4xi1>, tensor<3x4xi1>) -> tensor<3x4xi1>
    %8 = "torsh.xor"(%3, %7) : (tensor<3x4xi1>, tensor<3x4xi1>) -> tensor<3x4xi1>
    %9 = "torsh.not"(%8) : (tensor<3x4xi1>) -> tensor<3x4xi1>
    %10 = "torsh.constant"() {value = dense<-1> : tensor<i8>} : () -> tensor<i8>
    %11 = "torsh.where"(%8, %arg0, %10) : (tensor<3x4xi1>, tensor<3x4xi8>, tensor<i8>) -> tensor<3x4xi8>
    return %9, %11 : tensor<3x4xi1>, tensor<3x4xi8>
  }
}
