import LensTensor

/// f = max(x, 0), elementwise; backward follows `ReLUBackwardMode`.
struct ReLULayer: Layer {
    let spec: LayerSpec
    private var output = Tensor(shape: [0])

    init(spec: LayerSpec) { self.spec = spec }

    mutating func forward(_ input: Tensor, training: Bool) -> Tensor {
        var output = input
        output.scalars.withUnsafeMutableBufferPointer { f in
            for i in f.indices where f[i] < 0 { f[i] = 0 }  // NaN stays NaN, so divergence shows
        }
        self.output = output
        return output
    }

    mutating func backward(_ outputGradient: Tensor, context: BackwardContext) -> Tensor {
        precondition(outputGradient.shape == output.shape,
                     "\(spec.name): output gradient \(outputGradient.shape) does not match the last forward output \(output.shape)")
        var inputGradient = outputGradient
        inputGradient.scalars.withUnsafeMutableBufferPointer { r in
            output.scalars.withUnsafeBufferPointer { f in
                switch context.reluMode {
                case .gradient:
                    for i in r.indices where !(f[i] > 0) { r[i] = 0 }
                case .deconvnet:
                    for i in r.indices where !(r[i] > 0) { r[i] = 0 }
                case .guided:
                    for i in r.indices where !(f[i] > 0 && r[i] > 0) { r[i] = 0 }
                }
            }
        }
        return inputGradient
    }

    mutating func releaseCaches() { output = Tensor(shape: [0]) }
}
