import LensTensor

/// f = max(x, 0), elementwise; backward follows `ReLUBackwardMode`, gated on the output f (f > 0).
/// Both directions are LensKernels' vectorised clamp passes (`Elementwise.clamp`, `clampBackward`).
struct ReLULayer: Layer {
    let spec: LayerSpec

    init(spec: LayerSpec) { self.spec = spec }

    /// Elementwise loops are memory-bound: a second thread pays from about this many values.
    static let minimumValuesPerThread = 1 << 17

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        // NaN stays NaN, so divergence shows.
        Elementwise.clamp(input, into: &output, low: 0, high: .infinity, minimumChunk: Self.minimumValuesPerThread)
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        precondition(outputGradient.shape == output.shape,
                     "\(spec.name): output gradient \(outputGradient.shape) does not match the last forward output \(output.shape)")
        guard context.needsInputGradient else { return }
        Elementwise.clampBackward(gate: output, outputGradient: outputGradient, into: &inputGradient, low: 0, top: .infinity,
                                  mode: context.reluMode, minimumChunk: Self.minimumValuesPerThread)
    }
}
