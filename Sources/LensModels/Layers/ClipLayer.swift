import LensTensor

/// y = min(max(x, low), high) (ReLU6: low 0, high 6). Backward passes dy where low < x < high, as
/// PyTorch's hardtanh (nothing at x == low or x == high); like a ReLU it follows `ReLUBackwardMode`:
/// deconvnet passes dy·[dy > 0], guided backprop dy·[low < x < high]·[dy > 0]. Both directions are
/// LensKernels' vectorised clamp passes (`Elementwise.clamp`, `clampBackward`).
struct ClipLayer: Layer {
    let spec: LayerSpec
    let low: Float
    let high: Float

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        Elementwise.clamp(input, into: &output, low: low, high: high)
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        guard context.needsInputGradient else { return }
        // low < x < high exactly where low < y < high (y = x there, y = low or high elsewhere, NaN
        // stays NaN), so the gate reads the output: a Clip fused into the convolution before it
        // leaves that convolution's output unwritten. y < high is y ≤ the float below high.
        Elementwise.clampBackward(gate: output, outputGradient: outputGradient, into: &inputGradient,
                                  low: low, top: high.nextDown, mode: context.reluMode)
    }
}
