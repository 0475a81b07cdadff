import LensTensor

/// y = x·Wᵀ + b, x [N, in], W [out, in] (PyTorch's layout), b [out], y [N, out].
struct LinearLayer: Layer {
    let spec: LayerSpec
    let inFeatures: Int
    let outFeatures: Int
    private var weight: Parameter
    private var bias: Parameter

    init(spec: LayerSpec, inFeatures: Int, outFeatures: Int,
         initialization: WeightInitialization, generator: inout SeededGenerator) {
        self.spec = spec
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        (weight, bias) = initialization.weightAndBias(weightShape: [outFeatures, inFeatures], using: &generator)
    }

    var parameters: [Parameter] { [weight, bias] }

    mutating func updateParameters(_ body: (inout Parameter) throws -> Void) rethrows {
        try body(&weight)
        try body(&bias)
    }

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        let batch = input.shape[0], outFeatures = outFeatures, inFeatures = inFeatures
        precondition(input.count == batch * inFeatures, "\(spec.name): expected [N, \(inFeatures)], got \(input.shape)")
        output.prepare(shape: [batch, outFeatures])
        output.scalars.withUnsafeMutableBufferPointer { y in
            bias.value.scalars.withUnsafeBufferPointer { b in
                for row in 0..<batch { (y.baseAddress! + row * outFeatures).update(from: b.baseAddress!, count: outFeatures) }
            }
            input.scalars.withUnsafeBufferPointer { x in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    // y[N, out] += x[N, in] · W[out, in]ᵀ
                    MatrixMultiply.gemm(transposeB: true, m: batch, n: outFeatures, k: inFeatures,
                                        a: x.baseAddress!, lda: inFeatures, b: w.baseAddress!, ldb: inFeatures,
                                        beta: 1, c: y.baseAddress!, ldc: outFeatures)
                }
            }
        }
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        let batch = input.shape[0], outFeatures = outFeatures, inFeatures = inFeatures
        precondition(outputGradient.count == batch * outFeatures,
                     "\(spec.name): output gradient \(outputGradient.shape) does not match [\(batch), \(outFeatures)]")
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            if context.needsInputGradient {
                inputGradient.prepare(shape: input.shape)
                weight.value.scalars.withUnsafeBufferPointer { w in
                    inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                        // dx[N, in] = dy[N, out] · W[out, in]
                        MatrixMultiply.gemm(m: batch, n: inFeatures, k: outFeatures,
                                            a: dy.baseAddress!, lda: outFeatures, b: w.baseAddress!, ldb: inFeatures,
                                            c: dx.baseAddress!, ldc: inFeatures)
                    }
                }
            }
            guard context.updatesParameterGradients else { return }
            let beta = context.parameterGradientBeta
            input.scalars.withUnsafeBufferPointer { x in
                weight.gradient.scalars.withUnsafeMutableBufferPointer { dw in
                    // dW[out, in] (+)= dy[N, out]ᵀ · x[N, in]
                    MatrixMultiply.gemm(transposeA: true, m: outFeatures, n: inFeatures, k: batch,
                                        a: dy.baseAddress!, lda: outFeatures, b: x.baseAddress!, ldb: inFeatures,
                                        beta: beta, c: dw.baseAddress!, ldc: inFeatures)
                }
            }
            bias.gradient.scalars.withUnsafeMutableBufferPointer { db in
                if beta == 0 { db.update(repeating: 0) }
                for row in 0..<batch {
                    for j in 0..<outFeatures { db[j] += dy[row * outFeatures + j] }
                }
            }
        }
    }
}
