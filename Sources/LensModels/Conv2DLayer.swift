import LensTensor

/// 2-D convolution (cross-correlation, as PyTorch): x [N, C, H, W], W [out, C, k, k], b [out],
/// y [N, out, H', W'] with H' = (H + 2·padding − k) / stride + 1. Computed per image as
/// im2col then one matrix product: y_n[out, P] = W[out, K] · columns_n[K, P] + b.
///
/// Images are independent, so a batch is split over the cores (`Parallel`); in backward each
/// part sums its own weight and bias gradients, added together at the end.
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
    /// Backward's scratch, per part: one image's column gradient, then the part's weight and bias gradients.
    private var scratch: [Float] = []

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

    /// Multiply-adds per image (forward), to decide how many parts a batch is worth.
    private var multiplyAddsPerImage: Double { Double(outChannels * geometry.rows * geometry.positions) }

    /// Splits `batch` images into parts worth a thread each (about 100 µs of work or more).
    private func imageRanges(_ batch: Int) -> [Range<Int>] {
        let parts = min(batch, Parallel.parts(forWork: multiplyAddsPerImage * Double(batch), minimumPerPart: 2e6))
        return (0..<parts).map { part in (part * batch / parts)..<((part + 1) * batch / parts) }
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
        let ranges = imageRanges(batch)
        input.scalars.withUnsafeBufferPointer { x in
            columns.withUnsafeMutableBufferPointer { cols in
                output.scalars.withUnsafeMutableBufferPointer { y in
                    weight.value.scalars.withUnsafeBufferPointer { w in
                        bias.value.scalars.withUnsafeBufferPointer { b in
                            let (x, cols, y, w, b) = (x.baseAddress!, cols.baseAddress!, y.baseAddress!, w.baseAddress!, b.baseAddress!)
                            Parallel.run(parts: ranges.count) { part in
                                for n in ranges[part] {
                                    let imageColumns = cols + n * rows * positions
                                    let out = y + n * outChannels * positions
                                    geometry.im2col(x + n * geometry.imageSize, into: imageColumns)
                                    for o in 0..<outChannels { (out + o * positions).update(repeating: b[o], count: positions) }
                                    // y_n[out, P] += W[out, K] · columns_n[K, P]
                                    MatrixMultiply.gemm(m: outChannels, n: positions, k: rows,
                                                        a: w, lda: rows, b: imageColumns, ldb: positions,
                                                        beta: 1, c: out, ldc: positions)
                                }
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
        let ranges = imageRanges(batch)
        let accumulate = context.accumulateParameterGradients
        // Per part: dcolumns [K, P], then dW [out, K] and db [out].
        let partSize = rows * positions + outChannels * rows + outChannels
        if scratch.count != ranges.count * partSize { scratch = [Float](repeating: 0, count: ranges.count * partSize) }
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            columns.withUnsafeBufferPointer { cols in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    scratch.withUnsafeMutableBufferPointer { scratch in
                        inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                            let (dy, cols, w, scratch, dx) = (dy.baseAddress!, cols.baseAddress!, w.baseAddress!,
                                                              scratch.baseAddress!, dx.baseAddress!)
                            Parallel.run(parts: ranges.count) { part in
                                let dcols = scratch + part * partSize
                                let dw = dcols + rows * positions, db = dw + outChannels * rows
                                if accumulate {
                                    dw.update(repeating: 0, count: outChannels * rows + outChannels)
                                }
                                for n in ranges[part] {
                                    let gradient = dy + n * outChannels * positions
                                    if accumulate {
                                        // dW[out, K] += dy_n[out, P] · columns_n[K, P]ᵀ
                                        MatrixMultiply.gemm(transposeB: true, m: outChannels, n: rows, k: positions,
                                                            a: gradient, lda: positions, b: cols + n * rows * positions, ldb: positions,
                                                            beta: 1, c: dw, ldc: rows)
                                        for o in 0..<outChannels {
                                            let row = gradient + o &* positions
                                            var sum: Float = 0
                                            for p in 0..<positions { sum += row[p] }
                                            db[o] += sum
                                        }
                                    }
                                    // dcolumns[K, P] = W[out, K]ᵀ · dy_n[out, P]
                                    MatrixMultiply.gemm(transposeA: true, m: rows, n: positions, k: outChannels,
                                                        a: w, lda: rows, b: gradient, ldb: positions,
                                                        c: dcols, ldc: positions)
                                    geometry.col2imAdding(dcols, into: dx + n * geometry.imageSize)
                                }
                            }
                        }
                    }
                }
            }
        }
        if accumulate { addPartGradients(parts: ranges.count, partSize: partSize) }
        return inputGradient
    }

    /// weight.gradient and bias.gradient += every part's sums (in part order, so a given core count
    /// always gives the same result).
    private mutating func addPartGradients(parts: Int, partSize: Int) {
        let columnsSize = geometry.rows * geometry.positions, weightCount = outChannels * geometry.rows
        scratch.withUnsafeBufferPointer { scratch in
            weight.gradient.scalars.withUnsafeMutableBufferPointer { dw in
                bias.gradient.scalars.withUnsafeMutableBufferPointer { db in
                    for part in 0..<parts {
                        let partWeights = scratch.baseAddress! + part * partSize + columnsSize
                        for i in 0..<weightCount { dw[i] += partWeights[i] }
                        for o in 0..<outChannels { db[o] += partWeights[weightCount + o] }
                    }
                }
            }
        }
    }

    mutating func releaseCaches() {
        columns = []
        scratch = []
        batch = 0
    }
}
