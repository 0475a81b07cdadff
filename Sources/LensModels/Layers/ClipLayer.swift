import LensTensor

/// y = min(max(x, low), high) (ReLU6: low 0, high 6). Backward passes dy where low < x < high, as
/// PyTorch's hardtanh; like a ReLU it follows `ReLUBackwardMode`: deconvnet passes max(dy, 0),
/// guided backprop dy·[low < x < high]·[dy > 0].
struct ClipLayer: Layer {
    let spec: LayerSpec
    let low: Float
    let high: Float

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        let (low, high) = (low, high)
        Elementwise.map(input, into: &output) { x in x < low ? low : (x > high ? high : x) }
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        guard context.needsInputGradient else { return }
        let (low, high) = (low, high)
        switch context.reluMode {
        case .gradient:
            Elementwise.backward(input: input, output: output, outputGradient: outputGradient, into: &inputGradient) { dy, x, _ in
                x > low && x < high ? dy : 0
            }
        case .deconvnet:
            Elementwise.backward(input: input, output: output, outputGradient: outputGradient, into: &inputGradient) { dy, _, _ in
                max(dy, 0)
            }
        case .guided:
            Elementwise.backward(input: input, output: output, outputGradient: outputGradient, into: &inputGradient) { dy, x, _ in
                x > low && x < high && dy > 0 ? dy : 0
            }
        }
    }
}
