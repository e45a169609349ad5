module {
  func.func @math_f32(%arg0: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
    %0 = "torsh.abs"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %1 = "torsh.constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
    %2 = "torsh.add"(%0, %1) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
    %3 = "torsh.exp"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %4 = "torsh.log1p"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %5 = "torsh.expm1"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %6 = "torsh.sin"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %7 = "torsh.cos"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %8 = "torsh.tanh"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %9 = "torsh.sigmoid"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %10 = "torsh.gelu"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %11 = "torsh.silu"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %12 = "torsh.erf"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %13 = "torsh.abs"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %14 = "torsh.sign"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %15 = "torsh.neg"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %16 = "torsh.relu"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %17 = "torsh.floor"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %18 = "torsh.ceil"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %19 = "torsh.round"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %20 = "torsh.log"(%2) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %21 = "torsh.sqrt"(%2) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %22 = "torsh.rsqrt"(%2) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    return %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
  }
  func.func @math_f16(%arg0: tensor<8xf16>) -> (tensor<8xf16>, tensor<8xf16>, tensor<8xf16>) {
    %0 = "torsh.tanh"(%arg0) : (tensor<8xf16>) -> tensor<8xf16>
    %1 = "torsh.sigmoid"(%arg0) : (tensor<8xf16>) -> tensor<8xf16>
    %2 = "torsh.abs"(%arg0) : (tensor<8xf16>) -> tensor<8xf16>
    %3 = "torsh.neg"(%2) : (tensor<8xf16>) -> tensor<8xf16>
    %4 = "torsh.exp"(%3) : (tensor<8xf16>) -> tensor<8xf16>
    return %0, %1, %4 : tensor<8xf16>, tensor<8xf16>, tensor<8xf16>
  }
  func.func @math_bf16(%arg0: tensor<4x2xbf16>) -> (tensor<4x2xbf16>, tensor<4x2xbf16>, tensor<4x2xbf16>) {
    %0 = "torsh.silu"(%arg0) : (tensor<4x2xbf16>) -> tensor<4x2xbf16>
    %1 = "torsh.gelu"(%arg0) : (tensor<4x2xbf16>) -> tensor<4x2xbf16>
    %2 = "torsh.round"(%arg0) : (tensor<4x2xbf16>) -> tensor<4x2xbf16>
    return %0, %1, %2 : tensor<4x2xbf16>, tensor<4x2xbf16>, tensor<4x2xbf16>
  }
  func.func @math_f64(%arg0: tensor<3xf64>) -> (tensor<3xf64>, tensor<3xf64>, tensor<3xf64>) {
    %0 = "torsh.erf"(%arg0) : (tensor<3xf64>) -> tensor<3xf64>
    %1 = "torsh.expm1"(%arg0) : (tensor<3xf64>) -> tensor<3xf64>
    %2 = "torsh.cos"(%arg0) : (tensor<3xf64>) -> tensor<3xf64>
    return %0, %1, %2 : tensor<3xf64>, tensor<3xf64>, tensor<3xf64>
  }
  func.func @int_unary(%arg0: tensor<5xi8>) -> (tensor<5xi8>, tensor<5xi8>, tensor<5xi8>, tensor<5xi8>, tensor<5xi8>, tensor<5xi8>, tensor<5xi8>) {
    %0 = "torsh.neg"(%arg0) : (tensor<5xi8>) -> tensor<5xi8>
    %1 = "torsh.abs"(%arg0) : (tensor<5xi8>) -> tensor<5xi8>
    %2 = "torsh.sign"(%arg0) : (tensor<5xi8>) -> tensor<5xi8>
    %3 = "torsh.relu"(%arg0) : (tensor<5xi8>) -> tensor<5xi8>
    %4 = "torsh.floor"(%arg0) : (tensor<5xi8>) -> tensor<5xi8>
    %5 = "torsh.ceil"(%arg0) : (tensor<5xi8>) -> tensor<5xi8>
    %6 = "torsh.round"(%arg0) : (tensor<5xi8>) -> tensor<5xi8>
    return %0, %1, %2, %3, %4, %5, %6 : tensor<5xi8>, tensor<5xi8>, tensor<5xi8>, tensor<5xi8>, tensor<5xi8>, tensor<5xi8>, tensor<5xi8>
  }
}
