module {
  func.func @casts(%arg0: tensor<2x3xf32>) -> (tensor<2x3xf16>, tensor<2x3xbf16>, tensor<2x3xf64>, tensor<2x3xi1>, tensor<2x3xi8>, tensor<2x3xi32>, tensor<2x3xi64>, tensor<2x3xf32>) {
    %0 = "torsh.cast"(%arg0) {dtype = f16} : (tensor<2x3xf32>) -> tensor<2x3xf16>
    %1 = "torsh.cast"(%arg0) {dtype = bf16} : (tensor<2x3xf32>) -> tensor<2x3xbf16>
    %2 = "torsh.cast"(%arg0) {dtype = f64} : (tensor<2x3xf32>) -> tensor<2x3xf64>
    %3 = "torsh.cast"(%arg0) {dtype = i1} : (tensor<2x3xf32>) -> tensor<2x3xi1>
    %4 = "torsh.cast"(%arg0) {dtype = i8} : (tensor<2x3xf32>) -> tensor<2x3xi8>
    %5 = "torsh.cast"(%arg0) {dtype = i32} : (tensor<2x3xf32>) -> tensor<2x3xi32>
    %6 = "torsh.cast"(%arg0) {dtype = i64} : (tensor<2x3xf32>) -> tensor<2x3xi64>
    %7 = "torsh.cast"(%arg0) {dtype = bf16} : (tensor<2x3xf32>) -> tensor<2x3xbf16>
    %8 = "torsh.cast"(%7) {dtype = f16} : (tensor<2x3xbf16>) -> tensor<2x3xf16>
    %9 = "torsh.cast"(%8) {dtype = f32} : (tensor<2x3xf16>) -> tensor<2x3xf32>
    return %0, %1, %2, %3, %4, %5, %6, %9 : tensor<2x3xf16>, tensor<2x3xbf16>, tensor<2x3xf64>, tensor<2x3xi1>, tensor<2x3xi8>, tensor<2x3xi32>, tensor<2x3xi64>, tensor<2x3xf32>
  }
  func.func @int_casts(%arg0: tensor<4xi64>, %arg1: tensor<4xi1>) -> (tensor<4xf32>, tensor<4xi8>, tensor<4xi32>, tensor<4xf64>, tensor<4xi1>) {
    %0 = "torsh.cast"(%arg0) {dtype = f32} : (tensor<4xi64>) -> tensor<4xf32>
    %1 = "torsh.cast"(%arg0) {dtype = i8} : (tensor<4xi64>) -> tensor<4xi8>
    %2 = "torsh.cast"(%arg1) {dtype = i32} : (tensor<4xi1>) -> tensor<4xi32>
    %3 = "torsh.cast"(%arg1) {dtype = f64} : (tensor<4xi1>) -> tensor<4xf64>
    %4 = "torsh.cast"(%arg0) {dtype = i1} : (tensor<4xi64>) -> tensor<4xi1>
    return %0, %1, %2, %3, %4 : tensor<4xf32>, tensor<4xi8>, tensor<4xi32>, tensor<4xf64>, tensor<4xi1>
  }
}
