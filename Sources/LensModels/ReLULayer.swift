import LensTensor

/// f = max(x, 0), elementwise; backward follows `ReLUBackwardMode`.
struct ReLULayer: Layer {
    let spec: LayerSpec
    private var output = Tensor(shape: [0])

    init(spec: LayerSpec) { self.spec = spec }

    mutating func forward(_ input: Tensor, training: Bool) -> Tensor {
        var output = input
        let count = output.count
        output.scalars.withUnsafeMutableBufferPointer { buffer in
            let f = buffer.baseAddress!
            // Values loaded before the select so it compiles without branches (signs are unpredictable);
            // NaN stays NaN, so divergence shows.
            for i in 0..<count { let x = f[i]; f[i] = x < 0 ? 0 : x }
        }
        self.output = output
        return output
    }

    mutating func backward(_ outputGradient: Tensor, context: BackwardContext) -> Tensor {
        precondition(outputGradient.shape == output.shape,
                     "\(spec.name): output gradient \(outputGradient.shape) does not match the last forward output \(output.shape)")
        var inputGradient = outputGradient
        let count = inputGradient.count
        inputGradient.scalars.withUnsafeMutableBufferPointer { gradient in
            output.scalars.withUnsafeBufferPointer { forward in
                let (r, f) = (gradient.baseAddress!, forward.baseAddress!)
                switch context.reluMode {
                case .gradient:
                    for i in 0..<count { let (g, y) = (r[i], f[i]); r[i] = y > 0 ? g : 0 }
                case .deconvnet:
                    for i in 0..<count { let g = r[i]; r[i] = g > 0 ? g : 0 }
                case .guided:
                    for i in 0..<count { let (g, y) = (r[i], f[i]); r[i] = min(y, g) > 0 ? g : 0 }
                }
            }
        }
        return inputGradient
    }

    mutating func releaseCaches() { output = Tensor(shape: [0]) }
}
