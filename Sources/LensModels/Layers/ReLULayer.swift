import LensTensor

/// f = max(x, 0), elementwise; backward follows `ReLUBackwardMode`.
struct ReLULayer: Layer {
    let spec: LayerSpec

    init(spec: LayerSpec) { self.spec = spec }

    /// Elementwise loops are memory-bound: a second thread pays from about this many values.
    static let minimumValuesPerThread = 1 << 17

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        output.prepare(shape: input.shape)
        input.scalars.withUnsafeBufferPointer { x in
            output.scalars.withUnsafeMutableBufferPointer { y in
                guard let x = x.baseAddress, let y = y.baseAddress else { return }
                Parallel.forEachChunk(count: input.count, minimumChunk: Self.minimumValuesPerThread) { range in
                    // A select, not a branch (signs are unpredictable); NaN stays NaN, so divergence shows.
                    for i in range { let v = x[i]; y[i] = v < 0 ? 0 : v }
                }
            }
        }
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        precondition(outputGradient.shape == output.shape,
                     "\(spec.name): output gradient \(outputGradient.shape) does not match the last forward output \(output.shape)")
        guard context.needsInputGradient else { return }
        inputGradient.prepare(shape: output.shape)
        let mode = context.reluMode
        outputGradient.scalars.withUnsafeBufferPointer { r in
            output.scalars.withUnsafeBufferPointer { f in
                inputGradient.scalars.withUnsafeMutableBufferPointer { d in
                    guard let r = r.baseAddress, let f = f.baseAddress, let d = d.baseAddress else { return }
                    Parallel.forEachChunk(count: output.count, minimumChunk: Self.minimumValuesPerThread) { range in
                        switch mode {
                        case .gradient:
                            for i in range { let (g, y) = (r[i], f[i]); d[i] = y > 0 ? g : 0 }
                        case .deconvnet:
                            for i in range { let g = r[i]; d[i] = g > 0 ? g : 0 }
                        case .guided:
                            for i in range { let (g, y) = (r[i], f[i]); d[i] = min(y, g) > 0 ? g : 0 }
                        }
                    }
                }
            }
        }
    }
}
