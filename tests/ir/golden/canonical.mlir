module {
  func.func @canonical(%arg0: tensor<2x3xf32>, %arg1: tensor<3xf32>) -> tensor<2x3xf32> {
    %0 = "torsh.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
    %1 = "torsh.constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
    %2 = "torsh.mul"(%arg0, %0) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
    %3 = "torsh.constant"() {value = dense<1.0> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
    %4 = "torsh.mul"(%2, %3) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %5 = "torsh.add"(%4, %1) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
    %6 = "torsh.add"(%1, %5) : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %7 = "torsh.div"(%6, %0) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
    %8 = "torsh.neg"(%7) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %9 = "torsh.neg"(%8) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %10 = "torsh.sub"(%9, %1) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
    %11 = "torsh.reshape"(%10) {shape = [3, 2]} : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %12 = "torsh.reshape"(%11) {shape = [6]} : (tensor<3x2xf32>) -> tensor<6xf32>
    %13 = "torsh.reshape"(%12) {shape = [6]} : (tensor<6xf32>) -> tensor<6xf32>
    %14 = "torsh.reshape"(%13) {shape = [2, 3]} : (tensor<6xf32>) -> tensor<2x3xf32>
    %15 = "torsh.permute"(%14) {dims = [1, 0]} : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %16 = "torsh.permute"(%15) {dims = [1, 0]} : (tensor<3x2xf32>) -> tensor<2x3xf32>
    %17 = "torsh.expand"(%16) {shape = [2, 3]} : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %18 = "torsh.cast"(%17) {dtype = f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %19 = "torsh.constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
    %20 = "torsh.constant"() {value = dense<3.0> : tensor<f32>} : () -> tensor<f32>
    %21 = "torsh.add"(%19, %20) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %22 = "torsh.constant"() {value = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>} : () -> tensor<3xf32>
    %23 = "torsh.mul"(%21, %22) : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
    %24 = "torsh.add"(%18, %arg1) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    %25 = "torsh.add"(%arg1, %18) : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %26 = "torsh.exp"(%24) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %27 = "torsh.add"(%24, %25) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %28 = "torsh.mul"(%27, %23) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    return %28 : tensor<2x3xf32>
  }
  func.func @permutes(%arg0: tensor<2x3x4xf64>) -> (tensor<4x3x2xf64>, tensor<2x3x4xf64>) {
    %0 = "torsh.permute"(%arg0) {dims = [2, 0, 1]} : (tensor<2x3x4xf64>) -> tensor<4x2x3xf64>
    %1 = "torsh.permute"(%0) {dims = [0, 2, 1]} : (tensor<4x2x3xf64>) -> tensor<4x3x2xf64>
    %2 = "torsh.permute"(%arg0) {dims = [0, 1, 2]} : (tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
    return %1, %2 : tensor<4x3x2xf64>, tensor<2x3x4xf64>
  }
}
