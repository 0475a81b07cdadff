import LensTensor

/// 2-D convolution (cross-correlation, as PyTorch): x [N, C, H, W], W [out, C, k, k], b [out],
/// y [N, out, H', W'] with H' = (H + 2·padding − k) / stride + 1. Computed per image as
/// im2col then one matrix product: y_n[out, P] = W[out, K] · columns_n[K, P] + b.
struct Conv2DLayer: Layer {
    let spec: LayerSpec
    let outChannels: Int
    /// Geometry of one input image (its height and width are fixed by the architecture).
    let geometry: ConvolutionGeometry
    private var weight: Parameter
    private var bias: Parameter
    /// The column matrices of the last forward batch, one [K, P] block per image: backward reuses them.
    private var columns: [Float] = []
    private var batch = 0
    /// Backward's scratch for one image's column gradient.
    private var columnGradient: [Float] = []

    init(spec: LayerSpec, inputShape: [Int], outChannels: Int, kernel: Int, stride: Int, padding: Int,
         initialization: WeightInitialization, generator: inout SeededGenerator) {
        self.spec = spec
        self.outChannels = outChannels
        geometry = ConvolutionGeometry(channels: inputShape[0], height: inputShape[1], width: inputShape[2],
                                       kernel: kernel, stride: stride, padding: padding)
        (weight, bias) = initialization.weightAndBias(weightShape: [outChannels, inputShape[0], kernel, kernel],
                                                      using: &generator)
    }

    var parameters: [Parameter] { [weight, bias] }

    mutating func updateParameters(_ body: (inout Parameter) throws -> Void) rethrows {
        try body(&weight)
        try body(&bias)
    }

    mutating func forward(_ input: Tensor, training: Bool) -> Tensor {
        let geometry = geometry
        batch = input.shape[0]
        precondition(input.count == batch * geometry.imageSize,
                     "\(spec.name): expected [N, \(geometry.channels), \(geometry.height), \(geometry.width)], got \(input.shape)")
        let rows = geometry.rows, positions = geometry.positions, outChannels = outChannels
        let needed = batch * rows * positions
        if columns.count != needed { columns = [Float](repeating: 0, count: needed) }
        var output = Tensor(shape: [batch, outChannels, geometry.outHeight, geometry.outWidth])
        input.scalars.withUnsafeBufferPointer { x in
            columns.withUnsafeMutableBufferPointer { cols in
                output.scalars.withUnsafeMutableBufferPointer { y in
                    weight.value.scalars.withUnsafeBufferPointer { w in
                        bias.value.scalars.withUnsafeBufferPointer { b in
                            for n in 0..<batch {
                                let image = x.baseAddress! + n * geometry.imageSize
                                let imageColumns = cols.baseAddress! + n * rows * positions
                                let out = y.baseAddress! + n * outChannels * positions
                                geometry.im2col(image, into: imageColumns)
                                for o in 0..<outChannels { (out + o * positions).update(repeating: b[o], count: positions) }
                                // y_n[out, P] += W[out, K] · columns_n[K, P]
                                MatrixMultiply.gemm(m: outChannels, n: positions, k: rows,
                                                    a: w.baseAddress!, lda: rows, b: imageColumns, ldb: positions,
                                                    beta: 1, c: out, ldc: positions)
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    mutating func backward(_ outputGradient: Tensor, context: BackwardContext) -> Tensor {
        let geometry = geometry
        let rows = geometry.rows, positions = geometry.positions, outChannels = outChannels, batch = batch
        precondition(outputGradient.count == batch * outChannels * positions,
                     "\(spec.name): output gradient \(outputGradient.shape) does not match the last forward batch")
        var inputGradient = Tensor(shape: [batch, geometry.channels, geometry.height, geometry.width])
        if columnGradient.count != rows * positions { columnGradient = [Float](repeating: 0, count: rows * positions) }
        let accumulate = context.accumulateParameterGradients
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            columns.withUnsafeBufferPointer { cols in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    weight.gradient.scalars.withUnsafeMutableBufferPointer { dw in
                        bias.gradient.scalars.withUnsafeMutableBufferPointer { db in
                            columnGradient.withUnsafeMutableBufferPointer { dcols in
                                inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                                    for n in 0..<batch {
                                        let gradient = dy.baseAddress! + n * outChannels * positions
                                        if accumulate {
                                            // dW[out, K] += dy_n[out, P] · columns_n[K, P]ᵀ
                                            MatrixMultiply.gemm(transposeB: true, m: outChannels, n: rows, k: positions,
                                                                a: gradient, lda: positions,
                                                                b: cols.baseAddress! + n * rows * positions, ldb: positions,
                                                                beta: 1, c: dw.baseAddress!, ldc: rows)
                                            for o in 0..<outChannels {
                                                var sum: Float = 0
                                                for p in 0..<positions { sum += gradient[o * positions + p] }
                                                db[o] += sum
                                            }
                                        }
                                        // dcolumns[K, P] = W[out, K]ᵀ · dy_n[out, P]
                                        MatrixMultiply.gemm(transposeA: true, m: rows, n: positions, k: outChannels,
                                                            a: w.baseAddress!, lda: rows, b: gradient, ldb: positions,
                                                            c: dcols.baseAddress!, ldc: positions)
                                        geometry.col2imAdding(dcols.baseAddress!, into: dx.baseAddress! + n * geometry.imageSize)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }

    mutating func releaseCaches() {
        columns = []
        columnGradient = []
        batch = 0
    }
}
